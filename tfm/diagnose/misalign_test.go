package diagnose

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/tfm-course/course/tfm/traj"
)

// AUC by hand: intact {0.9, 0.5}, desynced {0.6, 0.5, 0.1}: of the six
// pairs the intact one is higher in 0.9>all (3), 0.5>0.1 (1), and ties
// 0.5=0.5 once (½): (3 + 1 + ½)/6 = 0.75.
func TestAUCByHand(t *testing.T) {
	if got := AUC([]float64{0.9, 0.5}, []float64{0.6, 0.5, 0.1}); math.Abs(got-0.75) > 1e-12 {
		t.Errorf("AUC = %v, want 0.75", got)
	}
	if got := AUC([]float64{1, 2}, []float64{3, 4}); got != 0 {
		t.Errorf("AUC of a reversed score = %v, want 0", got)
	}
	if !math.IsNaN(AUC(nil, []float64{1})) {
		t.Errorf("AUC without intact pairs is not NaN")
	}
}

func trips(n int) []*traj.Trajectory {
	var ts []*traj.Trajectory
	t0 := time.Date(2024, 3, 4, 8, 0, 0, 0, time.UTC)
	for i := range n {
		tr := &traj.Trajectory{ID: fmt.Sprint(i)}
		for k := range 10 {
			tr.Points = append(tr.Points, traj.NewPoint(float64(i), float64(k), t0.Add(time.Duration(k)*time.Minute)))
		}
		ts = append(ts, tr)
	}
	return ts
}

// A swap desync gives every chosen trip another chosen trip's view (none
// keeps its own); a shift desync, the trip's later half; the others stay.
func TestDesync(t *testing.T) {
	ts := trips(20)
	views, des, err := Desync(ts, 0.3, DesyncSwap, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for i := range ts {
		switch {
		case des[i]:
			n++
			if views[i] == ts[i] {
				t.Errorf("swapped trip %d kept its own view", i)
			}
		case views[i] != ts[i]:
			t.Errorf("intact trip %d has another view", i)
		}
	}
	if n != 6 {
		t.Errorf("%d swapped, want 6 (30 %% of 20)", n)
	}
	views, des, err = Desync(ts, 0.5, DesyncShift, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ts {
		if des[i] && (len(views[i].Points) != 5 || !views[i].Points[0].Time.Equal(ts[i].Points[5].Time)) {
			t.Errorf("shifted view of trip %d: %d points from %v", i, len(views[i].Points), views[i].Points[0].Time)
		}
	}
	if _, _, err := Desync(ts, 0, DesyncSwap, 1, nil); err == nil {
		t.Errorf("share 0 accepted")
	}
	if _, _, err := Desync(ts, 0.3, "scramble", 1, nil); err == nil {
		t.Errorf("an unknown kind accepted")
	}
}
