package distance

import "math"

// Geographic DTW, ERP and SSPD add up great-circle distances, one arcsine
// per cell: 2R·asin(|chord|/2). math.Asin (an arctangent and a division) is
// the bulk of that cost, so for the arguments GPS data produce — x ≤ 1/8,
// i.e. points less than about 1,600 km apart — asin is summed from its
// Maclaurin series x + x³/6 + 3x⁵/40 + …, whose 10 terms leave a truncation
// error below 1e-18·x there, under half an ulp.

// asinSeries are (2k)! / (4^k (k!)² (2k+1)), k = 1…9 (exact constant expressions).
const (
	asin1 = 1.0 / 6
	asin2 = 3.0 / 40
	asin3 = 5.0 / 112
	asin4 = 35.0 / 1152
	asin5 = 63.0 / 2816
	asin6 = 231.0 / 13312
	asin7 = 143.0 / 10240
	asin8 = 6435.0 / 557056
	asin9 = 12155.0 / 1245184
)

// fastAsin is math.Asin for x in [0, 1], faster for x ≤ 1/8.
func fastAsin(x float64) float64 {
	if x > 0.125 {
		return math.Asin(x)
	}
	z := x * x
	// x + x·z·P(z): the leading term stays exact, the correction is tiny.
	return x + x*(z*(asin1+z*(asin2+z*(asin3+z*(asin4+z*(asin5+z*(asin6+z*(asin7+z*(asin8+z*asin9)))))))))
}
