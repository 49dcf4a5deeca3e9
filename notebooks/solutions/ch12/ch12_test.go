package ch12

import (
	"math"
	"testing"
)

func TestExMeanRank(t *testing.T) {
	dist := [][]float64{
		{0.1, 0.5, 0.9}, // truth 0: rank 1
		{0.2, 0.3, 0.1}, // truth 1: 0.2 and 0.1 are closer: rank 3
		{0.4, 0.4, 0.4}, // truth 2: ties do not count against it: rank 1
	}
	if got := MeanRank(dist, []int{0, 1, 2}); math.Abs(got-5.0/3) > 1e-12 {
		t.Errorf("MeanRank = %.4f, want 1.6667 (ranks 1, 3, 1)", got)
	}
}

func TestExMAPE(t *testing.T) {
	got := MAPE([]float64{110, 45, 10}, []float64{100, 50, 0})
	if math.Abs(got-10) > 1e-9 {
		t.Errorf("MAPE = %.4f %%, want 10 %% (errors 10 %% and 10 %%; the zero-time trip is skipped)", got)
	}
}
