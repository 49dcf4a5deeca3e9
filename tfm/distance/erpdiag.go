package distance

import "math"

// Anti-diagonal ERP, the wavefront of dtwdiag.go with ERP's recursion:
// C[i][j] = min(C[i-1][j-1] + d(a_i, b_j), C[i-1][j] + d(a_i, g),
// C[i][j-1] + d(b_j, g)). The borders are cumulative gap costs, not ∞:
// D[k][0] = C[0][k] = Σ_{j≤k} d(b_j, g) and D[k][k] = C[k][0] = Σ_{i≤k} d(a_i, g);
// they are part of the anti-diagonal's minimum used for abandoning.
// Per anti-diagonal, the point distances go to a scratch slice first
// (pairDistances, SIMD), then erpDiagCells combines them (SIMD).
func (s *Scratch) erpDiag(m Metric, a, b *Series, abandon float64) float64 {
	n, mm := a.Len(), b.Len()
	need := 3*(n+1) + 2*n + mm + 2*(n+mm)
	if cap(s.d0) < need {
		s.d0 = make([]float64, need)
	}
	buf := s.d0[:need]
	d2, d1, d0 := buf[:n+1], buf[n+1:2*(n+1)], buf[2*(n+1):3*(n+1)]
	buf = buf[3*(n+1):]
	ga, dist := buf[:n], buf[n:2*n]
	rgb := buf[2*n : 2*n+mm] // d(b_j, g) in reverse order
	cumA, cumB := buf[2*n+mm:2*n+mm+n+1], buf[2*n+mm+n+1:2*n+mm+n+1+mm+1]
	for i := range ga {
		ga[i] = erpGapDist(m, a, i)
	}
	for j := 0; j < mm; j++ {
		rgb[mm-1-j] = erpGapDist(m, b, j)
	}
	cumA[0], cumB[0] = 0, 0
	for i := 0; i < n; i++ {
		cumA[i+1] = cumA[i] + ga[i]
	}
	for j := 0; j < mm; j++ {
		cumB[j+1] = cumB[j] + rgb[mm-1-j]
	}
	d1[0] = 0       // k = 0
	d0[0] = cumB[1] // C[0][1]
	d0[1] = cumA[1] // C[1][0]
	prevMin := 0.0
	for k := 2; k <= n+mm; k++ {
		d2, d1, d0 = d1, d0, d2
		lo, hi := max(1, k-mm), min(n, k-1)
		t := mm - k + lo
		cnt := hi - lo + 1
		dd := dist[:cnt]
		if m.Geo {
			pairDistancesGeo(a.ux[lo-1:hi], a.uy[lo-1:hi], a.uz[lo-1:hi], b.rux[t:t+cnt], b.ruy[t:t+cnt], b.ruz[t:t+cnt], dd)
		} else {
			pairDistancesPlanar(a.X[lo-1:hi], a.Y[lo-1:hi], b.rx[t:t+cnt], b.ry[t:t+cnt], dd)
		}
		cur := erpDiagCells(dd, d2[lo-1:hi], d1[lo-1:hi], d1[lo:hi+1], ga[lo-1:hi], rgb[t:t+cnt], d0[lo:hi+1])
		if k <= mm {
			d0[0] = cumB[k]
			cur = min(cur, d0[0])
		}
		if k <= n {
			d0[k] = cumA[k]
			cur = min(cur, d0[k])
		}
		if min(cur, prevMin) > abandon {
			return math.Inf(1)
		}
		prevMin = cur
	}
	return d0[n]
}

// pairDistancesPlanarScalar fills out[t] = |a_t − b_t|.
func pairDistancesPlanarScalar(ax, ay, bx, by, out []float64) {
	n := len(out)
	ax, ay, bx, by = ax[:n], ay[:n], bx[:n], by[:n]
	for t := range out {
		dx, dy := ax[t]-bx[t], ay[t]-by[t]
		out[t] = math.Sqrt(dx*dx + dy*dy)
	}
}

// pairDistancesGeoScalar fills out[t] with the great-circle metres between
// unit vectors a_t and b_t.
func pairDistancesGeoScalar(ax, ay, az, bx, by, bz, out []float64) {
	n := len(out)
	ax, ay, az, bx, by, bz = ax[:n], ay[:n], az[:n], bx[:n], by[:n], bz[:n]
	const twoR = 2 * EarthRadius
	for t := range out {
		dx, dy, dz := ax[t]-bx[t], ay[t]-by[t], az[t]-bz[t]
		out[t] = twoR * fastAsin(min(1, 0.5*math.Sqrt(dx*dx+dy*dy+dz*dz)))
	}
}

// erpDiagCellsScalar fills out[t] = min(diag[t] + d[t], up[t] + ga[t],
// left[t] + gb[t]) and returns the minimum of out.
func erpDiagCellsScalar(d, diag, up, left, ga, gb, out []float64) float64 {
	n := len(out)
	d, diag, up, left, ga, gb = d[:n], diag[:n], up[:n], left[:n], ga[:n], gb[:n]
	mn := math.Inf(1)
	for t := range out {
		v := diag[t] + d[t]
		if w := up[t] + ga[t]; w < v {
			v = w
		}
		if w := left[t] + gb[t]; w < v {
			v = w
		}
		out[t] = v
		if v < mn {
			mn = v
		}
	}
	return mn
}
