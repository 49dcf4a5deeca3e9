package continual

import (
	"math"
	"testing"
)

func TestChangeSignsAndForgetting(t *testing.T) {
	cases := []struct {
		metric        string
		before, after float64
		change        float64
	}{
		{"mae", 200, 220, -10},      // error up: worse
		{"mean_rank", 10, 5, 50},    // rank down: better
		{"accuracy", 0.8, 0.88, 10}, // accuracy up: better
	}
	for _, c := range cases {
		if got := Change(c.metric, c.before, c.after); math.Abs(got-c.change) > 1e-9 {
			t.Errorf("Change(%s, %v, %v) = %v, want %v", c.metric, c.before, c.after, got, c.change)
		}
		if got := Forgetting(c.metric, c.before, c.after); math.Abs(got+c.change) > 1e-9 {
			t.Errorf("Forgetting(%s) = %v, want %v", c.metric, got, -c.change)
		}
	}
	if !math.IsNaN(Change("mae", 0, 1)) {
		t.Error("Change from 0 should be NaN")
	}
	if !Keeps([]float64{-5, 1.9, 2}, 2) || Keeps([]float64{0, 2.1}, 2) || Keeps([]float64{math.NaN()}, 2) {
		t.Error("Keeps: wrong verdict")
	}
}
