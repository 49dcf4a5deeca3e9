// Package diagnose measures the failure signatures of pre-trained trajectory
// representations on frozen embeddings ([N][D] float32):
//
//   - representation collapse: per-dimension variance, effective rank,
//     alignment and uniformity (Wang & Isola 2020);
//   - "reconstructs well but separates poorly": a linear probe for a label;
//   - contextual bias: a linear probe for the district (the confounder) —
//     high accuracy means the embedding encodes where, not only how.
package diagnose

import (
	"fmt"
	"math"
)

// Collapse summarises how spread out embeddings are.
type Collapse struct {
	// MeanStd is the mean over dimensions of the standard deviation of the
	// L2-normalised embeddings: ≈ 1/√D when spread, → 0 when collapsed.
	MeanStd float64 `json:"mean_std"`
	// Variance is the mean per-dimension variance of the raw embeddings.
	Variance float64 `json:"variance"`
	// EffectiveRank is exp(entropy) of the normalised covariance eigenvalues
	// (Roy & Vetterli 2007): 1 when all variance lies on one direction,
	// D when it is spread evenly ("dimensional collapse" lowers it).
	EffectiveRank float64 `json:"effective_rank"`
	Dim           int     `json:"dim"`
}

// MeasureCollapse computes Collapse over emb (at least 2 rows).
func MeasureCollapse(emb [][]float32) (Collapse, error) {
	n, d, err := shape(emb)
	if err != nil {
		return Collapse{}, err
	}
	if n < 2 {
		return Collapse{}, fmt.Errorf("diagnose: need at least 2 embeddings, got %d", n)
	}
	c := Collapse{Dim: d}
	norm := Normalise(emb)
	mean, meanN := make([]float64, d), make([]float64, d)
	for i := range emb {
		for j := 0; j < d; j++ {
			mean[j] += float64(emb[i][j]) / float64(n)
			meanN[j] += norm[i][j] / float64(n)
		}
	}
	cov := make([][]float64, d)
	for j := range cov {
		cov[j] = make([]float64, d)
	}
	for i := range emb {
		for j := 0; j < d; j++ {
			xj := float64(emb[i][j]) - mean[j]
			dn := norm[i][j] - meanN[j]
			c.MeanStd += dn * dn
			for k := j; k < d; k++ {
				cov[j][k] += xj * (float64(emb[i][k]) - mean[k]) / float64(n-1)
			}
		}
	}
	for j := 0; j < d; j++ {
		c.Variance += cov[j][j] / float64(d)
		for k := 0; k < j; k++ {
			cov[j][k] = cov[k][j]
		}
	}
	// MeanStd: mean over dims of sqrt(var of normalised dim).
	c.MeanStd = 0
	for j := 0; j < d; j++ {
		v := 0.0
		for i := range norm {
			dn := norm[i][j] - meanN[j]
			v += dn * dn
		}
		c.MeanStd += math.Sqrt(v/float64(n-1)) / float64(d)
	}
	eig := SymmetricEigenvalues(cov)
	total := 0.0
	for _, e := range eig {
		total += math.Max(e, 0)
	}
	if total > 1e-12 { // else fully collapsed: rank 0
		h := 0.0
		for _, e := range eig {
			if p := math.Max(e, 0) / total; p > 0 {
				h -= p * math.Log(p)
			}
		}
		c.EffectiveRank = math.Exp(h)
	}
	return c, nil
}

// AlignmentUniformity are Wang & Isola's (2020) two properties of
// contrastive representations on the unit sphere, for positive pairs
// (a[i], b[i]) (e.g. two augmented views):
//
//	alignment  = E_i ‖f(a_i) − f(b_i)‖²               (lower: views agree)
//	uniformity = log E_{i≠j} exp(−2‖f(x_i) − f(x_j)‖²)  (lower: spread on the sphere)
func AlignmentUniformity(a, b [][]float32) (alignment, uniformity float64, err error) {
	if len(a) != len(b) || len(a) < 2 {
		return 0, 0, fmt.Errorf("diagnose: need ≥ 2 positive pairs of equal count (got %d and %d)", len(a), len(b))
	}
	na, nb := Normalise(a), Normalise(b)
	for i := range na {
		alignment += sqDist(na[i], nb[i]) / float64(len(na))
	}
	sum, cnt := 0.0, 0
	for i := range na {
		for j := i + 1; j < len(na); j++ {
			sum += math.Exp(-2 * sqDist(na[i], na[j]))
			cnt++
		}
	}
	return alignment, math.Log(sum / float64(cnt)), nil
}

// Normalise returns the rows scaled to unit L2 norm (zero rows stay zero).
func Normalise(emb [][]float32) [][]float64 {
	out := make([][]float64, len(emb))
	for i, row := range emb {
		s := 0.0
		for _, v := range row {
			s += float64(v) * float64(v)
		}
		s = math.Sqrt(s)
		out[i] = make([]float64, len(row))
		for j, v := range row {
			if s > 0 {
				out[i][j] = float64(v) / s
			}
		}
	}
	return out
}

func sqDist(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		d := a[i] - b[i]
		s += d * d
	}
	return s
}

func shape(emb [][]float32) (n, d int, err error) {
	if len(emb) == 0 {
		return 0, 0, fmt.Errorf("diagnose: no embeddings")
	}
	d = len(emb[0])
	for i, r := range emb {
		if len(r) != d {
			return 0, 0, fmt.Errorf("diagnose: embedding %d has %d dims, want %d", i, len(r), d)
		}
		for j, v := range r {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return 0, 0, fmt.Errorf("diagnose: embedding %d dim %d is %v", i, j, v)
			}
		}
	}
	return len(emb), d, nil
}

// SymmetricEigenvalues returns the eigenvalues of a symmetric matrix by
// cyclic Jacobi rotations (fine for the D ≤ a few hundred of embeddings).
func SymmetricEigenvalues(m [][]float64) []float64 {
	n := len(m)
	a := make([][]float64, n)
	for i := range a {
		a[i] = append([]float64(nil), m[i]...)
	}
	for sweep := 0; sweep < 100; sweep++ {
		off := 0.0
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				off += a[i][j] * a[i][j]
			}
		}
		if off < 1e-20 {
			break
		}
		for p := 0; p < n; p++ {
			for q := p + 1; q < n; q++ {
				if math.Abs(a[p][q]) < 1e-300 {
					continue
				}
				theta := (a[q][q] - a[p][p]) / (2 * a[p][q])
				t := math.Copysign(1, theta) / (math.Abs(theta) + math.Sqrt(theta*theta+1))
				c := 1 / math.Sqrt(t*t+1)
				s := t * c
				for k := 0; k < n; k++ {
					akp, akq := a[k][p], a[k][q]
					a[k][p], a[k][q] = c*akp-s*akq, s*akp+c*akq
				}
				for k := 0; k < n; k++ {
					apk, aqk := a[p][k], a[q][k]
					a[p][k], a[q][k] = c*apk-s*aqk, s*apk+c*aqk
				}
			}
		}
	}
	eig := make([]float64, n)
	for i := range eig {
		eig[i] = a[i][i]
	}
	return eig
}
