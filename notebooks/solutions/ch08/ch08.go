// Package ch08 holds the reference solutions of chapter 8's exercises (notebooks/08_contrastive.ipynb).
package ch08

import "math"

// InfoNCE is the contrastive loss of a similarity matrix: row i is anchor i,
// column i its positive, the other columns its negatives. It is the mean over
// rows of −log softmax(sim[i]/τ)[i].
func InfoNCE(sim [][]float64, tau float64) float64 {
	total := 0.0
	for i, row := range sim {
		top := math.Inf(-1)
		for _, s := range row {
			top = max(top, s/tau)
		}
		sum := 0.0
		for _, s := range row {
			sum += math.Exp(s/tau - top)
		}
		total += -(row[i]/tau - top - math.Log(sum))
	}
	return total / float64(len(sim))
}

// Uniformity (Wang & Isola 2020) of L2-normalised embeddings z: the log of the
// mean over pairs i < j of exp(−t·‖z_i − z_j‖²). 0 when everything collapses
// to one point; more negative the more evenly the embeddings spread.
func Uniformity(z [][]float64, t float64) float64 {
	sum, pairs := 0.0, 0
	for i := range z {
		for j := i + 1; j < len(z); j++ {
			d2 := 0.0
			for k := range z[i] {
				d := z[i][k] - z[j][k]
				d2 += d * d
			}
			sum += math.Exp(-t * d2)
			pairs++
		}
	}
	return math.Log(sum / float64(pairs))
}

// SharpTemperature is the temperature that exercise 8.3 asks for: with it,
// the InfoNCE loss of exampleSim (see the check) is below 0.05.
const SharpTemperature = 0.1
