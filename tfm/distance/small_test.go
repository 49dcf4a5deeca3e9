package distance

import (
	"math"
	"math/rand"
	"testing"
)

// The short-series kernel gives the other kernels' bits, and abandons as
// they do (+Inf once a whole row exceeds the threshold, else the exact
// distance).
func TestDTWSmallMatchesKernels(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	var s Scratch
	for trial := 0; trial < 2000; trial++ {
		n, m := 1+r.Intn(40), 1+r.Intn(smallLen)
		mk := func(k int) *Series {
			xs, ys := make([]float64, k), make([]float64, k)
			for j, p := range randomWalk(r, k, r.Float64()*10, r.Float64()*10, 5) {
				xs[j], ys[j] = p[0], p[1]
			}
			sr, err := New(xs, ys)
			if err != nil {
				t.Fatal(err)
			}
			return sr
		}
		a, b := mk(n), mk(m)
		want := s.dtwDiagPlanar(a, b, math.Inf(1))
		if got := dtwSmallPlanar(a.X, a.Y, b.X, b.Y, math.Inf(1)); got != want {
			t.Fatalf("n=%d m=%d: small %v, wavefront %v", n, m, got, want)
		}
		if got := s.dtwPlanar(a, b, math.Inf(1)); got != want {
			t.Fatalf("n=%d m=%d: rows %v, wavefront %v", n, m, got, want)
		}
		if got := dtwSmallPlanar(a.X, a.Y, b.X, b.Y, want); got != want {
			t.Fatalf("n=%d m=%d: abandoned at its own distance: %v, want %v", n, m, got, want)
		}
		// Below the distance: +Inf or the exact distance (a row's minimum may
		// stay under the threshold to the end), never anything else.
		if got := dtwSmallPlanar(a.X, a.Y, b.X, b.Y, want*0.9); !math.IsInf(got, 1) && got != want {
			t.Fatalf("n=%d m=%d: below the distance %v gave %v, want +Inf or the distance", n, m, want, got)
		}
	}
	// The dispatcher sends short columns to it, through Metric.Distance too.
	a, _ := New([]float64{0, 1, 2}, []float64{0, 0, 0})
	b, _ := New([]float64{0, 2}, []float64{1, 1})
	if d, _ := (Metric{Kind: DTW}).Distance(a, b); math.Abs(d-(1+math.Sqrt2+1)) > 1e-12 {
		t.Fatalf("DTW = %v, want 2+√2", d)
	}
}
