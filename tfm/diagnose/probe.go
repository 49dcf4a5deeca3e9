package diagnose

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
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

// LinearProbe fits a multinomial logistic regression (softmax of W·x + b,
// L2 weight 1e-3, full-batch gradient descent on standardised features) on
// a random trainFrac of the (embedding, label) pairs and reports accuracy on
// the rest. Rows with an empty label are skipped. Deterministic in seed.
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
	_, d, err := shape(x)
	if err != nil {
		return Probe{}, err
	}
	classes := map[string]int{}
	var names []string
	for _, l := range y {
		if _, ok := classes[l]; !ok {
			classes[l] = 0
			names = append(names, l)
		}
	}
	sort.Strings(names)
	for i, n := range names {
		classes[n] = i
	}
	K := len(names)
	if K < 2 {
		return Probe{}, fmt.Errorf("diagnose: probe needs ≥ 2 classes, got %d", K)
	}
	rng := rand.New(rand.NewPCG(seed, 11))
	perm := rng.Perm(len(x))
	nTrain := int(trainFrac * float64(len(x)))
	if nTrain < 1 || nTrain >= len(x) {
		return Probe{}, fmt.Errorf("diagnose: train fraction %.2f of %d rows leaves an empty split", trainFrac, len(x))
	}
	// Standardise with training statistics.
	mean, std := make([]float64, d), make([]float64, d)
	for _, i := range perm[:nTrain] {
		for j := 0; j < d; j++ {
			mean[j] += float64(x[i][j]) / float64(nTrain)
		}
	}
	for _, i := range perm[:nTrain] {
		for j := 0; j < d; j++ {
			v := float64(x[i][j]) - mean[j]
			std[j] += v * v / float64(nTrain)
		}
	}
	for j := range std {
		std[j] = math.Sqrt(std[j]) + 1e-6
	}
	feat := func(i int) []float64 {
		f := make([]float64, d)
		for j := range f {
			f[j] = (float64(x[i][j]) - mean[j]) / std[j]
		}
		return f
	}
	W := make([][]float64, K)
	for k := range W {
		W[k] = make([]float64, d+1)
	}
	train := make([][]float64, nTrain)
	ty := make([]int, nTrain)
	for n, i := range perm[:nTrain] {
		train[n], ty[n] = feat(i), classes[y[i]]
	}
	logits := func(f []float64) []float64 {
		z := make([]float64, K)
		for k := range z {
			z[k] = W[k][d]
			for j, v := range f {
				z[k] += W[k][j] * v
			}
		}
		return z
	}
	const lr, l2 = 0.5, 1e-3
	grad := make([][]float64, K)
	for k := range grad {
		grad[k] = make([]float64, d+1)
	}
	for it := 0; it < 300; it++ {
		for k := range grad {
			clear(grad[k])
		}
		for n, f := range train {
			p := softmax(logits(f))
			p[ty[n]]--
			for k := range p {
				for j, v := range f {
					grad[k][j] += p[k] * v
				}
				grad[k][d] += p[k]
			}
		}
		for k := range W {
			for j := range W[k] {
				g := grad[k][j] / float64(nTrain)
				if j < d {
					g += l2 * W[k][j]
				}
				W[k][j] -= lr * g
			}
		}
	}
	count := make([]int, K)
	for _, c := range ty {
		count[c]++
	}
	major := 0
	for k := range count {
		if count[k] > count[major] {
			major = k
		}
	}
	p := Probe{Classes: K, Train: nTrain, Test: len(x) - nTrain}
	for _, i := range perm[nTrain:] {
		z := logits(feat(i))
		best := 0
		for k := range z {
			if z[k] > z[best] {
				best = k
			}
		}
		if best == classes[y[i]] {
			p.Accuracy++
		}
		if classes[y[i]] == major {
			p.Majority++
		}
	}
	p.Accuracy /= float64(p.Test)
	p.Majority /= float64(p.Test)
	return p, nil
}

// ContextualBias probes for the confounder (e.g. district type): an
// accuracy far above the majority baseline means the representation
// encodes the context, the route by which a spurious label can leak in.
func ContextualBias(emb [][]float32, contexts []string, seed uint64) (Probe, error) {
	return LinearProbe(emb, contexts, 0.7, seed)
}

func softmax(z []float64) []float64 {
	m := z[0]
	for _, v := range z {
		m = math.Max(m, v)
	}
	s := 0.0
	out := make([]float64, len(z))
	for i, v := range z {
		out[i] = math.Exp(v - m)
		s += out[i]
	}
	for i := range out {
		out[i] /= s
	}
	return out
}
