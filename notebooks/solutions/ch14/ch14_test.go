package ch14

import (
	"math"
	"testing"
)

func TestExPercentWorse(t *testing.T) {
	if got := PercentWorse(200, 230, true); math.Abs(got-15) > 1e-9 {
		t.Errorf("MAE 200 s → 230 s: PercentWorse = %.3f, want 15 (%% worse)", got)
	}
	if got := PercentWorse(0.80, 0.72, false); math.Abs(got-10) > 1e-9 {
		t.Errorf("accuracy 0.80 → 0.72: PercentWorse = %.3f, want 10 (higher is better, so a fall is worse)", got)
	}
	if got := PercentWorse(20, 15, true); math.Abs(got+25) > 1e-9 {
		t.Errorf("mean rank 20 → 15: PercentWorse = %.3f, want -25 (better is negative)", got)
	}
}

func TestExMergeLoRA(t *testing.T) {
	W := [][]float64{{1, 0, 2}, {0, 1, -1}} // in 2, out 3
	A := [][]float64{{1}, {2}}              // r = 1
	B := [][]float64{{0.5, -1, 0}}
	got := MergeLoRAWeights(W, A, B, 2) // α/r = 2
	want := [][]float64{{2, -2, 2}, {2, -3, -1}}
	for i := range want {
		for j := range want[i] {
			if len(got) != 2 || len(got[i]) != 3 || math.Abs(got[i][j]-want[i][j]) > 1e-12 {
				t.Fatalf("MergeLoRAWeights = %v, want %v (W + 2·A·B)", got, want)
			}
		}
	}
	if W[0][0] != 1 {
		t.Errorf("MergeLoRAWeights changed W (W[0][0] = %v): return a new matrix", W[0][0])
	}
	// x·W' = x·W + (α/r)·(x·A)·B for any x, at rank 2 too.
	A2, B2 := [][]float64{{1, -1}, {0.5, 2}}, [][]float64{{1, 0, 1}, {0, 1, 1}}
	m, x := MergeLoRAWeights(W, A2, B2, 3), []float64{0.3, -0.7}
	for j := 0; j < 3; j++ {
		lhs, rhs := 0.0, 0.0
		for i := range x {
			lhs += x[i] * m[i][j]
			rhs += x[i] * W[i][j]
			for k := range B2 {
				rhs += 1.5 * x[i] * A2[i][k] * B2[k][j]
			}
		}
		if math.Abs(lhs-rhs) > 1e-12 {
			t.Errorf("column %d: x·W' = %.4f, x·W + (α/r)(x·A)·B = %.4f", j, lhs, rhs)
		}
	}
}

func TestExEWCValue(t *testing.T) {
	theta, anchor := []float64{1, 2, 3}, []float64{0, 2, 1}
	if got := EWCValue(theta, anchor, []float64{2, 5, 0.5}, 4); math.Abs(got-8) > 1e-12 {
		t.Errorf("EWCValue = %v, want 8 ((4/2)·(2·1 + 5·0 + 0.5·4))", got)
	}
	if got := EWCValue(theta, anchor, []float64{1, 1, 1}, 1); math.Abs(got-2.5) > 1e-12 {
		t.Errorf("Fisher all 1 (L2-SP): EWCValue = %v, want 2.5 ((1/2)·(1 + 0 + 4))", got)
	}
	if got := EWCValue(theta, anchor, []float64{0, 0, 0}, 10); got != 0 {
		t.Errorf("Fisher all 0: EWCValue = %v, want 0 (unimportant weights move freely)", got)
	}
}
