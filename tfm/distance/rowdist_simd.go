//go:build goexperiment.simd && amd64

package distance

import (
	"math"
	"simd/archsimd"
)

var haveAVX2 = archsimd.X86.AVX2()

// planarRow is planarRowScalar, four lanes at a time with AVX2.
func planarRow(x, y float64, bx, by, out []float64) {
	if !haveAVX2 {
		planarRowScalar(x, y, bx, by, out)
		return
	}
	m := len(out)
	bx, by = bx[:m], by[:m]
	X, Y := archsimd.BroadcastFloat64x4(x), archsimd.BroadcastFloat64x4(y)
	j := 0
	for ; j+4 <= m; j += 4 {
		dx := X.Sub(archsimd.LoadFloat64x4(bx[j : j+4]))
		dy := Y.Sub(archsimd.LoadFloat64x4(by[j : j+4]))
		dx.Mul(dx).Add(dy.Mul(dy)).Sqrt().Store(out[j : j+4])
	}
	planarRowScalar(x, y, bx[j:], by[j:], out[j:])
}

// geoRow is geoRowScalar, four lanes at a time with AVX2 (the arcsine series
// of fastAsin; a block with an argument above 1/8 falls back to scalar code).
func geoRow(x, y, z float64, bx, by, bz, out []float64) {
	if !haveAVX2 {
		geoRowScalar(x, y, z, bx, by, bz, out)
		return
	}
	m := len(out)
	bx, by, bz = bx[:m], by[:m], bz[:m]
	X, Y, Z := archsimd.BroadcastFloat64x4(x), archsimd.BroadcastFloat64x4(y), archsimd.BroadcastFloat64x4(z)
	half := archsimd.BroadcastFloat64x4(0.5)
	lim := archsimd.BroadcastFloat64x4(0.125)
	twoR := archsimd.BroadcastFloat64x4(2 * EarthRadius)
	c1, c2, c3 := archsimd.BroadcastFloat64x4(asin1), archsimd.BroadcastFloat64x4(asin2), archsimd.BroadcastFloat64x4(asin3)
	c4, c5, c6 := archsimd.BroadcastFloat64x4(asin4), archsimd.BroadcastFloat64x4(asin5), archsimd.BroadcastFloat64x4(asin6)
	c7, c8, c9 := archsimd.BroadcastFloat64x4(asin7), archsimd.BroadcastFloat64x4(asin8), archsimd.BroadcastFloat64x4(asin9)
	j := 0
	for ; j+4 <= m; j += 4 {
		dx := X.Sub(archsimd.LoadFloat64x4(bx[j : j+4]))
		dy := Y.Sub(archsimd.LoadFloat64x4(by[j : j+4]))
		dz := Z.Sub(archsimd.LoadFloat64x4(bz[j : j+4]))
		h := dx.Mul(dx).Add(dy.Mul(dy)).Add(dz.Mul(dz)).Sqrt().Mul(half)
		if h.Greater(lim).ToBits() != 0 {
			geoRowScalar(x, y, z, bx[j:j+4], by[j:j+4], bz[j:j+4], out[j:j+4])
			continue
		}
		zz := h.Mul(h)
		p := c9.Mul(zz).Add(c8).Mul(zz).Add(c7).Mul(zz).Add(c6).Mul(zz).Add(c5).
			Mul(zz).Add(c4).Mul(zz).Add(c3).Mul(zz).Add(c2).Mul(zz).Add(c1).Mul(zz)
		h.Add(h.Mul(p)).Mul(twoR).Store(out[j : j+4])
	}
	geoRowScalar(x, y, z, bx[j:], by[j:], bz[j:], out[j:])
}

// polylineMin2 is polylineMin2Scalar four segments at a time: the projection
// parameter clamped to [0, 1] (degenerate segments have inv = 0, hence t = 0),
// and the distance to the segment's end as well so that a point equal to an
// end gives exactly 0.
func polylineMin2(x, y float64, b *Series) float64 {
	nseg := len(b.segDX)
	if !haveAVX2 || nseg < 8 {
		return polylineMin2Scalar(x, y, b)
	}
	bx, by := b.X[:nseg], b.Y[:nseg]
	sdx, sdy, inv := b.segDX[:nseg], b.segDY[:nseg], b.segInv[:nseg]
	X, Y := archsimd.BroadcastFloat64x4(x), archsimd.BroadcastFloat64x4(y)
	zero, one := archsimd.BroadcastFloat64x4(0), archsimd.BroadcastFloat64x4(1)
	best := archsimd.BroadcastFloat64x4(math.Inf(1))
	k := 0
	for ; k+4 <= nseg; k += 4 {
		px := X.Sub(archsimd.LoadFloat64x4(bx[k : k+4]))
		py := Y.Sub(archsimd.LoadFloat64x4(by[k : k+4]))
		dx := archsimd.LoadFloat64x4(sdx[k : k+4])
		dy := archsimd.LoadFloat64x4(sdy[k : k+4])
		t := px.Mul(dx).Add(py.Mul(dy)).Mul(archsimd.LoadFloat64x4(inv[k : k+4])).Max(zero).Min(one)
		ex, ey := px.Sub(t.Mul(dx)), py.Sub(t.Mul(dy))
		qx, qy := px.Sub(dx), py.Sub(dy)
		best = best.Min(ex.Mul(ex).Add(ey.Mul(ey))).Min(qx.Mul(qx).Add(qy.Mul(qy)))
	}
	h := best.GetLo().Min(best.GetHi())
	r := min(h.GetElem(0), h.GetElem(1))
	for ; k < nseg; k++ {
		r = min(r, pointSeg2(x-bx[k], y-by[k], sdx[k], sdy[k], inv[k]))
	}
	return r
}

// geoPolylineMin2 is geoPolylineMin2Scalar four arcs at a time (see
// geoPointSeg2 for the rule).
func geoPolylineMin2(x, y, z float64, b *Series) float64 {
	nseg := len(b.gseg)
	if !haveAVX2 || nseg < 8 {
		return geoPolylineMin2Scalar(x, y, z, b)
	}
	ux, uy, uz := b.ux[:nseg+1], b.uy[:nseg+1], b.uz[:nseg+1]
	g := &b.gsoa
	nx, ny, nz := g[0][:nseg], g[1][:nseg], g[2][:nseg]
	tax, tay, taz := g[3][:nseg], g[4][:nseg], g[5][:nseg]
	tbx, tby, tbz := g[6][:nseg], g[7][:nseg], g[8][:nseg]
	X, Y, Z := archsimd.BroadcastFloat64x4(x), archsimd.BroadcastFloat64x4(y), archsimd.BroadcastFloat64x4(z)
	zero, one, two := archsimd.BroadcastFloat64x4(0), archsimd.BroadcastFloat64x4(1), archsimd.BroadcastFloat64x4(2)
	best := archsimd.BroadcastFloat64x4(math.Inf(1))
	k := 0
	for ; k+4 <= nseg; k += 4 {
		ax := X.Sub(archsimd.LoadFloat64x4(ux[k : k+4]))
		ay := Y.Sub(archsimd.LoadFloat64x4(uy[k : k+4]))
		az := Z.Sub(archsimd.LoadFloat64x4(uz[k : k+4]))
		bx := X.Sub(archsimd.LoadFloat64x4(ux[k+1 : k+5]))
		by := Y.Sub(archsimd.LoadFloat64x4(uy[k+1 : k+5]))
		bz := Z.Sub(archsimd.LoadFloat64x4(uz[k+1 : k+5]))
		d := ax.Mul(ax).Add(ay.Mul(ay)).Add(az.Mul(az)).Min(bx.Mul(bx).Add(by.Mul(by)).Add(bz.Mul(bz)))
		inA := ax.Mul(archsimd.LoadFloat64x4(tax[k : k+4])).Add(ay.Mul(archsimd.LoadFloat64x4(tay[k : k+4]))).
			Add(az.Mul(archsimd.LoadFloat64x4(taz[k : k+4]))).GreaterEqual(zero)
		inB := bx.Mul(archsimd.LoadFloat64x4(tbx[k : k+4])).Add(by.Mul(archsimd.LoadFloat64x4(tby[k : k+4]))).
			Add(bz.Mul(archsimd.LoadFloat64x4(tbz[k : k+4]))).GreaterEqual(zero)
		s := ax.Mul(archsimd.LoadFloat64x4(nx[k : k+4])).Add(ay.Mul(archsimd.LoadFloat64x4(ny[k : k+4]))).
			Add(az.Mul(archsimd.LoadFloat64x4(nz[k : k+4])))
		s2 := s.Mul(s).Min(one)
		ct := two.Mul(s2).Div(one.Add(one.Sub(s2).Sqrt()))
		best = best.Min(d.Min(ct).IfElse(inA.And(inB), d))
	}
	h := best.GetLo().Min(best.GetHi())
	r := min(h.GetElem(0), h.GetElem(1))
	for ; k < nseg; k++ {
		r = min(r, geoPointSeg2(b, k, x, y, z))
	}
	return r
}

// diagCellsPlanar is diagCellsPlanarScalar four cells at a time.
func diagCellsPlanar(ax, ay, bx, by, diag, up, left, out []float64) float64 {
	n := len(out)
	if !haveAVX2 || n < 8 {
		return diagCellsPlanarScalar(ax, ay, bx, by, diag, up, left, out)
	}
	ax, ay, bx, by = ax[:n], ay[:n], bx[:n], by[:n]
	diag, up, left = diag[:n], up[:n], left[:n]
	mn := archsimd.BroadcastFloat64x4(math.Inf(1))
	t := 0
	for ; t+4 <= n; t += 4 {
		dx := archsimd.LoadFloat64x4(ax[t : t+4]).Sub(archsimd.LoadFloat64x4(bx[t : t+4]))
		dy := archsimd.LoadFloat64x4(ay[t : t+4]).Sub(archsimd.LoadFloat64x4(by[t : t+4]))
		best := archsimd.LoadFloat64x4(diag[t : t+4]).Min(archsimd.LoadFloat64x4(up[t : t+4])).Min(archsimd.LoadFloat64x4(left[t : t+4]))
		v := dx.Mul(dx).Add(dy.Mul(dy)).Sqrt().Add(best)
		v.Store(out[t : t+4])
		mn = mn.Min(v)
	}
	h := mn.GetLo().Min(mn.GetHi())
	r := min(h.GetElem(0), h.GetElem(1))
	if t < n {
		r = min(r, diagCellsPlanarScalar(ax[t:], ay[t:], bx[t:], by[t:], diag[t:], up[t:], left[t:], out[t:]))
	}
	return r
}

// diagCellsGeo is diagCellsGeoScalar four cells at a time (a block with an
// arcsine argument above 1/8 falls back to scalar code).
func diagCellsGeo(ax, ay, az, bx, by, bz, diag, up, left, out []float64) float64 {
	n := len(out)
	if !haveAVX2 || n < 8 {
		return diagCellsGeoScalar(ax, ay, az, bx, by, bz, diag, up, left, out)
	}
	ax, ay, az, bx, by, bz = ax[:n], ay[:n], az[:n], bx[:n], by[:n], bz[:n]
	diag, up, left = diag[:n], up[:n], left[:n]
	half := archsimd.BroadcastFloat64x4(0.5)
	lim := archsimd.BroadcastFloat64x4(0.125)
	twoR := archsimd.BroadcastFloat64x4(2 * EarthRadius)
	c1, c2, c3 := archsimd.BroadcastFloat64x4(asin1), archsimd.BroadcastFloat64x4(asin2), archsimd.BroadcastFloat64x4(asin3)
	c4, c5, c6 := archsimd.BroadcastFloat64x4(asin4), archsimd.BroadcastFloat64x4(asin5), archsimd.BroadcastFloat64x4(asin6)
	c7, c8, c9 := archsimd.BroadcastFloat64x4(asin7), archsimd.BroadcastFloat64x4(asin8), archsimd.BroadcastFloat64x4(asin9)
	mn := archsimd.BroadcastFloat64x4(math.Inf(1))
	r := math.Inf(1)
	t := 0
	for ; t+4 <= n; t += 4 {
		dx := archsimd.LoadFloat64x4(ax[t : t+4]).Sub(archsimd.LoadFloat64x4(bx[t : t+4]))
		dy := archsimd.LoadFloat64x4(ay[t : t+4]).Sub(archsimd.LoadFloat64x4(by[t : t+4]))
		dz := archsimd.LoadFloat64x4(az[t : t+4]).Sub(archsimd.LoadFloat64x4(bz[t : t+4]))
		h := dx.Mul(dx).Add(dy.Mul(dy)).Add(dz.Mul(dz)).Sqrt().Mul(half)
		if h.Greater(lim).ToBits() != 0 {
			r = min(r, diagCellsGeoScalar(ax[t:t+4], ay[t:t+4], az[t:t+4], bx[t:t+4], by[t:t+4], bz[t:t+4],
				diag[t:t+4], up[t:t+4], left[t:t+4], out[t:t+4]))
			continue
		}
		zz := h.Mul(h)
		p := c9.Mul(zz).Add(c8).Mul(zz).Add(c7).Mul(zz).Add(c6).Mul(zz).Add(c5).
			Mul(zz).Add(c4).Mul(zz).Add(c3).Mul(zz).Add(c2).Mul(zz).Add(c1).Mul(zz)
		best := archsimd.LoadFloat64x4(diag[t : t+4]).Min(archsimd.LoadFloat64x4(up[t : t+4])).Min(archsimd.LoadFloat64x4(left[t : t+4]))
		v := h.Add(h.Mul(p)).Mul(twoR).Add(best)
		v.Store(out[t : t+4])
		mn = mn.Min(v)
	}
	h := mn.GetLo().Min(mn.GetHi())
	r = min(r, h.GetElem(0), h.GetElem(1))
	if t < n {
		r = min(r, diagCellsGeoScalar(ax[t:], ay[t:], az[t:], bx[t:], by[t:], bz[t:], diag[t:], up[t:], left[t:], out[t:]))
	}
	return r
}

// pairDistancesPlanar is pairDistancesPlanarScalar four lanes at a time.
func pairDistancesPlanar(ax, ay, bx, by, out []float64) {
	n := len(out)
	if !haveAVX2 || n < 8 {
		pairDistancesPlanarScalar(ax, ay, bx, by, out)
		return
	}
	ax, ay, bx, by = ax[:n], ay[:n], bx[:n], by[:n]
	t := 0
	for ; t+4 <= n; t += 4 {
		dx := archsimd.LoadFloat64x4(ax[t : t+4]).Sub(archsimd.LoadFloat64x4(bx[t : t+4]))
		dy := archsimd.LoadFloat64x4(ay[t : t+4]).Sub(archsimd.LoadFloat64x4(by[t : t+4]))
		dx.Mul(dx).Add(dy.Mul(dy)).Sqrt().Store(out[t : t+4])
	}
	pairDistancesPlanarScalar(ax[t:], ay[t:], bx[t:], by[t:], out[t:])
}

// pairDistancesGeo is pairDistancesGeoScalar four lanes at a time.
func pairDistancesGeo(ax, ay, az, bx, by, bz, out []float64) {
	n := len(out)
	if !haveAVX2 || n < 8 {
		pairDistancesGeoScalar(ax, ay, az, bx, by, bz, out)
		return
	}
	ax, ay, az, bx, by, bz = ax[:n], ay[:n], az[:n], bx[:n], by[:n], bz[:n]
	half := archsimd.BroadcastFloat64x4(0.5)
	lim := archsimd.BroadcastFloat64x4(0.125)
	twoR := archsimd.BroadcastFloat64x4(2 * EarthRadius)
	c1, c2, c3 := archsimd.BroadcastFloat64x4(asin1), archsimd.BroadcastFloat64x4(asin2), archsimd.BroadcastFloat64x4(asin3)
	c4, c5, c6 := archsimd.BroadcastFloat64x4(asin4), archsimd.BroadcastFloat64x4(asin5), archsimd.BroadcastFloat64x4(asin6)
	c7, c8, c9 := archsimd.BroadcastFloat64x4(asin7), archsimd.BroadcastFloat64x4(asin8), archsimd.BroadcastFloat64x4(asin9)
	t := 0
	for ; t+4 <= n; t += 4 {
		dx := archsimd.LoadFloat64x4(ax[t : t+4]).Sub(archsimd.LoadFloat64x4(bx[t : t+4]))
		dy := archsimd.LoadFloat64x4(ay[t : t+4]).Sub(archsimd.LoadFloat64x4(by[t : t+4]))
		dz := archsimd.LoadFloat64x4(az[t : t+4]).Sub(archsimd.LoadFloat64x4(bz[t : t+4]))
		h := dx.Mul(dx).Add(dy.Mul(dy)).Add(dz.Mul(dz)).Sqrt().Mul(half)
		if h.Greater(lim).ToBits() != 0 {
			pairDistancesGeoScalar(ax[t:t+4], ay[t:t+4], az[t:t+4], bx[t:t+4], by[t:t+4], bz[t:t+4], out[t:t+4])
			continue
		}
		zz := h.Mul(h)
		p := c9.Mul(zz).Add(c8).Mul(zz).Add(c7).Mul(zz).Add(c6).Mul(zz).Add(c5).
			Mul(zz).Add(c4).Mul(zz).Add(c3).Mul(zz).Add(c2).Mul(zz).Add(c1).Mul(zz)
		h.Add(h.Mul(p)).Mul(twoR).Store(out[t : t+4])
	}
	pairDistancesGeoScalar(ax[t:], ay[t:], az[t:], bx[t:], by[t:], bz[t:], out[t:])
}

// erpDiagCells is erpDiagCellsScalar four cells at a time.
func erpDiagCells(d, diag, up, left, ga, gb, out []float64) float64 {
	n := len(out)
	if !haveAVX2 || n < 8 {
		return erpDiagCellsScalar(d, diag, up, left, ga, gb, out)
	}
	d, diag, up, left, ga, gb = d[:n], diag[:n], up[:n], left[:n], ga[:n], gb[:n]
	mn := archsimd.BroadcastFloat64x4(math.Inf(1))
	t := 0
	for ; t+4 <= n; t += 4 {
		v := archsimd.LoadFloat64x4(diag[t : t+4]).Add(archsimd.LoadFloat64x4(d[t : t+4])).
			Min(archsimd.LoadFloat64x4(up[t : t+4]).Add(archsimd.LoadFloat64x4(ga[t : t+4]))).
			Min(archsimd.LoadFloat64x4(left[t : t+4]).Add(archsimd.LoadFloat64x4(gb[t : t+4])))
		v.Store(out[t : t+4])
		mn = mn.Min(v)
	}
	h := mn.GetLo().Min(mn.GetHi())
	r := min(h.GetElem(0), h.GetElem(1))
	if t < n {
		r = min(r, erpDiagCellsScalar(d[t:], diag[t:], up[t:], left[t:], ga[t:], gb[t:], out[t:]))
	}
	return r
}

// diagCellsFrechet3 is diagCellsFrechet3Scalar four cells at a time.
func diagCellsFrechet3(ax, ay, az, bx, by, bz, diag, up, left, out []float64) float64 {
	n := len(out)
	if !haveAVX2 || n < 8 {
		return diagCellsFrechet3Scalar(ax, ay, az, bx, by, bz, diag, up, left, out)
	}
	ax, ay, bx, by = ax[:n], ay[:n], bx[:n], by[:n]
	diag, up, left = diag[:n], up[:n], left[:n]
	three := az != nil
	if three {
		az, bz = az[:n], bz[:n]
	}
	mn := archsimd.BroadcastFloat64x4(math.Inf(1))
	t := 0
	for ; t+4 <= n; t += 4 {
		dx := archsimd.LoadFloat64x4(ax[t : t+4]).Sub(archsimd.LoadFloat64x4(bx[t : t+4]))
		dy := archsimd.LoadFloat64x4(ay[t : t+4]).Sub(archsimd.LoadFloat64x4(by[t : t+4]))
		d := dx.Mul(dx).Add(dy.Mul(dy))
		if three {
			dz := archsimd.LoadFloat64x4(az[t : t+4]).Sub(archsimd.LoadFloat64x4(bz[t : t+4]))
			d = d.Add(dz.Mul(dz))
		}
		best := archsimd.LoadFloat64x4(diag[t : t+4]).Min(archsimd.LoadFloat64x4(up[t : t+4])).Min(archsimd.LoadFloat64x4(left[t : t+4]))
		v := d.Max(best)
		v.Store(out[t : t+4])
		mn = mn.Min(v)
	}
	h := mn.GetLo().Min(mn.GetHi())
	r := min(h.GetElem(0), h.GetElem(1))
	if t < n {
		var tz, sz []float64
		if three {
			tz, sz = az[t:], bz[t:]
		}
		r = min(r, diagCellsFrechet3Scalar(ax[t:], ay[t:], tz, bx[t:], by[t:], sz, diag[t:], up[t:], left[t:], out[t:]))
	}
	return r
}

// diagCellsEdit3 is diagCellsEdit3Scalar four cells at a time.
func diagCellsEdit3(lcss bool, e2 float64, ax, ay, az, bx, by, bz, diag, up, left, out []float64) float64 {
	n := len(out)
	if !haveAVX2 || n < 8 {
		return diagCellsEdit3Scalar(lcss, e2, ax, ay, az, bx, by, bz, diag, up, left, out)
	}
	ax, ay, bx, by = ax[:n], ay[:n], bx[:n], by[:n]
	diag, up, left = diag[:n], up[:n], left[:n]
	three := az != nil
	if three {
		az, bz = az[:n], bz[:n]
	}
	E2, one := archsimd.BroadcastFloat64x4(e2), archsimd.BroadcastFloat64x4(1)
	mn := archsimd.BroadcastFloat64x4(math.Inf(1))
	t := 0
	for ; t+4 <= n; t += 4 {
		dx := archsimd.LoadFloat64x4(ax[t : t+4]).Sub(archsimd.LoadFloat64x4(bx[t : t+4]))
		dy := archsimd.LoadFloat64x4(ay[t : t+4]).Sub(archsimd.LoadFloat64x4(by[t : t+4]))
		d := dx.Mul(dx).Add(dy.Mul(dy))
		if three {
			dz := archsimd.LoadFloat64x4(az[t : t+4]).Sub(archsimd.LoadFloat64x4(bz[t : t+4]))
			d = d.Add(dz.Mul(dz))
		}
		match := d.LessEqual(E2)
		dg := archsimd.LoadFloat64x4(diag[t : t+4])
		u, l := archsimd.LoadFloat64x4(up[t:t+4]), archsimd.LoadFloat64x4(left[t:t+4])
		var v archsimd.Float64x4
		if lcss {
			v = dg.Add(one).IfElse(match, u.Max(l))
		} else {
			v = dg.IfElse(match, dg.Add(one)).Min(u.Min(l).Add(one))
		}
		v.Store(out[t : t+4])
		mn = mn.Min(v)
	}
	h := mn.GetLo().Min(mn.GetHi())
	r := min(h.GetElem(0), h.GetElem(1))
	if t < n {
		var tz, sz []float64
		if three {
			tz, sz = az[t:], bz[t:]
		}
		r = min(r, diagCellsEdit3Scalar(lcss, e2, ax[t:], ay[t:], tz, bx[t:], by[t:], sz, diag[t:], up[t:], left[t:], out[t:]))
	}
	return r
}
