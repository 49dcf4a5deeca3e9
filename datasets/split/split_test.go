package split

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tfm-course/course/datasets"
	"github.com/tfm-course/course/datasets/internal/sample"
	"github.com/tfm-course/course/tfm/traj"
)

var day0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// trips makes n trajectories, trip i of user "u<i%users>" starting i days after day0.
func trips(n, users int) []*traj.Trajectory {
	var out []*traj.Trajectory
	for i := range n {
		start := day0.AddDate(0, 0, i)
		out = append(out, &traj.Trajectory{ID: fmt.Sprint("t", i), UserID: fmt.Sprint("u", i%users),
			Points: []traj.Point{traj.NewPoint(10, 50, start), traj.NewPoint(10.001, 50, start.Add(time.Minute))}})
	}
	return out
}

func TestByTime(t *testing.T) {
	ts := append(trips(10, 3), &traj.Trajectory{ID: "empty"})
	before, after := ByTime(ts, day0.AddDate(0, 0, 4))
	if len(before) != 5 || len(after) != 6 || before[4].ID != "empty" || after[0].ID != "t4" {
		t.Errorf("cut at day 4: %d before (last %s), %d after (first %s); want 4+empty, 6 from t4",
			len(before), before[len(before)-1].ID, len(after), after[0].ID)
	}
	for _, tr := range after {
		if tr.Start().Before(day0.AddDate(0, 0, 4)) {
			t.Errorf("%s starts %v, before the cut", tr.ID, tr.Start())
		}
	}
}

func TestByUsers(t *testing.T) {
	ts := trips(40, 10)
	old, fresh, err := ByUsers(ts, 0.3, 7)
	if err != nil {
		t.Fatal(err)
	}
	if u := Users(fresh); len(u) != 3 || len(fresh) != 12 || len(old) != 28 {
		t.Errorf("fraction 0.3 of 10 users: new users %v (%d trips), %d old trips", u, len(fresh), len(old))
	}
	for _, u := range Users(old) {
		if slices.Contains(Users(fresh), u) {
			t.Errorf("user %s on both sides", u)
		}
	}
	again, _, _ := ByUsers(ts, 0.3, 7)
	other, _, _ := ByUsers(ts, 0.3, 8)
	if !slices.Equal(Users(again), Users(old)) {
		t.Error("same seed, different split")
	}
	if slices.Equal(Users(other), Users(old)) {
		t.Log("seeds 7 and 8 happen to pick the same users")
	}
	for _, f := range []float64{-0.1, 1.5} {
		if _, _, err := ByUsers(ts, f, 1); err == nil {
			t.Errorf("fraction %v accepted", f)
		}
	}
	if o, n, _ := ByUsers(ts, 1, 1); len(o) != 0 || len(n) != 40 {
		t.Errorf("fraction 1: %d old, %d new", len(o), len(n))
	}
}

func TestMonthCut(t *testing.T) {
	ts := trips(120, 4) // 1 Jan to 29 Apr 2024
	if got, want := MonthCut(ts, 0.5), time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("MonthCut(0.5) = %v, want %v", got, want)
	}
	if !MonthCut(nil, 0.5).IsZero() {
		t.Error("MonthCut of nothing is not zero")
	}
}

// TestGeoLifeMonths splits the GeoLife sample at the month that halves it.
func TestGeoLifeMonths(t *testing.T) {
	ds, err := datasets.Open("geolife", sample.GeoLife(t), datasets.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cut := MonthCut(ds.Trajectories, 0.5)
	before, after := ByTime(ds.Trajectories, cut)
	t.Logf("GeoLife sample: %d trajectories of %d users; cut %s: %d before (%d users), %d after (%d users)",
		len(ds.Trajectories), len(Users(ds.Trajectories)), cut.Format("2006-01"), len(before), len(Users(before)), len(after), len(Users(after)))
	if len(before)+len(after) != len(ds.Trajectories) || len(before) == 0 || len(after) == 0 {
		t.Errorf("month split %d + %d of %d", len(before), len(after), len(ds.Trajectories))
	}
	old, fresh, err := ByUsers(ds.Trajectories, 0.2, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("20%% of users held out: %d old trajectories, %d of new users %v", len(old), len(fresh), Users(fresh))
	if len(Users(fresh)) == 0 || len(old) == 0 {
		t.Errorf("user split %d / %d", len(old), len(fresh))
	}
}
