package diagnose

import (
	"fmt"
	"math"

	tfm "github.com/tfm-course/course/tfm/model"
)

// Projection is a 2-D linear projection of embedding rows onto their first
// two principal components (PCA): Mean is the rows' mean, Axes the two unit
// directions (orthogonal, the largest variance first) and Variance the
// share of the total variance each explains.
type Projection struct {
	Mean     []float64
	Axes     [2][]float64
	Variance [2]float64
}

// FitProjection finds the first two principal components of the rows of x
// (at least two rows) by power iteration on their covariance, deflating
// after the first. A component's sign is fixed so that its largest
// coordinate is positive: the same rows always give the same picture.
func FitProjection(x tfm.Matrix) (Projection, error) {
	var p Projection
	if err := x.Check(); err != nil {
		return p, err
	}
	n, d := x.Rows, x.Cols
	if n < 2 || d < 1 {
		return p, fmt.Errorf("diagnose: project: need at least 2 rows of at least 1 column, have %d×%d", n, d)
	}
	p.Mean = make([]float64, d)
	for i := range n {
		for j, v := range x.Row(i) {
			p.Mean[j] += float64(v) / float64(n)
		}
	}
	cov := make([][]float64, d)
	for j := range cov {
		cov[j] = make([]float64, d)
	}
	c := make([]float64, d)
	for i := range n {
		for j, v := range x.Row(i) {
			c[j] = float64(v) - p.Mean[j]
		}
		for a := range d {
			for b := a; b < d; b++ {
				cov[a][b] += c[a] * c[b] / float64(n-1)
			}
		}
	}
	total := 0.0
	for a := range d {
		for b := 0; b < a; b++ {
			cov[a][b] = cov[b][a]
		}
		total += cov[a][a]
	}
	for k := range 2 {
		v, lambda := powerIteration(cov)
		p.Axes[k] = v
		if total > 0 {
			p.Variance[k] = lambda / total
		}
		for a := range d { // deflate: remove the component found
			for b := range d {
				cov[a][b] -= lambda * v[a] * v[b]
			}
		}
	}
	return p, nil
}

// powerIteration is the leading eigenvector (unit, sign fixed) and
// eigenvalue of the symmetric positive semi-definite matrix a.
func powerIteration(a [][]float64) ([]float64, float64) {
	d := len(a)
	v := make([]float64, d)
	for i := range v { // a fixed, generic start
		v[i] = 1 + 0.01*float64(i%7)
	}
	normalise(v)
	w := make([]float64, d)
	lambda := 0.0
	for range 1000 {
		for i := range d {
			s := 0.0
			for j := range d {
				s += a[i][j] * v[j]
			}
			w[i] = s
		}
		norm := math.Sqrt(dot(w, w))
		if norm == 0 { // no variance left: any unit vector orthogonal to nothing
			return v, 0
		}
		for i := range w {
			w[i] /= norm
		}
		diff := 0.0
		for i := range w {
			diff = math.Max(diff, math.Abs(w[i]-v[i]))
		}
		copy(v, w)
		lambda = norm
		if diff < 1e-12 {
			break
		}
	}
	big := 0
	for i := range v {
		if math.Abs(v[i]) > math.Abs(v[big]) {
			big = i
		}
	}
	if v[big] < 0 {
		for i := range v {
			v[i] = -v[i]
		}
	}
	return v, lambda
}

func normalise(v []float64) {
	n := math.Sqrt(dot(v, v))
	for i := range v {
		v[i] /= n
	}
}

func dot(x, y []float64) float64 {
	s := 0.0
	for i := range x {
		s += x[i] * y[i]
	}
	return s
}

// Apply projects the rows of x (of the fitted width) onto the two axes.
func (p Projection) Apply(x tfm.Matrix) (xs, ys []float64, err error) {
	if err := x.Check(); err != nil {
		return nil, nil, err
	}
	if x.Cols != len(p.Mean) {
		return nil, nil, fmt.Errorf("diagnose: project: rows of %d columns, fitted on %d", x.Cols, len(p.Mean))
	}
	xs, ys = make([]float64, x.Rows), make([]float64, x.Rows)
	for i := range x.Rows {
		for j, v := range x.Row(i) {
			c := float64(v) - p.Mean[j]
			xs[i] += c * p.Axes[0][j]
			ys[i] += c * p.Axes[1][j]
		}
	}
	return xs, ys, nil
}

// Project2D fits the projection on the rows of x and projects them: a
// picture of an embedding space (rows of several modalities stacked, to
// see whether a trip's views land together).
func Project2D(x tfm.Matrix) (xs, ys []float64, p Projection, err error) {
	if p, err = FitProjection(x); err != nil {
		return nil, nil, p, err
	}
	xs, ys, err = p.Apply(x)
	return xs, ys, p, err
}

// Stack concatenates matrices of one width by rows.
func Stack(ms ...tfm.Matrix) (tfm.Matrix, error) {
	var out tfm.Matrix
	for i, m := range ms {
		if err := m.Check(); err != nil {
			return out, err
		}
		if i == 0 {
			out.Cols = m.Cols
		} else if m.Cols != out.Cols {
			return out, fmt.Errorf("diagnose: stack: matrix %d has %d columns, the first %d", i, m.Cols, out.Cols)
		}
		out.Rows += m.Rows
		out.Data = append(out.Data, m.Data...)
	}
	return out, nil
}
