package diagnose

import (
	"math"
	"testing"

	tfm "github.com/tfm-course/course/tfm/model"
)

func TestProject2DFindsThePrincipalAxes(t *testing.T) {
	// Points spread along (1, 1, 0)/√2 with variance 9·…, less along
	// (0, 0, 1), none along (1, −1, 0)/√2, around a mean of (5, 5, 1).
	var rows [][]float32
	for i := -3; i <= 3; i++ {
		for j := -1; j <= 1; j++ {
			a, b := 3*float64(i), float64(j)
			rows = append(rows, []float32{float32(5 + a/math.Sqrt2), float32(5 + a/math.Sqrt2), float32(1 + b)})
		}
	}
	x, err := tfm.NewMatrix(rows)
	if err != nil {
		t.Fatal(err)
	}
	xs, ys, p, err := Project2D(x)
	if err != nil {
		t.Fatal(err)
	}
	want0 := []float64{1 / math.Sqrt2, 1 / math.Sqrt2, 0}
	want1 := []float64{0, 0, 1}
	for j := range 3 {
		if math.Abs(p.Axes[0][j]-want0[j]) > 1e-6 || math.Abs(p.Axes[1][j]-want1[j]) > 1e-6 {
			t.Fatalf("axes %v, want %v and %v", p.Axes, want0, want1)
		}
		if math.Abs(p.Mean[j]-[]float64{5, 5, 1}[j]) > 1e-6 {
			t.Fatalf("mean %v, want (5, 5, 1)", p.Mean)
		}
	}
	if s := p.Variance[0] + p.Variance[1]; math.Abs(s-1) > 1e-6 || p.Variance[0] <= p.Variance[1] {
		t.Errorf("explained variance %v: want the first larger, both summing to 1 (no third direction)", p.Variance)
	}
	// Row 0 is i = −3, j = −1: coordinates (−9, −1).
	if math.Abs(xs[0]+9) > 1e-5 || math.Abs(ys[0]+1) > 1e-5 {
		t.Errorf("row 0 projects to (%.4f, %.4f), want (−9, −1)", xs[0], ys[0])
	}
	// The projection is deterministic and the same when applied again.
	xs2, ys2, err := p.Apply(x)
	if err != nil {
		t.Fatal(err)
	}
	for i := range xs {
		if xs[i] != xs2[i] || ys[i] != ys2[i] {
			t.Fatalf("Apply differs from Project2D at row %d", i)
		}
	}
}

func TestProjectErrors(t *testing.T) {
	if _, _, _, err := Project2D(tfm.Matrix{Rows: 1, Cols: 2, Data: []float32{1, 2}}); err == nil {
		t.Error("one row: want an error")
	}
	p, err := FitProjection(tfm.Matrix{Rows: 2, Cols: 2, Data: []float32{1, 2, 3, 4}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.Apply(tfm.Matrix{Rows: 1, Cols: 3, Data: []float32{1, 2, 3}}); err == nil {
		t.Error("wrong width: want an error")
	}
	// Constant rows: no variance, no NaN.
	q, err := FitProjection(tfm.Matrix{Rows: 3, Cols: 2, Data: []float32{1, 1, 1, 1, 1, 1}})
	if err != nil {
		t.Fatal(err)
	}
	if q.Variance[0] != 0 || math.IsNaN(q.Axes[0][0]) {
		t.Errorf("constant rows: variance %v, axes %v", q.Variance, q.Axes)
	}
}

func TestStack(t *testing.T) {
	a := tfm.Matrix{Rows: 1, Cols: 2, Data: []float32{1, 2}}
	b := tfm.Matrix{Rows: 2, Cols: 2, Data: []float32{3, 4, 5, 6}}
	s, err := Stack(a, b)
	if err != nil || s.Rows != 3 || s.Row(2)[1] != 6 {
		t.Fatalf("Stack = %+v, %v", s, err)
	}
	if _, err := Stack(a, tfm.Matrix{Rows: 1, Cols: 3, Data: []float32{1, 2, 3}}); err == nil {
		t.Error("mixed widths: want an error")
	}
}
