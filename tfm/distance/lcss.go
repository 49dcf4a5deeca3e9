package distance

import "math"

// LCSS distance: 1 − L / min(n, m), where L is the length of the longest
// common subsequence under the ε match (d(a_i, b_j) ≤ ε):
// L[i][0] = L[0][j] = 0, L[i][j] = L[i-1][j-1] + 1 on a match, else
// max(L[i-1][j], L[i][j-1]).
func (s *Scratch) lcss(m Metric, a, b *Series) float64 {
	l := s.editWavefront(a, b, m.Geo, true, matchThreshold2(m), math.Inf(1))
	return 1 - l/float64(min(a.Len(), b.Len()))
}

// lcssRows is the row-by-row kernel (int32 rows); the package uses the
// anti-diagonal one (editdiag.go), the tests compare them.
func (s *Scratch) lcssRows(m Metric, a, b *Series) float64 {
	n, mm := a.Len(), b.Len()
	prev, cur := s.ints(mm + 1)
	e2 := matchThreshold2(m)
	var l int32
	if m.Geo {
		l = lcssRows3(a.ux, a.uy, a.uz, b.ux, b.uy, b.uz, prev, cur, e2)
	} else {
		l = lcssRows2(a.X, a.Y, b.X, b.Y, prev, cur, e2)
	}
	return 1 - float64(l)/float64(min(n, mm))
}

func lcssRows2(ax, ay, bx, by []float64, prev, cur []int32, e2 float64) int32 {
	m := len(bx)
	by = by[:m]
	prev, cur = prev[:m+1], cur[:m+1]
	clear(prev)
	ay = ay[:len(ax)]
	for i, x := range ax {
		y := ay[i]
		cur[0] = 0
		left := int32(0)
		diag := int32(0)
		up := prev[1 : m+1]
		out := cur[1 : m+1]
		for j := 0; j < m; j++ {
			dx, dy := x-bx[j], y-by[j]
			u := up[j]
			v := max(u, left)
			if dx*dx+dy*dy <= e2 {
				v = diag + 1
			}
			diag = u
			left = v
			out[j] = v
		}
		prev, cur = cur, prev
	}
	return prev[m]
}

func lcssRows3(ax, ay, az, bx, by, bz []float64, prev, cur []int32, e2 float64) int32 {
	m := len(bx)
	by, bz = by[:m], bz[:m]
	prev, cur = prev[:m+1], cur[:m+1]
	clear(prev)
	ay, az = ay[:len(ax)], az[:len(ax)]
	for i, x := range ax {
		y, z := ay[i], az[i]
		cur[0] = 0
		left := int32(0)
		diag := int32(0)
		up := prev[1 : m+1]
		out := cur[1 : m+1]
		for j := 0; j < m; j++ {
			dx, dy, dz := x-bx[j], y-by[j], z-bz[j]
			u := up[j]
			v := max(u, left)
			if dx*dx+dy*dy+dz*dz <= e2 {
				v = diag + 1
			}
			diag = u
			left = v
			out[j] = v
		}
		prev, cur = cur, prev
	}
	return prev[m]
}
