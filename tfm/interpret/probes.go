package interpret

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/tfm-course/course/tfm/diagnose"
	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/traj"
)

// ProbeRow is one linear probe of a frozen embedding.
type ProbeRow struct {
	Property string  // what is probed, e.g. "mode"
	Kind     string  // "class" or "regression"
	Score    float64 // held-out accuracy (class) or R² (regression)
	Baseline float64 // majority-class accuracy, or 0 (R² of predicting the train mean)
	Metric   string  // "accuracy" or "R²"
	N        int     // trajectories with the property (train + test)
}

// Probe kinds (ProbeRow.Kind).
const (
	KindClass      = "class"
	KindRegression = "regression"
)

// probeTrainFrac is the share of trajectories a probe is trained on.
const probeTrainFrac = 0.7

// Properties are what Probes reads off each trajectory: a class label
// ("" when unknown) or a value (NaN when unknown).
var Properties = []struct {
	Name  string
	Class func(t *traj.Trajectory) string
	Value func(t *traj.Trajectory) float64
}{
	{Name: "mode", Class: func(t *traj.Trajectory) string { return t.Label("mode") }},
	{Name: "district type", Class: func(t *traj.Trajectory) string { return t.Label("district_type_from") }},
	{Name: "time of day", Class: TimeOfDay},
	{Name: "mean speed (m/s)", Value: func(t *traj.Trajectory) float64 {
		if d := t.Duration().Seconds(); d > 0 {
			return t.Length() / d
		}
		return math.NaN()
	}},
	{Name: "trip length (log m)", Value: func(t *traj.Trajectory) float64 {
		if l := t.Length(); l > 0 {
			return math.Log(l)
		}
		return math.NaN()
	}},
}

// TimeOfDay buckets the departure hour (the first point's, in its time
// zone): night 22–6, morning 6–10, midday 10–16, evening 16–22.
func TimeOfDay(t *traj.Trajectory) string {
	if len(t.Points) == 0 || t.Start().IsZero() {
		return ""
	}
	switch h := t.Start().Hour(); {
	case h < 6 || h >= 22:
		return "night"
	case h < 10:
		return "morning"
	case h < 16:
		return "midday"
	}
	return "evening"
}

// Probes embeds ts with m (frozen: m.Embed) and trains one linear probe per
// property (Properties) on a seeded 70 % of the trajectories, scored on the
// rest: classes with diagnose.LinearProbe (softmax regression on
// standardised embeddings; accuracy vs the majority class), values with
// RidgeProbe (R² vs 0). A property fewer than 10 trajectories have, or with
// a single class or value, is left out of the table.
func Probes(m *tfm.Model, ts []*traj.Trajectory, seed uint64) ([]ProbeRow, error) {
	if len(ts) < 10 {
		return nil, fmt.Errorf("interpret: probes need at least 10 trajectories, got %d", len(ts))
	}
	e, err := m.Embed(ts)
	if err != nil {
		return nil, fmt.Errorf("interpret: embedding for the probes: %w", err)
	}
	return ProbesOf(e.RowsSlice(), ts, seed)
}

// ProbesOf is Probes on given embeddings (one row per trajectory).
func ProbesOf(emb [][]float32, ts []*traj.Trajectory, seed uint64) ([]ProbeRow, error) {
	if len(emb) != len(ts) {
		return nil, fmt.Errorf("interpret: %d embeddings for %d trajectories", len(emb), len(ts))
	}
	var rows []ProbeRow
	for _, p := range Properties {
		if p.Class != nil {
			labels := make([]string, len(ts))
			n, classes := 0, map[string]bool{}
			for i, t := range ts {
				if labels[i] = p.Class(t); labels[i] != "" {
					n++
					classes[labels[i]] = true
				}
			}
			if n < 10 || len(classes) < 2 {
				continue
			}
			r, err := diagnose.LinearProbe(emb, labels, probeTrainFrac, seed)
			if err != nil {
				return nil, fmt.Errorf("interpret: probe of %s: %w", p.Name, err)
			}
			rows = append(rows, ProbeRow{Property: p.Name, Kind: KindClass, Score: r.Accuracy, Baseline: r.Majority, Metric: "accuracy", N: n})
			continue
		}
		var x [][]float32
		var y []float64
		for i, t := range ts {
			if v := p.Value(t); !math.IsNaN(v) && !math.IsInf(v, 0) {
				x, y = append(x, emb[i]), append(y, v)
			}
		}
		if len(y) < 10 || constant(y) {
			continue
		}
		r2, err := RidgeProbe(x, y, probeTrainFrac, seed)
		if err != nil {
			return nil, fmt.Errorf("interpret: probe of %s: %w", p.Name, err)
		}
		rows = append(rows, ProbeRow{Property: p.Name, Kind: KindRegression, Score: r2, Metric: "R²", N: len(y)})
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("interpret: no property to probe (each needs ≥ 10 trajectories and, for a class, ≥ 2 classes)")
	}
	return rows, nil
}

func constant(y []float64) bool {
	for _, v := range y {
		if v != y[0] {
			return false
		}
	}
	return true
}

// RidgeLambda is the ridge penalty of RidgeProbe on standardised embeddings.
const RidgeLambda = 1.0

// RidgeProbe fits a ridge regression ŷ = w·z + b on standardised embeddings
// z (the train split's mean and standard deviation) of a seeded random
// trainFrac of the rows,
//
//	w = (ZᵀZ + λI)⁻¹ Zᵀ(y − ȳ),  b = ȳ   (λ = RidgeLambda)
//
// and returns R² = 1 − Σ(y−ŷ)² / Σ(y−ȳ)² on the other rows, ȳ the train
// mean: 0 is no better than predicting the mean, 1 is exact.
func RidgeProbe(emb [][]float32, y []float64, trainFrac float64, seed uint64) (float64, error) {
	n := len(emb)
	if n != len(y) {
		return 0, fmt.Errorf("interpret: %d embeddings but %d targets", n, len(y))
	}
	nTrain := int(trainFrac * float64(n))
	if nTrain < 2 || nTrain >= n {
		return 0, fmt.Errorf("interpret: train fraction %.2f of %d rows leaves an empty split", trainFrac, n)
	}
	d := len(emb[0])
	for i, r := range emb {
		if len(r) != d {
			return 0, fmt.Errorf("interpret: embedding %d has %d values, want %d", i, len(r), d)
		}
	}
	perm := rand.New(rand.NewPCG(seed, 12)).Perm(n)
	tr, te := perm[:nTrain], perm[nTrain:]
	mean, std := make([]float64, d), make([]float64, d)
	var ym float64
	for _, i := range tr {
		ym += y[i] / float64(nTrain)
		for j, v := range emb[i] {
			mean[j] += float64(v) / float64(nTrain)
		}
	}
	for _, i := range tr {
		for j, v := range emb[i] {
			std[j] += (float64(v) - mean[j]) * (float64(v) - mean[j]) / float64(nTrain)
		}
	}
	for j := range std {
		std[j] = math.Sqrt(std[j])
		if std[j] < 1e-12 {
			std[j] = 1
		}
	}
	z := func(i int) []float64 {
		out := make([]float64, d)
		for j, v := range emb[i] {
			out[j] = (float64(v) - mean[j]) / std[j]
		}
		return out
	}
	A := make([][]float64, d) // ZᵀZ + λI
	for j := range A {
		A[j] = make([]float64, d)
		A[j][j] = RidgeLambda
	}
	rhs := make([]float64, d) // Zᵀ(y − ȳ)
	for _, i := range tr {
		zi := z(i)
		for j, a := range zi {
			rhs[j] += a * (y[i] - ym)
			for k := j; k < d; k++ {
				A[j][k] += a * zi[k]
			}
		}
	}
	for j := range d {
		for k := range j {
			A[j][k] = A[k][j]
		}
	}
	w, err := solveSPD(A, rhs)
	if err != nil {
		return 0, err
	}
	var res, tot float64
	for _, i := range te {
		pred := ym
		for j, a := range z(i) {
			pred += w[j] * a
		}
		res += (y[i] - pred) * (y[i] - pred)
		tot += (y[i] - ym) * (y[i] - ym)
	}
	if tot == 0 {
		return 0, fmt.Errorf("interpret: the test targets are all equal to the train mean: R² undefined")
	}
	return 1 - res/tot, nil
}

// solveSPD solves A·x = b for a symmetric positive-definite A (Cholesky).
func solveSPD(A [][]float64, b []float64) ([]float64, error) {
	n := len(A)
	L := make([][]float64, n)
	for i := range L {
		L[i] = make([]float64, n)
		for j := 0; j <= i; j++ {
			s := A[i][j]
			for k := range j {
				s -= L[i][k] * L[j][k]
			}
			if i == j {
				if s <= 0 {
					return nil, fmt.Errorf("interpret: ridge system not positive definite")
				}
				L[i][i] = math.Sqrt(s)
			} else {
				L[i][j] = s / L[j][j]
			}
		}
	}
	x := make([]float64, n)
	for i := range n { // L·u = b
		s := b[i]
		for k := range i {
			s -= L[i][k] * x[k]
		}
		x[i] = s / L[i][i]
	}
	for i := n - 1; i >= 0; i-- { // Lᵀ·x = u
		s := x[i]
		for k := i + 1; k < n; k++ {
			s -= L[k][i] * x[k]
		}
		x[i] = s / L[i][i]
	}
	return x, nil
}

// ProbeTable is the probes as a Markdown table, baseline beside each score.
func ProbeTable(rows []ProbeRow) string {
	var b strings.Builder
	b.WriteString("| property | probe | metric | score | baseline | n |\n|---|---|---|---:|---:|---:|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %.3f | %.3f | %d |\n", r.Property, r.Kind, r.Metric, r.Score, r.Baseline, r.N)
	}
	return b.String()
}
