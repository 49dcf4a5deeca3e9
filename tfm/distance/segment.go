package distance

import "math"

// Point-to-polyline distances, the building block of Hausdorff and SSPD.
// Planar: the Euclidean distance to the closest point of each segment
// (projection clamped to the segment). Geographic: the cross-track distance
// to the segment's great circle when the point projects inside the arc, else
// the distance to the nearer end (traj-dist's rule). Both work on squared
// (chord) distances; callers convert once per point.

// pointSeg2 is the squared distance from p to the segment from the origin
// to d (inv = 1/|d|², 0 when degenerate), with p = point − start: the end
// distances outside the segment, the perpendicular (cross product) inside —
// exactly 0 for a point equal to either end.
func pointSeg2(px, py, dx, dy, inv float64) float64 {
	dot := px*dx + py*dy
	if dot <= 0 {
		return px*px + py*py
	}
	if l2 := dx*dx + dy*dy; dot >= l2 {
		qx, qy := px-dx, py-dy
		return qx*qx + qy*qy
	}
	cr := px*dy - py*dx
	return cr * cr * inv
}

// pointPolyline2 returns the squared distance from (x, y) to b's polyline,
// scanning segments from hint (wrapping) and stopping as soon as the minimum
// drops to stop or below (pass -1 for the exact minimum). It also returns the
// segment that attained the minimum, a good hint for the next point.
func pointPolyline2(b *Series, x, y float64, hint int, stop float64) (float64, int) {
	nseg := len(b.segDX)
	if nseg == 0 {
		dx, dy := x-b.X[0], y-b.Y[0]
		return dx*dx + dy*dy, 0
	}
	bx, by := b.X[:nseg], b.Y[:nseg]
	sdx, sdy, inv := b.segDX[:nseg], b.segDY[:nseg], b.segInv[:nseg]
	best, arg := math.Inf(1), hint
	k := hint
	for c := 0; c < nseg; c++ {
		d := pointSeg2(x-bx[k], y-by[k], sdx[k], sdy[k], inv[k])
		if d < best {
			best, arg = d, k
			if best <= stop {
				break
			}
		}
		k++
		if k == nseg {
			k = 0
		}
	}
	return best, arg
}

// pointPolylineSum returns Σ_i dist(a_i, b's polyline) (planar, exact).
func pointPolylineSum(a, b *Series) float64 {
	var sum float64
	if len(b.segDX) == 0 {
		bx0, by0 := b.X[0], b.Y[0]
		for i, x := range a.X {
			dx, dy := x-bx0, a.Y[i]-by0
			sum += math.Sqrt(dx*dx + dy*dy)
		}
		return sum
	}
	ay := a.Y[:len(a.X)]
	for i, x := range a.X {
		sum += math.Sqrt(polylineMin2(x, ay[i], b))
	}
	return sum
}

// polylineMin2Scalar is the squared distance from (x, y) to b's polyline
// (at least one segment).
func polylineMin2Scalar(x, y float64, b *Series) float64 {
	nseg := len(b.segDX)
	bx, by := b.X[:nseg], b.Y[:nseg]
	sdx, sdy, inv := b.segDX[:nseg], b.segDY[:nseg], b.segInv[:nseg]
	best := math.Inf(1)
	for k := range sdx {
		best = min(best, pointSeg2(x-bx[k], y-by[k], sdx[k], sdy[k], inv[k]))
	}
	return best
}

// geoPointSeg2 is the squared chord from unit vector p to arc k of b. Dot
// products are taken with p − A (or p − B), small vectors, for accuracy; the
// result is never above the chords to the two ends (so a vertex lying on the
// arc's end gives exactly 0).
func geoPointSeg2(b *Series, k int, px, py, pz float64) float64 {
	ax, ay, az := px-b.ux[k], py-b.uy[k], pz-b.uz[k]
	bx, by, bz := px-b.ux[k+1], py-b.uy[k+1], pz-b.uz[k+1]
	d := min(ax*ax+ay*ay+az*az, bx*bx+by*by+bz*bz)
	g := &b.gseg[k]
	if !g.degenerate && ax*g.tax+ay*g.tay+az*g.taz >= 0 && bx*g.tbx+by*g.tby+bz*g.tbz >= 0 {
		s := ax*g.nx + ay*g.ny + az*g.nz
		s2 := min(s*s, 1)
		// chord² of the cross-track angle asin|s|: 2 − 2cos = 2s²/(1+√(1−s²)).
		d = min(d, 2*s2/(1+math.Sqrt(1-s2)))
	}
	return d
}

// geoPointPolyline2 is pointPolyline2 on the sphere (squared chords).
func geoPointPolyline2(b *Series, px, py, pz float64, hint int, stop float64) (float64, int) {
	nseg := len(b.gseg)
	if nseg == 0 {
		dx, dy, dz := px-b.ux[0], py-b.uy[0], pz-b.uz[0]
		return dx*dx + dy*dy + dz*dz, 0
	}
	best, arg := math.Inf(1), hint
	k := hint
	for c := 0; c < nseg; c++ {
		d := geoPointSeg2(b, k, px, py, pz)
		if d < best {
			best, arg = d, k
			if best <= stop {
				break
			}
		}
		k++
		if k == nseg {
			k = 0
		}
	}
	return best, arg
}
