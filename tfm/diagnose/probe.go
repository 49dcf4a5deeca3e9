package diagnose

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"

	"github.com/tfm-course/course/tfm/tasks"
)

// Probe is the result of a linear probe on frozen embeddings.
type Probe struct {
	Label    string  `json:"label"`
	Accuracy float64 `json:"accuracy"` // on the held-out part
	Majority float64 `json:"majority"` // accuracy of always predicting the most common class
	Classes  int     `json:"classes"`
	Train    int     `json:"train"`
	Test     int     `json:"test"`
}

// LinearProbe trains the course's one linear probe (tasks.TrainClassifierProbe
// with tasks.LinearProbeConfig: softmax of W·x + b on standardised
// embeddings) on a random trainFrac of the (embedding, label) pairs and
// reports accuracy on the rest. Rows with an empty label are skipped.
// Deterministic in seed.
func LinearProbe(emb [][]float32, labels []string, trainFrac float64, seed uint64) (Probe, error) {
	if len(emb) != len(labels) {
		return Probe{}, fmt.Errorf("diagnose: %d embeddings but %d labels", len(emb), len(labels))
	}
	var x [][]float32
	var y []string
	for i, l := range labels {
		if l != "" {
			x, y = append(x, emb[i]), append(y, l)
		}
	}
	if _, _, err := shape(x); err != nil {
		return Probe{}, err
	}
	names := slices.Sorted(maps.Keys(setOf(y)))
	K := len(names)
	if K < 2 {
		return Probe{}, fmt.Errorf("diagnose: probe needs ≥ 2 classes, got %d", K)
	}
	classes := map[string]int{}
	for i, n := range names {
		classes[n] = i
	}
	rng := rand.New(rand.NewPCG(seed, 11))
	perm := rng.Perm(len(x))
	nTrain := int(trainFrac * float64(len(x)))
	if nTrain < 1 || nTrain >= len(x) {
		return Probe{}, fmt.Errorf("diagnose: train fraction %.2f of %d rows leaves an empty split", trainFrac, len(x))
	}
	split := func(idx []int) (tasks.Matrix, []int, error) {
		rows := make([][]float32, len(idx))
		ys := make([]int, len(idx))
		for k, i := range idx {
			rows[k], ys[k] = x[i], classes[y[i]]
		}
		m, err := tasks.NewMatrix(rows)
		return m, ys, err
	}
	xtr, ytr, err := split(perm[:nTrain])
	if err != nil {
		return Probe{}, err
	}
	xte, yte, err := split(perm[nTrain:])
	if err != nil {
		return Probe{}, err
	}
	cfg := tasks.LinearProbeConfig()
	cfg.Seed, cfg.WeightDecay = int64(seed), 1e-3
	probe, err := tasks.TrainClassifierProbe(xtr, ytr, K, cfg)
	if err != nil {
		return Probe{}, err
	}
	pred, err := probe.PredictClasses(xte)
	if err != nil {
		return Probe{}, err
	}
	count := make([]int, K)
	for _, c := range ytr {
		count[c]++
	}
	major := 0
	for c := range count {
		if count[c] > count[major] {
			major = c
		}
	}
	p := Probe{Classes: K, Train: nTrain, Test: len(yte)}
	for i, c := range yte {
		if pred[i] == c {
			p.Accuracy++
		}
		if c == major {
			p.Majority++
		}
	}
	p.Accuracy /= float64(p.Test)
	p.Majority /= float64(p.Test)
	return p, nil
}

func setOf(xs []string) map[string]bool {
	s := map[string]bool{}
	for _, x := range xs {
		s[x] = true
	}
	return s
}

// ContextualBias probes for the confounder (e.g. district type): an
// accuracy far above the majority baseline means the representation
// encodes the context, the route by which a spurious label can leak in.
func ContextualBias(emb [][]float32, contexts []string, seed uint64) (Probe, error) {
	return LinearProbe(emb, contexts, 0.7, seed)
}
