// Package ch10 holds the reference solutions of chapter 10's exercises (notebooks/10_hybrid.ipynb).
package ch10

import (
	"math"

	"github.com/gomlx/gomlx/core/graph"

	"github.com/tfm-course/course/tfm/pretrain"
)

// DWAWeights are dynamic weight averaging's task weights (pretrain.DWA):
// r_k = last[k]/before[k], the ratio of task k's mean loss over the last
// window to its mean over the window before, and
// w_k = exp(r_k/T) / Σ_j exp(r_j/T), so a task whose loss fell slowly
// gets more weight and the weights sum to 1.
func DWAWeights(last, before []float64, T float64) []float64 {
	w := make([]float64, len(last))
	sum := 0.0
	for k := range last {
		w[k] = math.Exp(last[k] / before[k] / T)
		sum += w[k]
	}
	for k := range w {
		w[k] /= sum
	}
	return w
}

// UncertaintyLoss is the loss of homoscedastic-uncertainty weighting
// (pretrain.Uncertainty): Σ_k ½·exp(−s_k)·L_k + ½·s_k for task losses L and
// learned log-variances s.
func UncertaintyLoss(losses, logVars []float64) float64 {
	total := 0.0
	for k, l := range losses {
		total += 0.5*math.Exp(-logVars[k])*l + 0.5*logVars[k]
	}
	return total
}

// MinNorm is MGDA for two tasks (Sener & Koltun 2018): the update is the
// point of smallest norm on the segment between the two gradients,
//
//	α = clip(((g₁ − g₀)·g₁) / ‖g₀ − g₁‖², 0, 1),   Δθ = α·g₀ + (1−α)·g₁
//
// (sums over every shared parameter), a direction that lowers both losses
// whenever one exists. The losses are weighted α and 1−α for the heads.
type MinNorm struct{}

func (MinNorm) Name() string { return "min-norm" }

func (MinNorm) Balance(s pretrain.BalanceStep) pretrain.Balance {
	g0, g1 := s.Grads[0], s.Grads[1]
	var num, den *graph.Node
	for i := range g0 {
		d := graph.Sub(g0[i], g1[i])
		n, m := graph.ReduceAllSum(graph.Mul(graph.Neg(d), g1[i])), graph.ReduceAllSum(graph.Square(d))
		if num == nil {
			num, den = n, m
		} else {
			num, den = graph.Add(num, n), graph.Add(den, m)
		}
	}
	alpha := graph.StopGradient(graph.ClipScalar(graph.Div(num, graph.MaxScalar(den, 1e-20)), 0, 1))
	beta := graph.OneMinus(alpha)
	shared := make([]*graph.Node, len(g0))
	for i := range g0 {
		shared[i] = graph.Add(graph.Mul(alpha, g0[i]), graph.Mul(beta, g1[i]))
	}
	return pretrain.Balance{
		Weights: []*graph.Node{alpha, beta},
		Total:   graph.Add(graph.Mul(alpha, s.Losses[0]), graph.Mul(beta, s.Losses[1])),
		Shared:  shared,
	}
}
