package ch10

import (
	"math"
	"testing"
)

func TestExDWAWeights(t *testing.T) {
	w := DWAWeights([]float64{0.5, 0.5}, []float64{1, 1}, 2)
	if len(w) != 2 || math.Abs(w[0]-1) > 1e-12 || math.Abs(w[1]-1) > 1e-12 {
		t.Fatalf("DWAWeights with equal rates = %v, want [1 1]", w)
	}
	// Task 0 halved its loss, task 1 barely moved: task 1 gets more weight; the weights sum to K = 2.
	w = DWAWeights([]float64{0.5, 0.99}, []float64{1, 1}, 2)
	e0, e1 := math.Exp(0.25), math.Exp(0.495)
	if len(w) != 2 || math.Abs(w[0]-2*e0/(e0+e1)) > 1e-12 || math.Abs(w[1]-2*e1/(e0+e1)) > 1e-12 {
		t.Errorf("DWAWeights = %v, want [%.4f %.4f]", w, 2*e0/(e0+e1), 2*e1/(e0+e1))
	}
}

func TestExUncertaintyLoss(t *testing.T) {
	if got := UncertaintyLoss([]float64{2, 4}, []float64{0, 0}); math.Abs(got-3) > 1e-12 {
		t.Errorf("UncertaintyLoss(L = [2 4], s = 0) = %v, want 3 (½·L each)", got)
	}
	got := UncertaintyLoss([]float64{2}, []float64{math.Log(2)})
	if want := 0.5 + 0.5*math.Log(2); math.Abs(got-want) > 1e-12 {
		t.Errorf("UncertaintyLoss(L = 2, s = log 2) = %v, want %v", got, want)
	}
	// For a fixed loss L the best log-variance is s = log L: a noisy task (large L) is down-weighted.
	l := 3.0
	if UncertaintyLoss([]float64{l}, []float64{math.Log(l)}) > UncertaintyLoss([]float64{l}, []float64{math.Log(l) + 0.1}) {
		t.Errorf("the loss should be smallest at s = log L")
	}
}
