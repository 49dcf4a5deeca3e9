package ch09

import (
	"fmt"
	"math"
	"testing"
)

func TestExMaskedMSE(t *testing.T) {
	target := [][]float64{{0, 0}, {1, 1}, {2, 2}, {3, 3}}
	pred := [][]float64{{5, 5}, {1, 3}, {2, 2}, {9, 9}}
	mask := []bool{false, true, true, false}
	// Masked steps 1 and 2: squared errors (0, 4) and (0, 0) → 4 / 4 values.
	if got := MaskedMSE(pred, target, mask); math.Abs(got-1) > 1e-12 {
		t.Errorf("MaskedMSE = %v, want 1 (only masked steps count; the visible ones are free)", got)
	}
	if got := MaskedMSE(pred, target, make([]bool, 4)); got != 0 {
		t.Errorf("MaskedMSE with nothing masked = %v, want 0", got)
	}
}

func TestExMaskSpans(t *testing.T) {
	got := fmt.Sprint(MaskSpans(10, 3, []int{1, 8}))
	want := fmt.Sprint([]bool{false, true, true, true, false, false, false, false, true, true})
	if got != want {
		t.Errorf("MaskSpans(10, 3, [1 8]) = %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(MaskSpans(5, 2, []int{0, 1})), fmt.Sprint([]bool{true, true, true, false, false}); got != want {
		t.Errorf("MaskSpans(5, 2, [0 1]) = %s, want %s (overlapping spans)", got, want)
	}
}
