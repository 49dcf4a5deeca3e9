package distance

import "math"

// EDR (edit distance on real sequences, Chen et al. 2005), textbook borders:
// C[i][0] = i, C[0][j] = j, C[i][j] = min(C[i-1][j-1] + s, C[i-1][j] + 1,
// C[i][j-1] + 1) with s = 0 when d(a_i, b_j) ≤ ε and 1 otherwise; the distance
// is C[n][m] / max(n, m). Matches are decided on squared distances (planar) or
// squared chords (geographic), so no square root or trigonometry per cell.

// matchThreshold2 is ε² in the space the kernels compare in.
func matchThreshold2(m Metric) float64 {
	if m.Geo {
		return metresToChord2(m.Eps)
	}
	return m.Eps * m.Eps
}

func (s *Scratch) edr(m Metric, a, b *Series, abandon float64) float64 {
	norm := float64(max(a.Len(), b.Len()))
	lim := math.Inf(1)
	if !math.IsInf(abandon, 1) {
		lim = math.Floor(abandon*norm + 1e-9)
	}
	c := s.editWavefront(a, b, m.Geo, false, matchThreshold2(m), lim)
	return c / norm
}

// edrRows is the row-by-row kernel (int32 rows); the package uses the
// anti-diagonal one (editdiag.go), the tests compare them.
func (s *Scratch) edrRows(m Metric, a, b *Series, abandon float64) float64 {
	n, mm := a.Len(), b.Len()
	norm := float64(max(n, mm))
	lim := int32(math.MaxInt32)
	if t := abandon * norm; t < math.MaxInt32 {
		lim = int32(math.Floor(t + 1e-9))
	}
	prev, cur := s.ints(mm + 1)
	e2 := matchThreshold2(m)
	var c int32
	if m.Geo {
		c = edrRows3(a.ux, a.uy, a.uz, b.ux, b.uy, b.uz, prev, cur, e2, lim)
	} else {
		c = edrRows2(a.X, a.Y, b.X, b.Y, prev, cur, e2, lim)
	}
	if c < 0 {
		return math.Inf(1)
	}
	return float64(c) / norm
}

// edrRows2 returns C[n][m], or −1 when a whole row exceeds lim.
func edrRows2(ax, ay, bx, by []float64, prev, cur []int32, e2 float64, lim int32) int32 {
	m := len(bx)
	by = by[:m]
	prev, cur = prev[:m+1], cur[:m+1]
	for j := range prev {
		prev[j] = int32(j)
	}
	ay = ay[:len(ax)]
	for i, x := range ax {
		y := ay[i]
		left := int32(i + 1)
		cur[0] = left
		rowMin := left
		diag := prev[0]
		up := prev[1 : m+1]
		out := cur[1 : m+1]
		for j := 0; j < m; j++ {
			dx, dy := x-bx[j], y-by[j]
			sub := int32(1)
			if dx*dx+dy*dy <= e2 {
				sub = 0
			}
			u := up[j]
			v := min(diag+sub, min(u, left)+1)
			diag = u
			left = v
			out[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > lim {
			return -1
		}
		prev, cur = cur, prev
	}
	return prev[m]
}

func edrRows3(ax, ay, az, bx, by, bz []float64, prev, cur []int32, e2 float64, lim int32) int32 {
	m := len(bx)
	by, bz = by[:m], bz[:m]
	prev, cur = prev[:m+1], cur[:m+1]
	for j := range prev {
		prev[j] = int32(j)
	}
	ay, az = ay[:len(ax)], az[:len(ax)]
	for i, x := range ax {
		y, z := ay[i], az[i]
		left := int32(i + 1)
		cur[0] = left
		rowMin := left
		diag := prev[0]
		up := prev[1 : m+1]
		out := cur[1 : m+1]
		for j := 0; j < m; j++ {
			dx, dy, dz := x-bx[j], y-by[j], z-bz[j]
			sub := int32(1)
			if dx*dx+dy*dy+dz*dz <= e2 {
				sub = 0
			}
			u := up[j]
			v := min(diag+sub, min(u, left)+1)
			diag = u
			left = v
			out[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > lim {
			return -1
		}
		prev, cur = cur, prev
	}
	return prev[m]
}
