package ch07

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tfm-course/course/tfm/distance"
)

func TestExHausdorff(t *testing.T) {
	a := [][2]float64{{0, 0}, {1, 0}, {2, 0}}
	b := [][2]float64{{0, 1}, {2, 1}, {5, 1}}
	// From a: every point is 1 from b (x = 1 is √2 from both ends): √2. From b: (5, 1) is √10 from (2, 0).
	if got, want := TeachHausdorff(a, b), math.Sqrt(10); math.Abs(got-want) > 1e-12 {
		t.Errorf("TeachHausdorff = %.4f, want %.4f (the worst of both directions)", got, want)
	}
	if got := TeachHausdorff(a, a); got != 0 {
		t.Errorf("TeachHausdorff(a, a) = %v, want 0", got)
	}
}

func TestExEDR(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	walk := func(n int) ([][2]float64, *distance.Series) {
		pts := make([][2]float64, n)
		xs, ys := make([]float64, n), make([]float64, n)
		for i := range pts {
			pts[i] = [2]float64{float64(i) + rng.Float64(), rng.Float64() * 2}
			xs[i], ys[i] = pts[i][0], pts[i][1]
		}
		s, err := distance.New(xs, ys)
		if err != nil {
			t.Fatal(err)
		}
		return pts, s
	}
	m := distance.Metric{Kind: distance.EDR, Eps: 0.8}
	for trial := 0; trial < 50; trial++ {
		a, sa := walk(3 + rng.IntN(12))
		b, sb := walk(3 + rng.IntN(12))
		want, err := m.Distance(sa, sb) // the library's SIMD wavefront
		if err != nil {
			t.Fatal(err)
		}
		if got := TeachEDR(a, b, 0.8); math.Abs(got-want) > 1e-12 {
			t.Fatalf("TeachEDR = %.4f, want %.4f (distance.EDR) for %d and %d points", got, want, len(a), len(b))
		}
	}
}
