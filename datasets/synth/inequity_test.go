package synth

import (
	"math"
	"slices"
	"strconv"
	"testing"

	"github.com/tfm-course/course/tfm/traj"
)

func TestIncomes(t *testing.T) {
	c := cityForTest(t)
	count := map[string]int{}
	for _, d := range c.Districts {
		if !slices.Contains(Incomes, d.Income) {
			t.Fatalf("district %s: income %q", d.Name, d.Income)
		}
		count[d.Income]++
		switch d.Type {
		case Park, University:
			if d.Income != Middle {
				t.Errorf("%s %s: income %s, want middle", d.Type, d.Name, d.Income)
			}
		case Business, Commercial:
			if d.Income == Low {
				t.Errorf("%s %s: income low", d.Type, d.Name)
			}
		}
	}
	for _, inc := range Incomes {
		if count[inc] == 0 {
			t.Errorf("no %s-income district: %v", inc, count)
		}
	}
	trips := map[string]int{}
	for i := range c.Trips {
		o := c.Trips[i].Observed
		if o.Labels["income_from"] != c.DistrictIncome(c.Trips[i].FromDistrict) || o.Labels["income_to"] == "" {
			t.Fatalf("trip %s: income labels %q → %q", o.ID, o.Labels["income_from"], o.Labels["income_to"])
		}
		trips[o.Labels["income_from"]]++
	}
	if c.AgentIncome(0) != c.DistrictIncome(c.Agents[0].HomeDistrict) || c.AgentIncome(-1) != "" {
		t.Error("AgentIncome is not the home district's income")
	}
	t.Logf("districts per income %v, trips per origin income %v", count, trips)
	// Same seed, same incomes; the income stream is the city's own.
	again, err := Generate(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	for i := range c.Districts {
		if again.Districts[i].Income != c.Districts[i].Income {
			t.Fatal("incomes are not deterministic")
		}
	}
}

func TestInequityDataset(t *testing.T) {
	c := cityForTest(t)
	ds, rep, err := c.InequityDataset(InequityOptions{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", rep)
	if rep.Kept != len(ds.Trajectories) || rep.Trips != len(c.Trips) || rep.After[Low] >= rep.Before[Low] ||
		rep.After[Middle] != rep.Before[Middle] || rep.After[High] != rep.Before[High] {
		t.Fatalf("counts %+v", rep)
	}
	// The group keeps ≈ KeepRate of its trips.
	if f := float64(rep.After[Low]) / float64(rep.Before[Low]); math.Abs(f-0.3) > 0.05 {
		t.Errorf("low-income trips kept %.3f, want ≈ 0.3", f)
	}
	if rep.ShareAfter >= rep.ShareBefore || rep.ShareBefore < 0.15 {
		t.Errorf("group share %.3f → %.3f", rep.ShareBefore, rep.ShareAfter)
	}
	// Fix spacing of the group grows ≈ 3×, durations and ends are kept.
	if f := float64(rep.SparseFixesBefore) / float64(rep.SparseFixesAfter); f < 2.7 || f > 3.1 {
		t.Errorf("sparse sampling kept 1 fix in %.2f, want ≈ 3", f)
	}
	var canyonErr, otherErr, phoneErr [2]float64 // sum of squared error, count
	for _, o := range ds.Trajectories {
		k, err := strconv.Atoi(o.Labels["trip"])
		if err != nil {
			t.Fatal(err)
		}
		tr := &c.Trips[k]
		want := "other"
		if tr.Observed.Labels["income_from"] == Low {
			want = "disadvantaged"
		}
		if o.Labels[InequityKey] != want {
			t.Fatalf("trajectory %s: inequity label %q, want %q", o.ID, o.Labels[InequityKey], want)
		}
		if o.Duration() != tr.Observed.Duration() || !o.Points[0].Time.Equal(tr.Observed.Points[0].Time) {
			t.Fatalf("trajectory %s: duration changed", o.ID)
		}
		if want == "other" && len(o.Points) != len(tr.Observed.Points) {
			t.Fatalf("trajectory %s lost fixes", o.ID)
		}
		// Observed fixes keep their times, so their truth is the truth at the same index.
		j := 0
		for _, p := range o.Points {
			for !tr.Observed.Points[j].Time.Equal(p.Time) {
				j++
			}
			d := c.frame.dist(p.Point, tr.Truth[j].Point)
			acc := &otherErr
			switch {
			case want == "disadvantaged" && !c.inCanyon(tr.Truth[j].Point):
				acc = &phoneErr
			case want == "disadvantaged":
				continue // both noises
			case c.inCanyon(tr.Truth[j].Point):
				acc = &canyonErr
			}
			acc[0] += d * d / 2
			acc[1]++
		}
	}
	sc, so := math.Sqrt(canyonErr[0]/canyonErr[1]), math.Sqrt(otherErr[0]/otherErr[1])
	t.Logf("GPS error per axis: canyons %.1f m (%d fixes), elsewhere %.1f m", sc, int(canyonErr[1]), so)
	if math.Abs(so-5) > 0.5 || math.Abs(sc-math.Hypot(5, 15)) > 1.5 {
		t.Errorf("GPS error per axis: canyons %.1f m, elsewhere %.1f m; want ≈ %.1f and 5", sc, so, math.Hypot(5, 15))
	}
	if sp := math.Sqrt(phoneErr[0] / phoneErr[1]); math.Abs(sp-math.Hypot(5, 25)) > 2.5 {
		t.Errorf("GPS error per axis on cheap phones: %.1f m (%d fixes), want ≈ %.1f", sp, int(phoneErr[1]), math.Hypot(5, 25))
	}
	// Deterministic from the seed; another seed keeps other trips.
	again, _, _ := c.InequityDataset(InequityOptions{Seed: 3})
	other, _, _ := c.InequityDataset(InequityOptions{Seed: 4})
	same := len(again.Trajectories) == len(ds.Trajectories)
	for i := 0; same && i < len(ds.Trajectories); i++ {
		a, b := ds.Trajectories[i], again.Trajectories[i]
		same = a.ID == b.ID && samePoints(a.Points, b.Points)
	}
	if !same {
		t.Error("not deterministic")
	}
	if len(other.Trajectories) == len(ds.Trajectories) && other.Trajectories[len(ds.Trajectories)/2].ID == ds.Trajectories[len(ds.Trajectories)/2].ID {
		t.Error("seed 4 kept the same trips as seed 3")
	}
	// The city is untouched.
	if _, ok := c.Trips[0].Observed.Labels[InequityKey]; ok {
		t.Error("InequityDataset modified the city")
	}
}

func TestInequityOff(t *testing.T) {
	c := cityForTest(t)
	ds, rep, err := c.InequityDataset(InequityOptions{KeepRate: 1, SparseEvery: 1, CanyonNoiseM: -1, PhoneNoiseM: -1})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Trajectories) != len(c.Trips) || rep.CanyonFixes != 0 || rep.SparseFixesAfter != rep.SparseFixesBefore {
		t.Fatalf("inequity switched off changed the data: %+v", rep)
	}
	for i, o := range ds.Trajectories {
		if !samePoints(o.Points, c.Trips[i].Observed.Points) {
			t.Fatalf("trajectory %s changed", o.ID)
		}
	}
}

func TestInequityOptionsErrors(t *testing.T) {
	c := cityForTest(t)
	for _, opt := range []InequityOptions{
		{KeepRate: 1.5}, {KeepRate: -0.1}, {SparseEvery: -2}, {CanyonNoiseM: math.NaN()}, {PhoneNoiseM: math.NaN()},
		{Group: "no_such_label"}, {Disadvantaged: "rich"},
	} {
		if _, _, err := c.InequityDataset(opt); err == nil {
			t.Errorf("%+v accepted", opt)
		} else {
			t.Log(err)
		}
	}
}

// samePoints compares positions and times (the optional attributes are NaN).
func samePoints(a, b []traj.Point) bool {
	return slices.EqualFunc(a, b, func(p, q traj.Point) bool { return p.Point == q.Point && p.Time.Equal(q.Time) })
}
