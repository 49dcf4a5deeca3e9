package traj

import (
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

var t0 = time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)

// line builds a trajectory whose point i is at (lons[i], 40) at t0+secs[i].
func line(id string, lons []float64, secs []float64) *Trajectory {
	t := &Trajectory{ID: id}
	for i := range lons {
		t.Points = append(t.Points, NewPoint(lons[i], 40, t0.Add(time.Duration(secs[i]*float64(time.Second)))))
	}
	return t
}

// mPerMilliDeg is the length of 0.001° of longitude at 40°N (EarthRadius).
var mPerMilliDeg = 0.001 * math.Pi / 180 * EarthRadius * math.Cos(40*math.Pi/180)

func lons(t *Trajectory) []float64 {
	var out []float64
	for _, p := range t.Points {
		out = append(out, math.Round(p.Lon()*1e6)/1e6)
	}
	return out
}

func TestSortAndDedup(t *testing.T) {
	tr := line("a", []float64{3, 1, 2, 2.5, 4}, []float64{30, 10, 20, 20, 40})
	tr.Modes = []string{"c", "a", "b", "dup", "d"}
	if !SortByTime(tr) {
		t.Fatal("unsorted input not reported")
	}
	if n := DedupTimes(tr); n != 1 {
		t.Fatalf("removed %d duplicates, want 1", n)
	}
	if got := lons(tr); !reflect.DeepEqual(got, []float64{1, 2, 3, 4}) || !reflect.DeepEqual(tr.Modes, []string{"a", "b", "c", "d"}) {
		t.Fatalf("%v %v", got, tr.Modes)
	}
	if SortByTime(tr) {
		t.Error("sorted input reported as reordered")
	}
}

func TestDropSpeedJumps(t *testing.T) {
	// Walking at about 0.85 m/s (0.00001° per second) with one 1 km spike.
	tr := line("w", []float64{0, 0.00001, 0.012, 0.00003, 0.00004}, []float64{0, 1, 2, 3, 4})
	tr.Mode = "walk"
	if n := DropSpeedJumps(tr, DefaultMaxSpeed); n != 1 {
		t.Fatalf("removed %d, want 1", n)
	}
	if got := lons(tr); !reflect.DeepEqual(got, []float64{0, 0.00001, 0.00003, 0.00004}) {
		t.Fatalf("%v", got)
	}
	// The first point is the outlier.
	tr = line("f", []float64{0.5, 0, 0.00001, 0.00002}, []float64{0, 1, 2, 3})
	if n := DropSpeedJumps(tr, DefaultMaxSpeed); n != 1 || lons(tr)[0] != 0 {
		t.Fatalf("first-point outlier: removed %d, %v", n, lons(tr))
	}
	// 0.0004°/s ≈ 34 m/s: fine for a car, impossible on foot (per-point modes).
	tr = line("m", []float64{0, 0.0004, 0.0008, 0.0012}, []float64{0, 1, 2, 3})
	tr.Modes = []string{"car", "car", "walk", "car"}
	if n := DropSpeedJumps(tr, DefaultMaxSpeed); n != 1 || !reflect.DeepEqual(lons(tr), []float64{0, 0.0004, 0.0012}) {
		t.Fatalf("per-mode caps: removed %d, %v", n, lons(tr))
	}
}

func TestSplitGapsAndClip(t *testing.T) {
	tr := line("g", []float64{0, 0.001, 0.002, 0.003, 0.004}, []float64{0, 10, 1300, 1310, 3000})
	parts := SplitGaps(tr, 10*time.Minute)
	if len(parts) != 3 || parts[0].ID != "g#1" || parts[2].ID != "g#3" || parts[1].Len() != 2 {
		t.Fatalf("%d parts", len(parts))
	}
	if one := SplitGaps(tr, time.Hour); len(one) != 1 || one[0].ID != "g" {
		t.Error("no gap must keep the trajectory")
	}
	box := orb.Bound{Min: orb.Point{0.0005, 39}, Max: orb.Point{0.0035, 41}}
	clipped := ClipBound(line("c", []float64{0, 0.001, 0.002, 0.005, 0.003, 0.01}, []float64{0, 1, 2, 3, 4, 5}), box)
	if len(clipped) != 2 || !reflect.DeepEqual(lons(clipped[0]), []float64{0.001, 0.002}) || !reflect.DeepEqual(lons(clipped[1]), []float64{0.003}) || clipped[1].ID != "c#2" {
		t.Fatalf("clip: %d parts", len(clipped))
	}
}

func TestResample(t *testing.T) {
	tr := line("r", []float64{0, 0.001, 0.004}, []float64{0, 10, 20})
	tr.Modes = []string{"walk", "bike", "bike"}
	tr.Points[0].Alt, tr.Points[1].Alt = 100, 110
	r := Resample(tr, 4*time.Second)
	if got := lons(r); !reflect.DeepEqual(got, []float64{0, 0.0004, 0.0008, 0.0016, 0.0028, 0.004}) {
		t.Fatalf("%v", got)
	}
	if !r.Points[5].Time.Equal(t0.Add(20*time.Second)) || !reflect.DeepEqual(r.Modes, []string{"walk", "walk", "walk", "bike", "bike", "bike"}) {
		t.Fatalf("times/modes %v", r.Modes)
	}
	if r.Points[1].Alt != 104 || !math.IsNaN(r.Points[3].Alt) {
		t.Errorf("alt %v %v", r.Points[1].Alt, r.Points[3].Alt)
	}
}

func TestCleanChain(t *testing.T) {
	a := line("a", []float64{0.002, 0, 0.001, 0.001, 0.3, 0.003, 0.004, 0.005, 0.006}, []float64{20, 0, 10, 10, 25, 30, 2000, 2010, 2020})
	tiny := line("tiny", []float64{0, 0.00001}, []float64{0, 1})
	ds := &Dataset{Name: "x", Trajectories: []*Trajectory{a, tiny}}
	cfg := CleanConfig{MaxSpeed: DefaultMaxSpeed, MaxGap: 10 * time.Minute, MinPoints: 3, MinLength: 50, Resample: 5 * time.Second}
	out, rep := Clean(ds, cfg)
	want := CleanReport{InTrajectories: 2, InPoints: 11, Duplicates: 1, Reordered: 1, SpeedJumps: 1, GapSplits: 1, DroppedShort: 1,
		OutTrajectories: 2, OutPoints: 7 + 5}
	if rep != want {
		t.Fatalf("report\n got %+v\nwant %+v", rep, want)
	}
	if out.Trajectories[0].ID != "a#1" || out.Trajectories[1].ID != "a#2" || a.Len() != 9 {
		t.Fatalf("ids %s %s; input must stay untouched (%d points)", out.Trajectories[0].ID, out.Trajectories[1].ID, a.Len())
	}
	if d := out.Trajectories[0].Points[1].Time.Sub(out.Trajectories[0].Points[0].Time); d != 5*time.Second {
		t.Errorf("resample step %v", d)
	}
	if rep.String() == "" {
		t.Error("empty report text")
	}
}

func TestSplits(t *testing.T) {
	ds := &Dataset{Name: "d"}
	for i := 0; i < 100; i++ {
		tr := line(string(rune('A'+i%26))+string(rune('0'+i/26)), []float64{0, 0.001}, []float64{0, 1})
		tr.UserID = string(rune('a' + i%10))
		ds.Trajectories = append(ds.Trajectories, tr)
	}
	s, err := SplitByTrajectory(ds, 0.1, 0.2, 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Train.Trajectories) != 70 || len(s.Val.Trajectories) != 10 || len(s.Test.Trajectories) != 20 {
		t.Fatalf("sizes %d %d %d", len(s.Train.Trajectories), len(s.Val.Trajectories), len(s.Test.Trajectories))
	}
	again, _ := SplitByTrajectory(ds, 0.1, 0.2, 7)
	other, _ := SplitByTrajectory(ds, 0.1, 0.2, 8)
	if !reflect.DeepEqual(ids(s.Test), ids(again.Test)) || reflect.DeepEqual(ids(s.Test), ids(other.Test)) {
		t.Error("split not deterministic under its seed")
	}
	seen := map[*Trajectory]int{}
	for _, d := range []*Dataset{s.Train, s.Val, s.Test} {
		for _, tr := range d.Trajectories {
			seen[tr]++
		}
	}
	if len(seen) != 100 {
		t.Errorf("parts overlap or lose trajectories: %d distinct", len(seen))
	}

	u, err := SplitByUser(ds, 0.2, 0.2, 3)
	if err != nil {
		t.Fatal(err)
	}
	users := func(d *Dataset) map[string]bool {
		m := map[string]bool{}
		for _, tr := range d.Trajectories {
			m[tr.UserID] = true
		}
		return m
	}
	tr, va, te := users(u.Train), users(u.Val), users(u.Test)
	if len(tr) != 6 || len(va) != 2 || len(te) != 2 {
		t.Fatalf("users per part %d %d %d", len(tr), len(va), len(te))
	}
	for x := range te {
		if tr[x] || va[x] {
			t.Errorf("user %s in test and another part", x)
		}
	}
	if _, err := SplitByUser(ds, 0.6, 0.6, 1); err == nil {
		t.Error("fractions over 1 accepted")
	}
}

func ids(d *Dataset) []string {
	var out []string
	for _, t := range d.Trajectories {
		out = append(out, t.ID)
	}
	return out
}
