package ch10

import (
	"math"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/tfm-course/course/tfm/backend"
	"github.com/tfm-course/course/tfm/pretrain"
)

func TestExDWAWeights(t *testing.T) {
	w := DWAWeights([]float64{0.5, 0.5}, []float64{1, 1}, 2)
	if len(w) != 2 || math.Abs(w[0]-0.5) > 1e-12 || math.Abs(w[1]-0.5) > 1e-12 {
		t.Fatalf("DWAWeights with equal rates = %v, want [0.5 0.5]", w)
	}
	// Task 0 halved its loss, task 1 barely moved: task 1 gets more weight; the weights sum to 1.
	w = DWAWeights([]float64{0.5, 0.99}, []float64{1, 1}, 2)
	e0, e1 := math.Exp(0.25), math.Exp(0.495)
	if len(w) != 2 || math.Abs(w[0]-e0/(e0+e1)) > 1e-12 || math.Abs(w[1]-e1/(e0+e1)) > 1e-12 {
		t.Errorf("DWAWeights = %v, want [%.4f %.4f]", w, e0/(e0+e1), e1/(e0+e1))
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

func TestExMinNorm(t *testing.T) {
	// Runs a pretrain.Balancer on two given gradients (one shared parameter of 2 values) and losses.
	run := func(b pretrain.Balancer, g0, g1 []float32) (w [2]float64, update []float32) {
		res := model.MustNewExec(backend.MustNew(), model.NewStore(), func(scope *model.Scope, a, c *graph.Node) []*graph.Node {
			l := []*graph.Node{graph.ReduceAllSum(a), graph.ReduceAllSum(c)} // any scalars: MinNorm reads the gradients
			bal := b.Balance(pretrain.BalanceStep{Scope: scope, Losses: l, Grads: [][]*graph.Node{{a}, {c}}})
			if len(bal.Weights) != 2 || len(bal.Shared) != 1 {
				panic("MinNorm must return two weights and one update per shared parameter")
			}
			return []*graph.Node{bal.Weights[0], bal.Weights[1], bal.Shared[0]}
		}).MustExec(g0, g1)
		w = [2]float64{float64(tensors.MustCopyFlatData[float32](res[0])[0]), float64(tensors.MustCopyFlatData[float32](res[1])[0])}
		return w, tensors.MustCopyFlatData[float32](res[2])
	}
	dot := func(a, b []float32) float64 { return float64(a[0]*b[0] + a[1]*b[1]) }
	// Conflicting gradients: the min-norm point lowers both losses (Δθ·g_k ≥ ‖Δθ‖² > 0).
	g0, g1 := []float32{-1.4, 0.4}, []float32{0.6, -3.6}
	w, u := run(MinNorm{}, g0, g1)
	if math.Abs(w[0]+w[1]-1) > 1e-5 || w[0] < 0 || w[1] < 0 {
		t.Fatalf("weights %v: want α and 1−α in [0, 1]", w)
	}
	for k, g := range [][]float32{g0, g1} {
		if d := dot(u, g); d < dot(u, u)-1e-4 || d <= 0 {
			t.Errorf("Δθ = %v against g_%d = %v: Δθ·g = %.4f, want ≥ ‖Δθ‖² = %.4f > 0", u, k, g, d, dot(u, u))
		}
	}
	// One gradient inside the other's reach: the smaller one alone (α = 1).
	if w, u := run(MinNorm{}, []float32{1, 0}, []float32{3, 0}); math.Abs(w[0]-1) > 1e-5 || math.Abs(float64(u[0])-1) > 1e-5 {
		t.Errorf("g₀ = (1, 0), g₁ = (3, 0): weights %v, update %v, want α = 1 and Δθ = g₀", w, u)
	}
}
