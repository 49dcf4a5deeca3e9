package distance

import "math"

// DTW (dynamic time warping), textbook form: C[0][0] = 0, C[i][0] = C[0][j] = +Inf,
// C[i][j] = d(a_i, b_j) + min(C[i-1][j-1], C[i-1][j], C[i][j-1]); the distance is
// C[n][m], the unnormalised sum of point distances along the best warping path.
//
// The package computes it by anti-diagonals (dtwdiag.go). The row kernels
// here keep two rows of C and carry the left neighbour in a register (the only
// loop-carried dependency is d + min(·, left)); they are the reference the
// tests and benchmarks compare the wavefront with.

// dtwPlanar is the row-by-row kernel (a SIMD row of distances, then the
// recursion); the package uses the anti-diagonal kernel (dtwdiag.go), and
// the tests and benchmarks compare the two.
func (s *Scratch) dtwPlanar(a, b *Series, abandon float64) float64 {
	m := len(b.X)
	prev, cur := s.floats(m + 1)
	if cap(s.gap) < m {
		s.gap = make([]float64, m)
	}
	drow := s.gap[:m]
	prev[0] = 0
	inf := math.Inf(1)
	for j := 1; j <= m; j++ {
		prev[j] = inf
	}
	ay := a.Y[:len(a.X)]
	for i, x := range a.X {
		planarRow(x, ay[i], b.X, b.Y, drow)
		if dtwRow(prev, cur, drow) > abandon {
			return inf
		}
		prev, cur = cur, prev
	}
	return prev[m]
}

// dtwRow computes one row of the recursion from the previous one and the
// row's point distances d, and returns the row's minimum. The left neighbour
// stays in a register: the only loop-carried dependency is d + min(·, left).
func dtwRow(prev, cur, d []float64) float64 {
	m := len(d)
	inf := math.Inf(1)
	cur[0] = inf
	left := inf
	diag := prev[0]
	rowMin := inf
	up := prev[1 : m+1]
	out := cur[1 : m+1]
	for j, dj := range d {
		u := up[j]
		best := diag
		if u < best {
			best = u
		}
		diag = u
		if left < best {
			best = left
		}
		left = dj + best
		out[j] = left
		if left < rowMin {
			rowMin = left
		}
	}
	return rowMin
}

// dtwGeo is dtwPlanar on the sphere (the reference for dtwDiagGeo).
func (s *Scratch) dtwGeo(a, b *Series, abandon float64) float64 {
	m := len(b.X)
	prev, cur := s.floats(m + 1)
	if cap(s.gap) < m {
		s.gap = make([]float64, m)
	}
	drow := s.gap[:m]
	prev[0] = 0
	inf := math.Inf(1)
	for j := 1; j <= m; j++ {
		prev[j] = inf
	}
	az, ay := a.uz[:len(a.ux)], a.uy[:len(a.ux)]
	for i, x := range a.ux {
		// Distances first, in a loop without a carried dependency (the arcsine
		// pipelines), then the recursion over them.
		geoRow(x, ay[i], az[i], b.ux, b.uy, b.uz, drow)
		if dtwRow(prev, cur, drow) > abandon {
			return inf
		}
		prev, cur = cur, prev
	}
	return prev[m]
}
