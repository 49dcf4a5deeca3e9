package distance

import "math"

// Hausdorff distance: max(h(A, B), h(B, A)) with the directed
// h(A, B) = max over vertices a of A of the distance from a to B's polyline
// (point-to-segment, not vertex-to-vertex, as traj-dist).
//
// Exact with early breaking (Taha & Hanbury 2015): the scan over B's segments
// for one vertex stops as soon as it finds a distance at or below the current
// maximum, since that vertex can no longer raise it; the scan starts at the
// segment nearest to the previous vertex, which on trajectories is usually
// the nearest one again.
func hausdorff(geo bool, a, b *Series) float64 {
	h := max(directedHausdorff2(geo, a, b), directedHausdorff2(geo, b, a))
	if geo {
		return chord2ToMetres(h)
	}
	return math.Sqrt(h)
}

// directedHausdorff2 is the squared (chord) directed Hausdorff distance.
func directedHausdorff2(geo bool, a, b *Series) float64 {
	cmax := 0.0
	hint := 0
	var d float64
	for i := range a.X {
		if geo {
			d, hint = geoPointPolyline2(b, a.ux[i], a.uy[i], a.uz[i], hint, cmax)
		} else {
			d, hint = pointPolyline2(b, a.X[i], a.Y[i], hint, cmax)
		}
		if d > cmax {
			cmax = d
		}
	}
	return cmax
}
