// Package ch13 holds the reference solutions of chapter 13's exercises (notebooks/13_multimodal.ipynb).
package ch13

import (
	"math"
	"sort"
)

// SymmetricInfoNCE is CLIP's loss on a matrix of logits s (s[i][j]: view a
// of trip i against view b of trip j, already divided by τ) with a validity
// mask: only trips with valid[i] are queries and candidates,
//
//	L = mean_{i valid} ½[−log softmax_{j valid}(s_i·)_i − log softmax_{j valid}(s_·i)_i]
//
// (0 when no trip is valid).
func SymmetricInfoNCE(s [][]float64, valid []bool) float64 {
	lse := func(xs []float64) float64 {
		m := math.Inf(-1)
		for _, x := range xs {
			m = math.Max(m, x)
		}
		sum := 0.0
		for _, x := range xs {
			sum += math.Exp(x - m)
		}
		return m + math.Log(sum)
	}
	total, n := 0.0, 0
	for i := range s {
		if !valid[i] {
			continue
		}
		var row, col []float64
		for j := range s {
			if valid[j] {
				row, col = append(row, s[i][j]), append(col, s[j][i])
			}
		}
		total += 0.5 * ((lse(row) - s[i][i]) + (lse(col) - s[i][i]))
		n++
	}
	if n == 0 {
		return 0
	}
	return total / float64(n)
}

// RecallAtK ranks, for each query i (row i of the similarity matrix sim,
// higher is closer), every candidate j; the own candidate is j = i. Its rank
// is 1 + the number of candidates strictly more similar (ties in its
// favour). It returns the share of queries whose own candidate ranks
// within the first k, and the mean rank.
func RecallAtK(sim [][]float64, k int) (recall, meanRank float64) {
	if len(sim) == 0 {
		return 0, 0
	}
	hits, sum := 0, 0
	for i, row := range sim {
		r := 1
		for _, v := range row {
			if v > row[i] {
				r++
			}
		}
		if r <= k {
			hits++
		}
		sum += r
	}
	n := float64(len(sim))
	return float64(hits) / n, float64(sum) / n
}

// MannWhitneyAUC is the probability that an intact pair scores above a
// desynced one, ties counting ½ (NaN when either list is empty).
func MannWhitneyAUC(intact, desynced []float64) float64 {
	if len(intact) == 0 || len(desynced) == 0 {
		return math.NaN()
	}
	d := append([]float64(nil), desynced...)
	sort.Float64s(d)
	wins := 0.0
	for _, v := range intact {
		below := sort.SearchFloat64s(d, v)                                // desynced < v
		upto := sort.Search(len(d), func(i int) bool { return d[i] > v }) // desynced ≤ v
		wins += float64(below) + 0.5*float64(upto-below)
	}
	return wins / float64(len(intact)*len(desynced))
}
