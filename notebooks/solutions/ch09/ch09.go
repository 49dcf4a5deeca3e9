// Package ch09 holds the reference solutions of chapter 9's exercises (notebooks/09_generative.ipynb).
package ch09

// MaskedMSE is the reconstruction loss of masked pre-training: the mean
// squared error between pred and target (steps × features) over the masked
// steps only (mask[t] true), averaged over those steps and all features.
// With no masked step it is 0.
func MaskedMSE(pred, target [][]float64, mask []bool) float64 {
	sum, n := 0.0, 0
	for t, hidden := range mask {
		if !hidden {
			continue
		}
		for k := range target[t] {
			d := pred[t][k] - target[t][k]
			sum += d * d
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// MaskSpans hides, for each start in starts, span consecutive steps beginning
// there (clipped at n): the "span" strategy, which hides whole stretches so
// the model cannot just interpolate between neighbours.
func MaskSpans(n, span int, starts []int) []bool {
	mask := make([]bool, n)
	for _, s := range starts {
		for t := s; t < s+span && t < n; t++ {
			if t >= 0 {
				mask[t] = true
			}
		}
	}
	return mask
}
