package ch11

import (
	"math"
	"testing"
)

func TestExBackdoorAdjust(t *testing.T) {
	// Motorised trips (x) by district type (z): central trips are short and common in the data.
	pYgivenXZ := map[string]float64{"central": 0.9, "suburb": 0.3}
	pZ := map[string]float64{"central": 0.25, "suburb": 0.75}
	if got, want := BackdoorAdjust(pYgivenXZ, pZ), 0.9*0.25+0.3*0.75; math.Abs(got-want) > 1e-12 {
		t.Errorf("BackdoorAdjust = %.4f, want %.4f (weight each stratum by P(z))", got, want)
	}
	if got := BackdoorAdjust(map[string]float64{"a": 0.4, "b": 0.4}, map[string]float64{"a": 0.1, "b": 0.9}); math.Abs(got-0.4) > 1e-12 {
		t.Errorf("BackdoorAdjust with no effect of z = %.4f, want 0.4", got)
	}
}

func TestExWorstGroupAccuracy(t *testing.T) {
	pred := []int{1, 1, 1, 1, 0, 1}
	label := []int{1, 1, 1, 0, 0, 0}
	group := []string{"a", "a", "a", "b", "b", "b"}
	if got := WorstGroupAccuracy(pred, label, group); math.Abs(got-1.0/3) > 1e-12 {
		t.Errorf("WorstGroupAccuracy = %.3f, want 0.333 (group b: 1 of 3 right; the mean accuracy 0.67 hides it)", got)
	}
}
