package ch13

import (
	"math"
	"testing"
)

func TestExSymmetricInfoNCE(t *testing.T) {
	// Two trips, perfectly told apart in both directions: each row's and
	// column's softmax gives its own pair e^2/(e^2 + e^0).
	s := [][]float64{{2, 0}, {0, 2}}
	want := math.Log(1 + math.Exp(-2))
	if got := SymmetricInfoNCE(s, []bool{true, true}); math.Abs(got-want) > 1e-9 {
		t.Errorf("SymmetricInfoNCE = %.6f, want log(1 + e^−2) = %.6f", got, want)
	}
	// Asymmetric logits: the row and column terms differ, the loss averages them.
	a := [][]float64{{1, 3}, {0, 2}}
	row0 := math.Log(math.Exp(1)+math.Exp(3)) - 1
	col0 := math.Log(math.Exp(1)+math.Exp(0)) - 1
	row1 := math.Log(math.Exp(0)+math.Exp(2)) - 2
	col1 := math.Log(math.Exp(3)+math.Exp(2)) - 2
	want = (0.5*(row0+col0) + 0.5*(row1+col1)) / 2
	if got := SymmetricInfoNCE(a, []bool{true, true}); math.Abs(got-want) > 1e-9 {
		t.Errorf("asymmetric logits: SymmetricInfoNCE = %.6f, want %.6f (½ of the row term plus ½ of the column term, averaged)", got, want)
	}
	// A trip without both views is neither a query nor a candidate: with
	// trip 2 invalid the loss is the two-trip loss above, whatever its logits.
	m := [][]float64{{2, 0, 9}, {0, 2, 9}, {9, 9, 9}}
	want = math.Log(1 + math.Exp(-2))
	if got := SymmetricInfoNCE(m, []bool{true, true, false}); math.Abs(got-want) > 1e-9 {
		t.Errorf("trip 2 invalid: SymmetricInfoNCE = %.6f, want %.6f (mask trip 2 out of the softmax too)", got, want)
	}
	if got := SymmetricInfoNCE(m, []bool{false, false, false}); got != 0 {
		t.Errorf("no valid trip: SymmetricInfoNCE = %v, want 0", got)
	}
	// Large logits must not overflow.
	big := [][]float64{{1000, 0}, {0, 1000}}
	if got := SymmetricInfoNCE(big, []bool{true, true}); math.IsNaN(got) || math.IsInf(got, 0) || got > 1e-9 {
		t.Errorf("logits of 1000: SymmetricInfoNCE = %v, want ≈ 0 (stabilise the log-sum-exp by the maximum)", got)
	}
}

func TestExRecallAtK(t *testing.T) {
	sim := [][]float64{
		{0.9, 0.1, 0.2, 0.0}, // own first: rank 1
		{0.8, 0.5, 0.7, 0.1}, // two above: rank 3
		{0.3, 0.3, 0.3, 0.3}, // all tied: rank 1 (ties in its favour)
		{0.9, 0.8, 0.7, 0.1}, // last: rank 4
	}
	r1, mr := RecallAtK(sim, 1)
	if math.Abs(r1-0.5) > 1e-12 || math.Abs(mr-2.25) > 1e-12 {
		t.Errorf("RecallAtK(k=1) = %.3f, mean rank %.3f; want 0.5 and 2.25 (ranks 1, 3, 1, 4)", r1, mr)
	}
	if r3, _ := RecallAtK(sim, 3); math.Abs(r3-0.75) > 1e-12 {
		t.Errorf("RecallAtK(k=3) = %.3f, want 0.75", r3)
	}
}

func TestExMannWhitneyAUC(t *testing.T) {
	if got := MannWhitneyAUC([]float64{0.9, 0.8}, []float64{0.1, 0.2}); got != 1 {
		t.Errorf("separated: AUC = %v, want 1", got)
	}
	if got := MannWhitneyAUC([]float64{0.1}, []float64{0.9}); got != 0 {
		t.Errorf("reversed: AUC = %v, want 0", got)
	}
	// Pairs: (0.5 vs 0.5) tie ½, (0.5 vs 0.2) win, (0.7 vs 0.5) win, (0.7 vs 0.2) win → 3.5/4.
	if got := MannWhitneyAUC([]float64{0.5, 0.7}, []float64{0.5, 0.2}); math.Abs(got-0.875) > 1e-12 {
		t.Errorf("with a tie: AUC = %v, want 0.875 (a tie counts ½)", got)
	}
	if got := MannWhitneyAUC([]float64{0.3, 0.3}, []float64{0.3}); got != 0.5 {
		t.Errorf("all tied: AUC = %v, want 0.5", got)
	}
	if got := MannWhitneyAUC(nil, []float64{1}); !math.IsNaN(got) {
		t.Errorf("no intact pair: AUC = %v, want NaN", got)
	}
}
