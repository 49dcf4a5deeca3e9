package distance

import "math"

// Anti-diagonal (wavefront) DTW. The cells of one anti-diagonal i + j = k
// depend only on the two previous anti-diagonals, not on each other, so a
// whole anti-diagonal is computed with no loop-carried dependency — four
// cells at a time with SIMD. With b's coordinates stored reversed (Series.rx,
// ry), the points a cell needs are contiguous along the anti-diagonal too.
//
// Buffers are indexed by i (row, 0…n): D[k][i] = C[i][k−i]. Borders: D[k][0]
// = C[0][k] = ∞ for k ≥ 1 and D[k][k] = C[k][0] = ∞, set explicitly because
// the three buffers rotate. Every warping path visits one of any two
// consecutive anti-diagonals, so when both minima exceed abandon, so does the
// distance.

func (s *Scratch) dtwDiagPlanar(a, b *Series, abandon float64) float64 {
	return s.dtwDiag(a, b, false, abandon)
}

func (s *Scratch) dtwDiagGeo(a, b *Series, abandon float64) float64 {
	return s.dtwDiag(a, b, true, abandon)
}

func (s *Scratch) dtwDiag(a, b *Series, geo bool, abandon float64) float64 {
	return s.wavefront(a, b, geo, false, abandon)
}

// wavefront runs the anti-diagonal recursion: DTW (sum) or, with frechet,
// the discrete Fréchet max/min on squared distances (planar) or squared
// chords (geographic) — then abandon is in those squared units too.
func (s *Scratch) wavefront(a, b *Series, geo, frechet bool, abandon float64) float64 {
	n, m := len(a.X), len(b.X)
	if cap(s.d0) < 3*(n+1) {
		s.d0 = make([]float64, 3*(n+1))
	}
	buf := s.d0[:3*(n+1)]
	d2, d1, d0 := buf[:n+1], buf[n+1:2*(n+1)], buf[2*(n+1):]
	inf := math.Inf(1)
	// k = 0 in d1 and k = 1 in d0 (rotated into d2, d1 at the loop's start).
	d1[0] = 0
	d0[0], d0[1] = inf, inf
	prevMin := 0.0
	for k := 2; k <= n+m; k++ {
		d2, d1, d0 = d1, d0, d2
		lo, hi := max(1, k-m), min(n, k-1)
		t := m - k + lo // reversed index of b_{k−lo} (1-based j = k − i)
		cnt := hi - lo + 1
		var cur float64
		switch {
		case frechet && geo:
			cur = diagCellsFrechet3(a.ux[lo-1:hi], a.uy[lo-1:hi], a.uz[lo-1:hi], b.rux[t:t+cnt], b.ruy[t:t+cnt], b.ruz[t:t+cnt],
				d2[lo-1:hi], d1[lo-1:hi], d1[lo:hi+1], d0[lo:hi+1])
		case frechet:
			cur = diagCellsFrechet3(a.X[lo-1:hi], a.Y[lo-1:hi], nil, b.rx[t:t+cnt], b.ry[t:t+cnt], nil,
				d2[lo-1:hi], d1[lo-1:hi], d1[lo:hi+1], d0[lo:hi+1])
		case geo:
			cur = diagCellsGeo(a.ux[lo-1:hi], a.uy[lo-1:hi], a.uz[lo-1:hi], b.rux[t:t+cnt], b.ruy[t:t+cnt], b.ruz[t:t+cnt],
				d2[lo-1:hi], d1[lo-1:hi], d1[lo:hi+1], d0[lo:hi+1])
		default:
			cur = diagCellsPlanar(a.X[lo-1:hi], a.Y[lo-1:hi], b.rx[t:t+cnt], b.ry[t:t+cnt],
				d2[lo-1:hi], d1[lo-1:hi], d1[lo:hi+1], d0[lo:hi+1])
		}
		d0[0] = inf
		if k <= n {
			d0[k] = inf
		}
		if min(cur, prevMin) > abandon {
			return inf
		}
		prevMin = cur
	}
	return d0[n]
}

// diagCellsPlanarScalar fills out[t] = |a_t − b_t| + min(diag[t], up[t],
// left[t]) and returns the minimum of out.
func diagCellsPlanarScalar(ax, ay, bx, by, diag, up, left, out []float64) float64 {
	n := len(out)
	ax, ay, bx, by = ax[:n], ay[:n], bx[:n], by[:n]
	diag, up, left = diag[:n], up[:n], left[:n]
	mn := math.Inf(1)
	for t := range out {
		dx, dy := ax[t]-bx[t], ay[t]-by[t]
		best := diag[t]
		if up[t] < best {
			best = up[t]
		}
		if left[t] < best {
			best = left[t]
		}
		v := math.Sqrt(dx*dx+dy*dy) + best
		out[t] = v
		if v < mn {
			mn = v
		}
	}
	return mn
}

// diagCellsGeoScalar is diagCellsPlanarScalar with great-circle metres
// between unit vectors.
func diagCellsGeoScalar(ax, ay, az, bx, by, bz, diag, up, left, out []float64) float64 {
	n := len(out)
	ax, ay, az, bx, by, bz = ax[:n], ay[:n], az[:n], bx[:n], by[:n], bz[:n]
	diag, up, left = diag[:n], up[:n], left[:n]
	mn := math.Inf(1)
	const twoR = 2 * EarthRadius
	for t := range out {
		dx, dy, dz := ax[t]-bx[t], ay[t]-by[t], az[t]-bz[t]
		best := diag[t]
		if up[t] < best {
			best = up[t]
		}
		if left[t] < best {
			best = left[t]
		}
		v := twoR*fastAsin(min(1, 0.5*math.Sqrt(dx*dx+dy*dy+dz*dz))) + best
		out[t] = v
		if v < mn {
			mn = v
		}
	}
	return mn
}

// diagCellsFrechet3Scalar fills out[t] = max(|a_t − b_t|², min(diag[t],
// up[t], left[t])) with 3-D points (2-D when az and bz are nil) and returns
// the minimum of out.
func diagCellsFrechet3Scalar(ax, ay, az, bx, by, bz, diag, up, left, out []float64) float64 {
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
		v := max(d, min(diag[t], up[t], left[t]))
		out[t] = v
		mn = min(mn, v)
	}
	return mn
}
