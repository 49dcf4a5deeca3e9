package synth

import (
	"math"
	"testing"
	"time"

	"github.com/tfm-course/course/tfm/traj"
)

func TestStatsByMode(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC)
	f := newFrame(DefaultConfig().Center)
	line := func(mode string, metresPerStep float64, steps int, dt time.Duration) *traj.Trajectory {
		tr := &traj.Trajectory{Mode: mode}
		for i := range steps + 1 {
			p := f.toLL(float64(i)*metresPerStep, 0)
			tr.Points = append(tr.Points, traj.NewPoint(p[0], p[1], t0.Add(time.Duration(i)*dt)))
		}
		return tr
	}
	ds := &traj.Dataset{Trajectories: []*traj.Trajectory{
		line(Walk, 14, 10, 10*time.Second), // 1.4 m/s, 140 m, 100 s
		line(Car, 100, 6, 10*time.Second),  // 10 m/s, 600 m, 60 s
		line(Walk, 12, 5, 10*time.Second),  // 1.2 m/s, 60 m, 50 s
	}}
	got := StatsByMode(ds)
	if len(got) != 2 || got[0].Mode != Walk || got[1].Mode != Car {
		t.Fatalf("modes %+v", got)
	}
	w := got[0]
	near := func(a, b float64) bool { return math.Abs(a-b) < 0.01*math.Abs(b) }
	// Walk: 15 steps, 10 at 1.4 and 5 at 1.2 → median 1.4; lengths 140, 60 → 100; minutes 100/60, 50/60 → 1.25.
	if w.Trajectories != 2 || w.Points != 17 || !near(w.MedianSpeed, 1.4) || !near(w.MedianLength, 100) || !near(w.MedianMinutes, 1.25) {
		t.Errorf("walk stats %+v", w)
	}
	if c := got[1]; c.Trajectories != 1 || !near(c.MedianSpeed, 10) || !near(c.MedianLength, 600) {
		t.Errorf("car stats %+v", c)
	}
	if !math.IsNaN(medianOf(nil)) {
		t.Error("median of nothing must be NaN")
	}
}
