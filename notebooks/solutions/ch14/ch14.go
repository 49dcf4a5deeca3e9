// Package ch14 holds the reference solutions of chapter 14's exercises (notebooks/14_continual.ipynb).
package ch14

// PercentWorse is how much worse after is than before, in % of before:
// 100·(after − before)/before when lower is better, 100·(before −
// after)/before when higher is better. Positive is worse.
func PercentWorse(before, after float64, lowerIsBetter bool) float64 {
	if lowerIsBetter {
		return 100 * (after - before) / before
	}
	return 100 * (before - after) / before
}

// MergeLoRAWeights is W + (α/r)·A·B: W [in][out], A [in][r], B [r][out],
// r = len(B). W is not changed.
func MergeLoRAWeights(W, A, B [][]float64, alpha float64) [][]float64 {
	scale := alpha / float64(len(B))
	out := make([][]float64, len(W))
	for i, row := range W {
		out[i] = append([]float64(nil), row...)
		for j := range row {
			for k := range B {
				out[i][j] += scale * A[i][k] * B[k][j]
			}
		}
	}
	return out
}

// EWCValue is the EWC penalty (λ/2)·Σ_i F_i·(θ_i − θ*_i)² of weights theta
// against their anchors with Fisher information fisher.
func EWCValue(theta, anchor, fisher []float64, lambda float64) float64 {
	sum := 0.0
	for i := range theta {
		d := theta[i] - anchor[i]
		sum += fisher[i] * d * d
	}
	return lambda / 2 * sum
}
