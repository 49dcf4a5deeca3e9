package diagnose

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

func gaussian(n, d int, seed uint64) [][]float32 {
	rng := rand.New(rand.NewPCG(seed, 1))
	e := make([][]float32, n)
	for i := range e {
		e[i] = make([]float32, d)
		for j := range e[i] {
			e[i][j] = float32(rng.NormFloat64())
		}
	}
	return e
}

func TestEigenvaluesKnownMatrix(t *testing.T) {
	// [[2,1],[1,2]] has eigenvalues 1 and 3.
	e := SymmetricEigenvalues([][]float64{{2, 1}, {1, 2}})
	sort.Float64s(e)
	if math.Abs(e[0]-1) > 1e-9 || math.Abs(e[1]-3) > 1e-9 {
		t.Fatalf("eigenvalues %v, want [1 3]", e)
	}
}

func TestCollapseSignatures(t *testing.T) {
	healthy, err := MeasureCollapse(gaussian(2000, 8, 1))
	if err != nil {
		t.Fatal(err)
	}
	if healthy.EffectiveRank < 7.5 || math.Abs(healthy.MeanStd-1/math.Sqrt(8)) > 0.03 {
		t.Errorf("isotropic Gaussian: %+v, want effective rank ≈ 8 and mean std ≈ 1/√8", healthy)
	}
	// Dimensional collapse: all variance on one direction.
	line := gaussian(500, 8, 2)
	for _, r := range line {
		for j := 1; j < 8; j++ {
			r[j] = 0.5 * r[0]
		}
	}
	c, _ := MeasureCollapse(line)
	if c.EffectiveRank > 1.01 {
		t.Errorf("rank-1 embeddings: effective rank %.3f, want 1", c.EffectiveRank)
	}
	// Complete collapse: every row the same.
	same := make([][]float32, 10)
	for i := range same {
		same[i] = []float32{1, 2, 3}
	}
	c, _ = MeasureCollapse(same)
	if c.MeanStd > 1e-9 || c.Variance > 1e-12 || c.EffectiveRank != 0 {
		t.Errorf("identical embeddings: %+v, want zero spread", c)
	}
	if _, err := MeasureCollapse([][]float32{{1, 2}, {1}}); err == nil {
		t.Error("ragged embeddings accepted")
	}
}

func TestAlignmentUniformity(t *testing.T) {
	a := gaussian(200, 4, 3)
	al, un, err := AlignmentUniformity(a, a)
	if err != nil || al != 0 {
		t.Fatalf("identical views: alignment %v, %v", al, err)
	}
	// Uniform on S³: uniformity ≈ log E exp(−2‖x−y‖²) is well below 0; all
	// at one point: 0.
	same := make([][]float32, 50)
	for i := range same {
		same[i] = []float32{1, 0, 0, 0}
	}
	_, unCollapsed, _ := AlignmentUniformity(same, same)
	if !(un < -1.5) || math.Abs(unCollapsed) > 1e-12 {
		t.Fatalf("uniformity spread %.3f (want < −1.5), collapsed %.3f (want 0)", un, unCollapsed)
	}
}

func TestLinearProbe(t *testing.T) {
	emb := gaussian(400, 6, 4)
	sep := make([]string, len(emb))
	random := make([]string, len(emb))
	rng := rand.New(rand.NewPCG(5, 5))
	for i, r := range emb {
		if r[0]+r[1] > 0 {
			sep[i] = "a"
		} else {
			sep[i] = "b"
		}
		random[i] = []string{"x", "y"}[rng.IntN(2)]
	}
	p, err := LinearProbe(emb, sep, 0.7, 1)
	if err != nil || p.Accuracy < 0.95 {
		t.Fatalf("linearly separable labels: %+v, %v", p, err)
	}
	q, _ := LinearProbe(emb, random, 0.7, 1)
	if q.Accuracy > 0.65 {
		t.Fatalf("random labels probed at %.2f, want near chance", q.Accuracy)
	}
	if _, err := LinearProbe(emb, sep[:3], 0.7, 1); err == nil {
		t.Error("mismatched labels accepted")
	}
}
