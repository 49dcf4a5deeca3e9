//go:build goexperiment.simd && amd64

package distance

import "simd/archsimd"

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
