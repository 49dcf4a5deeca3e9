// Package ch11 holds the reference solutions of chapter 11's exercises (notebooks/11_causal.ipynb).
package ch11

// BackdoorAdjust is P(y | do(x)) by the backdoor adjustment over a
// confounder z: Σ_z P(y | x, z)·P(z), with pYgivenXZ[z] = P(y | x, z) and
// pZ[z] = P(z) (not P(z | x): that is the confounded, observational mix).
func BackdoorAdjust(pYgivenXZ, pZ map[string]float64) float64 {
	total := 0.0
	for z, p := range pZ {
		total += pYgivenXZ[z] * p
	}
	return total
}

// WorstGroupAccuracy is the lowest accuracy over the groups (e.g. districts):
// a model that leans on a shortcut does well on average and badly on the
// group where the shortcut fails.
func WorstGroupAccuracy(pred, label []int, group []string) float64 {
	right, all := map[string]int{}, map[string]int{}
	for i := range pred {
		all[group[i]]++
		if pred[i] == label[i] {
			right[group[i]]++
		}
	}
	worst := 1.0
	for g, n := range all {
		worst = min(worst, float64(right[g])/float64(n))
	}
	return worst
}
