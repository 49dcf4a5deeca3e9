// Package ch15 holds the reference solutions of chapter 15's exercises (notebooks/15_responsible.ipynb).
package ch15

import "math"

// DemographicParityDifference is the spread, over the groups, of the share
// of examples predicted as class c: max_g P(ŷ = c | g) − min_g P(ŷ = c | g).
// 0 means every group is predicted c equally often, whatever the truth.
func DemographicParityDifference(pred []int, groups []string, c int) float64 {
	hit, all := map[string]int{}, map[string]int{}
	for i, p := range pred {
		all[groups[i]]++
		if p == c {
			hit[groups[i]]++
		}
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for g, n := range all {
		r := float64(hit[g]) / float64(n)
		lo, hi = math.Min(lo, r), math.Max(hi, r)
	}
	if len(all) == 0 {
		return 0
	}
	return hi - lo
}

// AttentionFLOPs is the forward cost of self-attention's core over L
// positions of width D in H heads, by the course's convention (a
// multiply-add is 2 FLOPs, an element-wise op 1): the scores Q_h·K_hᵀ
// (2·L²·D) and their 1/√(D/H) scale (H·L²), the softmax (4 per score:
// max, exp, sum, divide) and the weighted sum A_h·V_h (2·L²·D).
func AttentionFLOPs(L, D, H int) float64 {
	l, d, h := float64(L), float64(D), float64(H)
	return 2*l*l*d + h*l*l + 4*h*l*l + 2*l*l*d
}

// DROStep is one step of online group DRO's weights: q_g ← q_g·exp(η·L_g),
// renormalised to sum to 1 — the groups with the larger loss gain weight.
func DROStep(q, groupLoss []float64, eta float64) []float64 {
	out := make([]float64, len(q))
	var s float64
	for g := range q {
		out[g] = q[g] * math.Exp(eta*groupLoss[g])
		s += out[g]
	}
	for g := range out {
		out[g] /= s
	}
	return out
}
