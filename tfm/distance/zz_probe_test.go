package distance
import ("testing";"math")
func BenchmarkGeoRow(b *testing.B) {
	x, y := benchPair(1000, true)
	out := make([]float64, 1000)
	b.Run("geoRow", func(b *testing.B) { cpuBench(b, 1000, func() { geoRowScalar(x.ux[5], x.uy[5], x.uz[5], y.ux, y.uy, y.uz, out) }) })
	b.Run("sqrtOnly", func(b *testing.B) { cpuBench(b, 1000, func() {
		bx, by, bz := y.ux[:1000], y.uy[:1000], y.uz[:1000]
		for j := range out { dx, dy, dz := x.ux[5]-bx[j], x.uy[5]-by[j], x.uz[5]-bz[j]; out[j] = math.Sqrt(dx*dx+dy*dy+dz*dz) } }) })
	b.Run("asinOnly", func(b *testing.B) { cpuBench(b, 1000, func() { for j := range out { out[j] = fastAsin(y.ux[j]*0.01) } }) })
}
func BenchmarkRows(b *testing.B) {
	x, y := benchPair(1000, true)
	out := make([]float64, 1000)
	b.Run("geoRowSIMD", func(b *testing.B) { cpuBench(b, 1000, func() { geoRow(x.ux[5], x.uy[5], x.uz[5], y.ux, y.uy, y.uz, out) }) })
	b.Run("planarRowSIMD", func(b *testing.B) { cpuBench(b, 1000, func() { planarRow(x.ux[5], x.uy[5], y.ux, y.uy, out) }) })
	b.Run("planarRowScalar", func(b *testing.B) { cpuBench(b, 1000, func() { planarRowScalar(x.ux[5], x.uy[5], y.ux, y.uy, out) }) })
}

func dtwRowMin(prev, cur, d []float64) float64 {
	m := len(d)
	inf := math.Inf(1)
	cur[0] = inf
	left := inf
	rowMin := inf
	up := prev[1 : m+1]
	dg := prev[:m]
	out := cur[1 : m+1]
	for j, dj := range d {
		left = dj + min(dg[j], up[j], left)
		out[j] = left
		rowMin = min(rowMin, left)
	}
	return rowMin
}

func dtwRowPre(prev, cur, d, e []float64) float64 {
	m := len(d)
	inf := math.Inf(1)
	up := prev[1 : m+1]
	dg := prev[:m]
	e = e[:m]
	for j, dj := range d {
		e[j] = dj + min(dg[j], up[j])
	}
	cur[0] = inf
	left := inf
	rowMin := inf
	out := cur[1 : m+1]
	for j, dj := range d {
		left = min(e[j], dj+left)
		out[j] = left
		rowMin = min(rowMin, left)
	}
	return rowMin
}

func dtwRowPreBr(prev, cur, d, e []float64) float64 {
	m := len(d)
	inf := math.Inf(1)
	up := prev[1 : m+1]
	dg := prev[:m]
	e = e[:m]
	for j, dj := range d {
		e[j] = dj + min(dg[j], up[j])
	}
	cur[0] = inf
	left := inf
	rowMin := inf
	out := cur[1 : m+1]
	for j, dj := range d {
		l := dj + left
		if e[j] < l {
			l = e[j]
		}
		left = l
		out[j] = left
		if left < rowMin {
			rowMin = left
		}
	}
	return rowMin
}

func BenchmarkChains(b *testing.B) {
	x, y := benchPair(1000, false)
	m := 1000
	p, c, d, e := make([]float64, m+1), make([]float64, m+1), make([]float64, m), make([]float64, m)
	run := func(row func(prev, cur []float64)) float64 {
		inf := math.Inf(1)
		p[0] = 0
		for j := 1; j <= m; j++ { p[j] = inf }
		pp, cc := p, c
		for i := range x.X {
			planarRow(x.X[i], x.Y[i], y.X, y.Y, d)
			row(pp, cc)
			pp, cc = cc, pp
		}
		return pp[m]
	}
	f1 := func(pp, cc []float64) { dtwRow(pp, cc, d) }
	f2 := func(pp, cc []float64) { dtwRowMin(pp, cc, d) }
	f3 := func(pp, cc []float64) { dtwRowPre(pp, cc, d, e) }
	f4 := func(pp, cc []float64) { dtwRowPreBr(pp, cc, d, e) }
	if run(f1) != run(f2) || run(f1) != run(f3) || run(f1) != run(f4) { b.Fatal("mismatch", run(f1), run(f2), run(f3)) }
	b.Run("branch", func(b *testing.B) { cpuBench(b, 1e6, func() { run(f1) }) })
	b.Run("builtin", func(b *testing.B) { cpuBench(b, 1e6, func() { run(f2) }) })
	b.Run("pre", func(b *testing.B) { cpuBench(b, 1e6, func() { run(f3) }) })
	b.Run("prebr", func(b *testing.B) { cpuBench(b, 1e6, func() { run(f4) }) })
}
