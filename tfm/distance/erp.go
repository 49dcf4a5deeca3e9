package distance

import "math"

// ERP (edit distance with real penalty, Chen & Ng 2004) with gap point g and
// textbook cumulative borders: C[0][0] = 0, C[i][0] = Σ_{k≤i} d(a_k, g),
// C[0][j] = Σ_{k≤j} d(b_k, g), C[i][j] = min(C[i-1][j-1] + d(a_i, b_j),
// C[i-1][j] + d(a_i, g), C[i][j-1] + d(b_j, g)); the distance is C[n][m].
// erp is the row-by-row kernel; the package uses the anti-diagonal one
// (erpdiag.go), and the tests compare the two.
func (s *Scratch) erp(m Metric, a, b *Series, abandon float64) float64 {
	mm := b.Len()
	prev, cur := s.floats(mm + 1)
	if cap(s.gap) < 2*mm {
		s.gap = make([]float64, 2*mm)
	}
	gb, drow := s.gap[:mm], s.gap[mm:2*mm]
	gapA := func(i int) float64 { return erpGapDist(m, a, i) }
	for j := range gb {
		gb[j] = erpGapDist(m, b, j)
	}
	prev[0] = 0
	for j := 0; j < mm; j++ {
		prev[j+1] = prev[j] + gb[j]
	}
	bx, by := b.X[:mm], b.Y[:mm]
	bux, buy, buz := b.ux, b.uy, b.uz
	if m.Geo {
		bux, buy, buz = bux[:mm], buy[:mm], buz[:mm]
	}
	for i := range a.X {
		if m.Geo {
			geoRow(a.ux[i], a.uy[i], a.uz[i], bux, buy, buz, drow)
		} else {
			planarRow(a.X[i], a.Y[i], bx, by, drow)
		}
		if erpRow(prev, cur, drow, gb, gapA(i)) > abandon {
			return math.Inf(1)
		}
		prev, cur = cur, prev
	}
	return prev[mm]
}

// erpRow computes one row from the previous one, the row's point distances
// d, the gap costs gb of b's points and ga of the row's point; it returns the
// row's minimum.
func erpRow(prev, cur, d, gb []float64, ga float64) float64 {
	m := len(d)
	gb = gb[:m]
	left := prev[0] + ga
	cur[0] = left
	rowMin := left
	diag := prev[0]
	up := prev[1 : m+1]
	out := cur[1 : m+1]
	for j, dj := range d {
		u := up[j]
		v := diag + dj
		if w := u + ga; w < v {
			v = w
		}
		if w := left + gb[j]; w < v {
			v = w
		}
		diag = u
		left = v
		out[j] = v
		if v < rowMin {
			rowMin = v
		}
	}
	return rowMin
}

// erpGapDist is d(s_i, g).
func erpGapDist(m Metric, s *Series, i int) float64 {
	if m.Geo {
		gx, gy, gz := unitVector(m.Gap[0], m.Gap[1])
		dx, dy, dz := s.ux[i]-gx, s.uy[i]-gy, s.uz[i]-gz
		return chord2ToMetres(dx*dx + dy*dy + dz*dz)
	}
	dx, dy := s.X[i]-m.Gap[0], s.Y[i]-m.Gap[1]
	return math.Sqrt(dx*dx + dy*dy)
}
