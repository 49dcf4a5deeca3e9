package ch04

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestExLogProbs(t *testing.T) {
	if got := EmissionLogProb(20, 10); math.Abs(got+2) > 1e-12 {
		t.Errorf("EmissionLogProb(20 m, σ 10 m) = %v, want −2 (two sigmas away)", got)
	}
	if EmissionLogProb(0, 10) != 0 || EmissionLogProb(5, 10) <= EmissionLogProb(6, 10) {
		t.Errorf("EmissionLogProb must be 0 on the road and fall with the distance")
	}
	if got := TransitionLogProb(350, 300, 25); math.Abs(got+2) > 1e-12 {
		t.Errorf("TransitionLogProb(route 350 m, straight 300 m, β 25 m) = %v, want −2", got)
	}
	if got := TransitionLogProb(250, 300, 25); math.Abs(got+2) > 1e-12 {
		t.Errorf("TransitionLogProb(route 250 m, straight 300 m, β 25 m) = %v, want −2 (|route − straight|)", got)
	}
}

// bruteBest tries every path of the lattice.
func bruteBest(emit [][]float64, trans [][][]float64) []int {
	var best []int
	bestScore := math.Inf(-1)
	path := make([]int, len(emit))
	var walk func(t int, s float64)
	walk = func(t int, s float64) {
		if t == len(emit) {
			if s > bestScore {
				bestScore, best = s, slices.Clone(path)
			}
			return
		}
		for j := range emit[t] {
			path[t] = j
			add := emit[t][j]
			if t > 0 {
				add += trans[t-1][path[t-1]][j]
			}
			walk(t+1, s+add)
		}
	}
	walk(0, 0)
	return best
}

func TestExViterbi(t *testing.T) {
	// Greedy picks candidate 0 at step 0 (−1 > −2), but only candidate 1 connects cheaply to step 1's best.
	emit := [][]float64{{-1, -2}, {-5, -0.5}}
	trans := [][][]float64{{{-0.1, -9}, {-0.1, -0.1}}}
	if got := Viterbi(emit, trans); !slices.Equal(got, []int{1, 1}) {
		t.Errorf("Viterbi on the two-step lattice = %v, want [1 1]", got)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 200; trial++ {
		steps, k := 2+rng.IntN(4), 1+rng.IntN(4)
		emit := make([][]float64, steps)
		trans := make([][][]float64, steps-1)
		for s := range emit {
			emit[s] = make([]float64, k)
			for i := range emit[s] {
				emit[s][i] = -10 * rng.Float64()
			}
			if s < steps-1 {
				trans[s] = make([][]float64, k)
				for i := range trans[s] {
					trans[s][i] = make([]float64, k)
					for j := range trans[s][i] {
						trans[s][i][j] = -10 * rng.Float64()
					}
				}
			}
		}
		if got, want := Viterbi(emit, trans), bruteBest(emit, trans); !slices.Equal(got, want) {
			t.Fatalf("Viterbi = %v, want %v (the best of all %d^%d paths) on emit %v", got, want, k, steps, emit)
		}
	}
}
