package tasks

import (
	"math"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/tfm-course/course/tfm/traj"
)

func line(n int, t0 time.Time) *traj.Trajectory {
	t := &traj.Trajectory{ID: "line"}
	for i := 0; i < n; i++ {
		t.Points = append(t.Points, traj.NewPoint(116.3+float64(i)*1e-4, 39.9, t0.Add(time.Duration(10*i)*time.Second)))
	}
	return t
}

func TestDownsampleAndInterpolate(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC)
	tr := line(10, t0)
	kept, keptIdx, dropped, err := Downsample(tr, 0.25)
	if err != nil {
		t.Fatal(err)
	}
	// Every 4th point plus the last: 0, 4, 8, 9.
	wantKept := []int{0, 4, 8, 9}
	if len(keptIdx) != len(wantKept) || len(dropped) != 6 || len(kept.Points) != 4 {
		t.Fatalf("kept %v dropped %v", keptIdx, dropped)
	}
	for i, k := range wantKept {
		if keptIdx[i] != k {
			t.Fatalf("kept %v, want %v", keptIdx, wantKept)
		}
	}
	// Halfway in time between points 0 and 4 (t0+20 s) is point 2's place;
	// before the start / after the end clamps.
	got := InterpolateAt(kept, []time.Time{t0.Add(20 * time.Second), t0.Add(-time.Minute), t0.Add(time.Hour)})
	want := []orb.Point{tr.Points[2].Point, tr.Points[0].Point, tr.Points[9].Point}
	for i := range want {
		if math.Abs(got[i][0]-want[i][0]) > 1e-12 || math.Abs(got[i][1]-want[i][1]) > 1e-12 {
			t.Errorf("interpolation %d: %v, want %v", i, got[i], want[i])
		}
	}
	if _, _, _, err := Downsample(tr, 0); err == nil {
		t.Error("keep rate 0 accepted")
	}
}

// On a straight line at constant speed linear interpolation is exact; on
// random walks it is off by metres, and a 20 m radius counts part of it.
func TestRecoverLinear(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC)
	r, err := RecoverLinear([]*traj.Trajectory{line(40, t0)}, DefaultRecoveryConfig())
	if err != nil {
		t.Fatal(err)
	}
	if r.ErrorM > 1e-6 || r.Accuracy != 1 {
		t.Errorf("straight line: %+v", r)
	}
	w, err := RecoverLinear(randomWalks(50, 3), DefaultRecoveryConfig())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("random walks: %+v", w.RecoveryMetrics)
	if w.ErrorM <= 1 || w.Points == 0 {
		t.Errorf("random walks: %+v", w)
	}
	if ws := Windows(randomWalks(3, 1), 16, 3); len(ws) < 3 || len(ws[0].Points) != 16 {
		t.Errorf("windows: %d", len(ws))
	}
}

// The learned recovery trains and reports on every dropped point.
func TestRecoverFineTuneRuns(t *testing.T) {
	ts := randomWalks(120, 4)
	e, err := NewScratch(smallEncoderConfig(), ts, 1)
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultRecoveryConfig()
	cfg.Window = 32
	ft := DefaultFineTuneConfig()
	ft.Steps = 20
	lin, _ := RecoverLinear(ts[100:], cfg)
	r, err := RecoverFineTune(e, ts[:100], ts[100:], cfg, ft)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("learned %+v, linear %+v", r.RecoveryMetrics, lin.RecoveryMetrics)
	if r.Points != lin.Points || r.Method != MethodScratch || math.IsNaN(r.ErrorM) {
		t.Errorf("learned %+v vs linear %+v", r, lin)
	}
}
