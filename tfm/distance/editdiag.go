package distance

import "math"

// Anti-diagonal EDR and LCSS (the wavefront of dtwdiag.go), with the counts
// held in float64 lanes (exact for any realistic length). Borders: EDR
// C[0][k] = C[k][0] = k, LCSS 0. For EDR the borders take part in the
// anti-diagonal minimum used for abandoning (abandon is in edits, not
// normalised); LCSS never abandons (pass +Inf).
func (s *Scratch) editWavefront(a, b *Series, geo, lcss bool, e2, abandon float64) float64 {
	n, m := len(a.X), len(b.X)
	if cap(s.d0) < 3*(n+1) {
		s.d0 = make([]float64, 3*(n+1))
	}
	buf := s.d0[:3*(n+1)]
	d2, d1, d0 := buf[:n+1], buf[n+1:2*(n+1)], buf[2*(n+1):]
	border := func(k int) float64 {
		if lcss {
			return 0
		}
		return float64(k)
	}
	d1[0] = 0
	d0[0], d0[1] = border(1), border(1)
	prevMin := 0.0
	for k := 2; k <= n+m; k++ {
		d2, d1, d0 = d1, d0, d2
		lo, hi := max(1, k-m), min(n, k-1)
		t := m - k + lo
		cnt := hi - lo + 1
		var cur float64
		if geo {
			cur = diagCellsEdit3(lcss, e2, a.ux[lo-1:hi], a.uy[lo-1:hi], a.uz[lo-1:hi], b.rux[t:t+cnt], b.ruy[t:t+cnt], b.ruz[t:t+cnt],
				d2[lo-1:hi], d1[lo-1:hi], d1[lo:hi+1], d0[lo:hi+1])
		} else {
			cur = diagCellsEdit3(lcss, e2, a.X[lo-1:hi], a.Y[lo-1:hi], nil, b.rx[t:t+cnt], b.ry[t:t+cnt], nil,
				d2[lo-1:hi], d1[lo-1:hi], d1[lo:hi+1], d0[lo:hi+1])
		}
		if k <= m {
			d0[0] = border(k)
			cur = min(cur, d0[0])
		}
		if k <= n {
			d0[k] = border(k)
			cur = min(cur, d0[k])
		}
		if min(cur, prevMin) > abandon {
			return math.Inf(1)
		}
		prevMin = cur
	}
	return d0[n]
}

// diagCellsEdit3Scalar fills one anti-diagonal of EDR (lcss false:
// min(diag + s, min(up, left) + 1), s = 0 on a match) or LCSS (diag + 1 on a
// match, else max(up, left)); a match is |a_t − b_t|² ≤ e2, with 3-D points
// (2-D when az and bz are nil). It returns the minimum of out.
func diagCellsEdit3Scalar(lcss bool, e2 float64, ax, ay, az, bx, by, bz, diag, up, left, out []float64) float64 {
	n := len(out)
	ax, ay, bx, by = ax[:n], ay[:n], bx[:n], by[:n]
	diag, up, left = diag[:n], up[:n], left[:n]
	mn := math.Inf(1)
	for t := range out {
		dx, dy := ax[t]-bx[t], ay[t]-by[t]
		d := dx*dx + dy*dy
		if az != nil {
			dz := az[t] - bz[t]
			d += dz * dz
		}
		var v float64
		switch {
		case lcss && d <= e2:
			v = diag[t] + 1
		case lcss:
			v = max(up[t], left[t])
		case d <= e2:
			v = min(diag[t], min(up[t], left[t])+1)
		default:
			v = min(diag[t], up[t], left[t]) + 1
		}
		out[t] = v
		mn = min(mn, v)
	}
	return mn
}
