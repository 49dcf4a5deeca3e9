package distance

import (
	"math"
	"runtime"
	"testing"
)

func frechetBuiltin(ax, ay, bx, by, prev, cur []float64) float64 {
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
		up := prev[1 : m+1]
		dg := prev[:m]
		out := cur[1 : m+1]
		for j := 0; j < m; j++ {
			dx, dy := x-bx[j], y-by[j]
			d := dx*dx + dy*dy
			t := min(dg[j], up[j])
			left = max(d, min(t, left))
			out[j] = left
		}
		prev, cur = cur, prev
	}
	return prev[m]
}

func frechetBits(ax, ay, bx, by []float64, prev, cur []uint64) float64 {
	m := len(bx)
	by = by[:m]
	prev = prev[:m+1]
	cur = cur[:m+1]
	inf := math.Float64bits(math.Inf(1))
	prev[0] = 0
	for j := 1; j <= m; j++ {
		prev[j] = inf
	}
	ay = ay[:len(ax)]
	for i, x := range ax {
		y := ay[i]
		cur[0] = inf
		left := inf
		up := prev[1 : m+1]
		dg := prev[:m]
		out := cur[1 : m+1]
		for j := 0; j < m; j++ {
			dx, dy := x-bx[j], y-by[j]
			d := math.Float64bits(dx*dx + dy*dy)
			t := min(dg[j], up[j])
			left = max(d, min(t, left))
			out[j] = left
		}
		prev, cur = cur, prev
	}
	return math.Float64frombits(prev[m])
}

func dtwBuiltin(ax, ay, bx, by, prev, cur []float64) float64 {
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
		up := prev[1 : m+1]
		dg := prev[:m]
		out := cur[1 : m+1]
		for j := 0; j < m; j++ {
			dx, dy := x-bx[j], y-by[j]
			d := math.Sqrt(dx*dx + dy*dy)
			t := min(dg[j], up[j])
			left = d + min(t, left)
			out[j] = left
		}
		prev, cur = cur, prev
	}
	return prev[m]
}

func BenchmarkVariants(b *testing.B) {
	x, y := benchPair(1000, false)
	p, c := make([]float64, 1001), make([]float64, 1001)
	pu, cu := make([]uint64, 1001), make([]uint64, 1001)
	inf := math.Inf(1)
	want := math.Sqrt(maxMinRows2(x.X, x.Y, y.X, y.Y, pu, cu, inf))
	if g := math.Sqrt(frechetBuiltin(x.X, x.Y, y.X, y.Y, p, c)); g != want {
		b.Fatal(g, want)
	}
	if g := math.Sqrt(frechetBits(x.X, x.Y, y.X, y.Y, pu, cu)); g != want {
		b.Fatal(g, want)
	}
	cells := 1e6

	b.Run("frechet-branch", func(b *testing.B) { cpuBench(b, cells, func() { maxMinRows2(x.X, x.Y, y.X, y.Y, pu, cu, inf) }) })
	b.Run("frechet-builtin", func(b *testing.B) { cpuBench(b, cells, func() { frechetBuiltin(x.X, x.Y, y.X, y.Y, p, c) }) })
	b.Run("frechet-bits", func(b *testing.B) { cpuBench(b, cells, func() { frechetBits(x.X, x.Y, y.X, y.Y, pu, cu) }) })
	b.Run("dtw-branch", func(b *testing.B) { cpuBench(b, cells, func() { dtwPlanarRows(x.X, x.Y, y.X, y.Y, p, c, inf) }) })
	b.Run("dtw-builtin", func(b *testing.B) { cpuBench(b, cells, func() { dtwBuiltin(x.X, x.Y, y.X, y.Y, p, c) }) })
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
