// Package ch10 holds the reference solutions of chapter 10's exercises (notebooks/10_hybrid.ipynb).
package ch10

import "math"

// DWAWeights are dynamic weight averaging's task weights (pretrain.DWA):
// r_k = last[k]/before[k], the ratio of each task's loss at the last step to
// the step before, and w_k = K·exp(r_k/T) / Σ_j exp(r_j/T), so a task whose
// loss fell slowly gets more weight and the weights sum to K.
func DWAWeights(last, before []float64, T float64) []float64 {
	w := make([]float64, len(last))
	sum := 0.0
	for k := range last {
		w[k] = math.Exp(last[k] / before[k] / T)
		sum += w[k]
	}
	for k := range w {
		w[k] *= float64(len(w)) / sum
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
