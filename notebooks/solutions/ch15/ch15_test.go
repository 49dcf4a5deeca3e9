package ch15

import (
	"math"
	"testing"
)

func TestExDemographicParity(t *testing.T) {
	pred := []int{1, 1, 0, 0, 1, 0, 0, 0}
	groups := []string{"low", "low", "low", "low", "high", "high", "high", "high"}
	if got := DemographicParityDifference(pred, groups, 1); math.Abs(got-0.25) > 1e-12 {
		t.Errorf("DemographicParityDifference = %.3f, want 0.250 (low: 2 of 4 predicted 1, high: 1 of 4)", got)
	}
	if got := DemographicParityDifference([]int{0, 1, 0, 1}, []string{"a", "a", "b", "b"}, 1); got != 0 {
		t.Errorf("equal rates: DemographicParityDifference = %.3f, want 0", got)
	}
}

func TestExAttentionFLOPs(t *testing.T) {
	// L = 4 positions, D = 8, H = 2: scores 2·16·8 = 256, scale 2·16 = 32,
	// softmax 4·2·16 = 128, weighted sum 256.
	if got := AttentionFLOPs(4, 8, 2); got != 672 {
		t.Errorf("AttentionFLOPs(4, 8, 2) = %v, want 672 (scores 256 + scale 32 + softmax 128 + weighted sum 256)", got)
	}
	if a, b := AttentionFLOPs(64, 64, 4), AttentionFLOPs(128, 64, 4); math.Abs(b/a-4) > 1e-12 {
		t.Errorf("doubling L multiplies the attention core's cost by %.2f, want 4 (it is quadratic in L)", b/a)
	}
}

func TestExDROStep(t *testing.T) {
	q := DROStep([]float64{0.5, 0.5}, []float64{2, 0}, math.Log(3))
	if math.Abs(q[0]-0.9) > 1e-12 || math.Abs(q[1]-0.1) > 1e-12 {
		t.Errorf("DROStep = %v, want [0.9 0.1] (q·exp(η·L) = 0.5·9 and 0.5·1, normalised)", q)
	}
	if q := DROStep([]float64{0.2, 0.8}, []float64{1, 1}, 0.5); math.Abs(q[0]-0.2) > 1e-12 {
		t.Errorf("equal losses must leave q unchanged, got %v", q)
	}
}
