// Package ch04 holds the reference solutions of chapter 4's exercises (notebooks/04_road.ipynb).
package ch04

import "math"

// EmissionLogProb is the map matcher's log-probability that a fix d metres
// from a candidate road was recorded on it, with GPS noise sigma metres:
// −½(d/σ)² (roadnet.MatchConfig.Sigma; constants dropped).
func EmissionLogProb(d, sigma float64) float64 { return -0.5 * (d / sigma) * (d / sigma) }

// TransitionLogProb is the log-probability of moving between two candidates
// along a route of route metres when the fixes are straight metres apart:
// −|route − straight|/β (roadnet.MatchConfig.Beta).
func TransitionLogProb(route, straight, beta float64) float64 {
	return -math.Abs(route-straight) / beta
}

// Viterbi returns the most likely candidate of every step: emit[t][i] is the
// emission log-probability of candidate i at step t, trans[t][i][j] the
// transition log-probability from candidate i at step t to candidate j at
// step t+1. The best path maximises the sum of both along it; ties go to the
// lower index.
func Viterbi(emit [][]float64, trans [][][]float64) []int {
	if len(emit) == 0 {
		return nil
	}
	score := append([]float64(nil), emit[0]...)
	var back [][]int
	for t := 1; t < len(emit); t++ {
		next := make([]float64, len(emit[t]))
		from := make([]int, len(emit[t]))
		for j := range emit[t] {
			next[j] = math.Inf(-1)
			for i := range score {
				if s := score[i] + trans[t-1][i][j]; s > next[j] {
					next[j], from[j] = s, i
				}
			}
			next[j] += emit[t][j]
		}
		score = next
		back = append(back, from)
	}
	best := 0
	for j := range score {
		if score[j] > score[best] {
			best = j
		}
	}
	path := make([]int, len(emit))
	path[len(emit)-1] = best
	for t := len(emit) - 1; t > 0; t-- {
		path[t-1] = back[t-1][path[t]]
	}
	return path
}
