package distance

import (
	"fmt"
	"math"
	"math/rand"
	"runtime"
	"testing"
)

// Benchmarks report cells/s: n·m point pairs per second for one pair of
// trajectories of n and m points (the DP cells; for Hausdorff and SSPD the
// vertex–segment pairs the brute-force definition visits). Single-threaded.
// Compare with the C loop: testdata/cbench/run.sh.

// benchPair returns two noisy observations of the same random route of n
// points (planar in metres, or lon/lat around Beijing).
func benchPair(n int, geo bool) (*Series, *Series) {
	r := rand.New(rand.NewSource(42))
	route := randomWalk(r, n, 0, 0, 20)
	mk := func() *Series {
		xs, ys := make([]float64, n), make([]float64, n)
		for i, p := range route {
			xs[i], ys[i] = p[0]+r.NormFloat64()*5, p[1]+r.NormFloat64()*5
			if geo {
				xs[i], ys[i] = 116.3+xs[i]/85000, 39.9+ys[i]/111000
			}
		}
		s, err := New(xs, ys)
		if err != nil {
			panic(err)
		}
		return s
	}
	return mk(), mk()
}

func benchMetric(b *testing.B, m Metric, n int) {
	x, y := benchPair(n, m.Geo)
	var s Scratch
	if _, err := s.Distance(m, x, y); err != nil {
		b.Fatal(err)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ResetTimer()
	c0 := threadCPU()
	for b.Loop() {
		s.Distance(m, x, y)
	}
	cells := float64(b.N) * float64(n) * float64(n)
	b.ReportMetric(cells/b.Elapsed().Seconds(), "cells/s")
	b.ReportMetric(cells/(threadCPU()-c0), "cells/cpu-s")
}

func BenchmarkMetrics(b *testing.B) {
	for _, geo := range []bool{false, true} {
		for _, k := range Kinds() {
			n := 1000
			if k == ContinuousFrechet {
				n = 100
			}
			eps := 10.0
			m := Metric{Kind: k, Geo: geo, Eps: eps}
			name := k.String()
			if geo {
				name += "-geo"
			}
			b.Run(fmt.Sprintf("%s/n=%d", name, n), func(b *testing.B) { benchMetric(b, m, n) })
		}
	}
}

// BenchmarkHausdorffUnrelated measures Hausdorff on two independent random
// walks, where the early break helps least (the benchmarks above use two
// observations of one route, the usual case in similarity search).
func BenchmarkHausdorffUnrelated(b *testing.B) {
	r := rand.New(rand.NewSource(43))
	mk := func() *Series {
		xs, ys := make([]float64, 1000), make([]float64, 1000)
		for i, p := range randomWalk(r, 1000, 0, 0, 20) {
			xs[i], ys[i] = p[0], p[1]
		}
		s, _ := New(xs, ys)
		return s
	}
	x, y := mk(), mk()
	var s Scratch
	b.Run("hausdorff/n=1000", func(b *testing.B) {
		cpuBench(b, 1e6, func() { s.Distance(Metric{Kind: Hausdorff}, x, y) })
	})
}

// BenchmarkCondensed measures pdist scaling: 64 trajectories of 300 points,
// DTW, with 1 and 2 workers. Besides wall-clock cells/s it reports cells per
// CPU-second of the whole process: equal figures for 1 and 2 workers mean no
// parallel overhead, so the wall-clock speed-up is the number of idle cores.
// BenchmarkCondensed is pdist by trajectory length: short (5–15 points,
// median 10: real GPS trips, where per-pair overhead counts), medium (≈ 100)
// and long (300), on 1 and 2 threads.
func BenchmarkCondensed(b *testing.B) {
	shapes := []struct {
		name       string
		count      int
		minN, maxN int
	}{{"short", 1000, 5, 15}, {"medium", 200, 80, 120}, {"long", 64, 300, 300}}
	for _, sh := range shapes {
		r := rand.New(rand.NewSource(7))
		var A []*Series
		cells := 0.0
		for i := 0; i < sh.count; i++ {
			n := sh.minN + r.Intn(sh.maxN-sh.minN+1)
			xs, ys := make([]float64, n), make([]float64, n)
			for j, p := range randomWalk(r, n, 0, 0, 20) {
				xs[j], ys[j] = p[0], p[1]
			}
			s, _ := New(xs, ys)
			for _, o := range A {
				cells += float64(o.Len() * n)
			}
			A = append(A, s)
		}
		for _, th := range []int{1, 2} {
			b.Run(fmt.Sprintf("dtw/%s/threads=%d", sh.name, th), func(b *testing.B) {
				c0 := processCPU()
				for b.Loop() {
					if _, err := Condensed(A, Metric{Kind: DTW}, Options{Threads: th}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)*cells/b.Elapsed().Seconds(), "cells/s")
				b.ReportMetric(float64(b.N)*cells/(processCPU()-c0), "cells/cpu-s")
			})
		}
	}
}

// dtwFused is DTW as one fused loop (distance and recursion together), the
// shape of the C reference; the package computes a row of distances first
// (SIMD) and then the recursion, which BenchmarkDTWKernels compares.
func dtwFused(ax, ay, bx, by, prev, cur []float64, abandon float64) float64 {
	m := len(bx)
	by = by[:m]
	prev = prev[:m+1]
	cur = cur[:m+1]
	inf := math.Inf(1)
	prev[0] = 0
	for j := 1; j <= m; j++ {
		prev[j] = inf
	}
	ay = ay[:len(ax)]
	for i, x := range ax {
		y := ay[i]
		cur[0] = inf
		left := inf
		diag := prev[0]
		rowMin := inf
		up := prev[1:]
		out := cur[1:]
		up = up[:m]
		out = out[:m]
		for j := 0; j < m; j++ {
			dx, dy := x-bx[j], y-by[j]
			d := math.Sqrt(dx*dx + dy*dy)
			u := up[j]
			best := diag
			if u < best {
				best = u
			}
			diag = u
			if left < best {
				best = left
			}
			left = d + best
			out[j] = left
			if left < rowMin {
				rowMin = left
			}
		}
		if rowMin > abandon {
			return inf
		}
		prev, cur = cur, prev
	}
	return prev[m]
}

func BenchmarkDTWKernels(b *testing.B) {
	x, y := benchPair(1000, false)
	p, c := make([]float64, 1001), make([]float64, 1001)
	var s Scratch
	if got, want := dtwFused(x.X, x.Y, y.X, y.Y, p, c, math.Inf(1)), s.dtwPlanar(x, y, math.Inf(1)); got != want {
		b.Fatalf("fused %v, two-pass %v", got, want)
	}
	b.Run("fused", func(b *testing.B) {
		cpuBench(b, 1e6, func() { dtwFused(x.X, x.Y, y.X, y.Y, p, c, math.Inf(1)) })
	})
	b.Run("row-then-recursion", func(b *testing.B) {
		cpuBench(b, 1e6, func() { s.dtwPlanar(x, y, math.Inf(1)) })
	})
}

// cpuBench runs f in a b.Loop on a locked OS thread and reports cells per
// wall second and per CPU second of that thread.
func cpuBench(b *testing.B, cells float64, f func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	c0 := threadCPU()
	for b.Loop() {
		f()
	}
	b.ReportMetric(float64(b.N)*cells/b.Elapsed().Seconds(), "cells/s")
	b.ReportMetric(float64(b.N)*cells/(threadCPU()-c0), "cells/cpu-s")
}

func BenchmarkDTWDiag(b *testing.B) {
	for _, n := range []int{100, 1000} {
		x, y := benchPair(n, false)
		gx, gy := benchPair(n, true)
		var s Scratch
		if got, want := s.dtwDiagPlanar(x, y, math.Inf(1)), s.dtwPlanar(x, y, math.Inf(1)); !(math.Abs(got-want) <= 1e-9*want) {
			b.Fatalf("diag %v, rows %v", got, want)
		}
		cells := float64(n * n)
		b.Run(fmt.Sprintf("rows/n=%d", n), func(b *testing.B) { cpuBench(b, cells, func() { s.dtwPlanar(x, y, math.Inf(1)) }) })
		b.Run(fmt.Sprintf("diag/n=%d", n), func(b *testing.B) { cpuBench(b, cells, func() { s.dtwDiagPlanar(x, y, math.Inf(1)) }) })
		b.Run(fmt.Sprintf("rows-geo/n=%d", n), func(b *testing.B) { cpuBench(b, cells, func() { s.dtwGeo(gx, gy, math.Inf(1)) }) })
		b.Run(fmt.Sprintf("diag-geo/n=%d", n), func(b *testing.B) { cpuBench(b, cells, func() { s.dtwDiagGeo(gx, gy, math.Inf(1)) }) })
	}
}

// BenchmarkKNN compares an exact 10-NN search among 500 trajectories of 200
// points (noisy copies of 50 routes) with computing every distance.
func BenchmarkKNN(b *testing.B) {
	r := rand.New(rand.NewSource(44))
	routes := make([]pts, 50)
	for i := range routes {
		routes[i] = randomWalk(r, 200, 0, 0, 20)
	}
	var cands []*Series
	for i := 0; i < 500; i++ {
		route := routes[i%len(routes)]
		xs, ys := make([]float64, len(route)), make([]float64, len(route))
		for j, p := range route {
			xs[j], ys[j] = p[0]+r.NormFloat64()*5, p[1]+r.NormFloat64()*5
		}
		s, _ := New(xs, ys)
		cands = append(cands, s)
	}
	query := cands[0]
	for _, k := range []Kind{DTW, Frechet, ERP} {
		m := Metric{Kind: k}
		opt := Options{Threads: 1}
		b.Run(k.String()+"/all-distances", func(b *testing.B) {
			for b.Loop() {
				Pairwise([]*Series{query}, cands[1:], m, opt)
			}
		})
		b.Run(k.String()+"/knn", func(b *testing.B) {
			var st KNNStats
			for b.Loop() {
				_, st, _ = KNN(query, cands[1:], 10, m, opt)
			}
			b.ReportMetric(float64(st.Pruned), "pruned")
			b.ReportMetric(float64(st.Abandoned), "abandoned")
		})
	}
}
