package pretrain

import (
	"math"
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

func run1[F ExecGraphFnOneOutput](t *testing.T, fn F, args ...any) float64 {
	t.Helper()
	be := testBackend(t)
	out := MustExecOnce(be, fn, args...)
	return float64(tensors.MustCopyFlatData[float32](out)[0])
}

// InfoNCE on 3 query/key pairs, computed by hand.
func TestInfoNCEByHand(t *testing.T) {
	q := [][]float32{{1, 0}, {0, 1}, {1, 1}}
	k := [][]float32{{1, 0}, {0, 1}, {0, 0}}
	tau := 0.5
	// logits_ij = q_i·k_j / τ:
	//   row 0: [2, 0, 0]  positive 2
	//   row 1: [0, 2, 0]  positive 2
	//   row 2: [2, 2, 0]  positive 0
	l0 := -(2 - math.Log(math.Exp(2)+2))
	l2 := -(0 - math.Log(2*math.Exp(2)+1))
	want := (2*l0 + l2) / 3
	got := run1(t, func(q, k *Node) *Node { return InfoNCE(q, k, tau) }, q, k)
	if math.Abs(got-want) > 1e-5 {
		t.Fatalf("InfoNCE = %.6f, want %.6f", got, want)
	}
}

// NT-Xent on 2 pairs of unit vectors by hand.
func TestNTXentByHand(t *testing.T) {
	z1 := [][]float32{{1, 0}, {0, 1}}
	z2 := [][]float32{{1, 0}, {0, 1}}
	// z = [e1, e2, e1, e2]; τ = 1. Row 0 sims (self excluded): [−, 0, 1, 0]; positive is 2.
	want := -(1 - math.Log(math.Exp(1)+2)) // identical for all 4 rows
	got := run1(t, func(a, b *Node) *Node { return NTXent(a, b, 1) }, z1, z2)
	if math.Abs(got-want) > 1e-5 {
		t.Fatalf("NTXent = %.6f, want %.6f", got, want)
	}
}

// Masked cross-entropy on a batch of 1×3 steps, 2 masked.
func TestMaskedCrossEntropyByHand(t *testing.T) {
	logits := [][][]float32{{{0, 0, 0}, {1, 0, 0}, {5, 5, 5}}}
	targets := [][]int32{{2, 0, 1}}
	mask := [][]bool{{true, true, false}}
	// step 0: uniform over 3 → log 3; step 1: −log(e/(e+2)).
	want := (math.Log(3) + -(1 - math.Log(math.E+2))) / 2
	got := run1(t, func(l, y, m *Node) *Node { return MaskedCrossEntropy(l, y, m) }, logits, targets, mask)
	if math.Abs(got-want) > 1e-5 {
		t.Fatalf("MaskedCrossEntropy = %.6f, want %.6f", got, want)
	}
}

func TestMaskedSquaredErrorMetres(t *testing.T) {
	pred := [][][]float32{{{1, 1}, {0, 0}}}
	target := [][][]float32{{{0, 0}, {9, 9}}}
	mask := [][]bool{{true, false}}
	// (1² + 1²)·100² over the one masked step.
	got := run1(t, func(p, y, m *Node) *Node { return MaskedSquaredError(p, y, m, 100) }, pred, target, mask)
	if math.Abs(got-20000) > 1e-2 {
		t.Fatalf("MaskedSquaredError = %v, want 20000", got)
	}
}
