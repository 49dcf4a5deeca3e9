package ch01

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/tfm-course/course/tfm/traj"
)

// exampleTrip is a ten-fix trip in Beijing, one fix every 10 s, with a
// five-minute gap before fix 5 and another before fix 8.
func exampleTrip() *traj.Trajectory {
	tr := &traj.Trajectory{ID: "trip"}
	at := time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)
	for i := 0; i < 10; i++ {
		if i == 4 || i == 7 {
			at = at.Add(5 * time.Minute)
		}
		tr.Points = append(tr.Points, traj.NewPoint(116.3+0.0001*float64(i*i), 39.9+0.00005*float64(i), at))
		at = at.Add(10 * time.Second)
	}
	return tr
}

func TestExTripLength(t *testing.T) {
	tr := exampleTrip()
	want := tr.Length() // the library's answer
	if got := TripLength(tr); math.Abs(got-want) > 1e-6*want {
		t.Errorf("TripLength = %.2f m, want %.2f m (sum of traj.Haversine over consecutive fixes)", got, want)
	}
	if got := TripLength(&traj.Trajectory{Points: tr.Points[:1]}); got != 0 {
		t.Errorf("TripLength of a single fix = %v, want 0", got)
	}
}

func TestExCutAtGaps(t *testing.T) {
	tr := exampleTrip()
	var want []int
	for _, p := range traj.SplitGaps(tr, time.Minute) { // the library's answer
		want = append(want, p.Len())
	}
	if got := CutAtGaps(tr, time.Minute); !slices.Equal(got, want) {
		t.Errorf("CutAtGaps(1 min) = %v, want %v", got, want)
	}
	if got := CutAtGaps(tr, time.Hour); !slices.Equal(got, []int{10}) {
		t.Errorf("CutAtGaps(1 h) = %v, want [10] (no gap is longer than an hour)", got)
	}
	if got := CutAtGaps(&traj.Trajectory{}, time.Minute); len(got) != 0 {
		t.Errorf("CutAtGaps of an empty trip = %v, want none", got)
	}
}
