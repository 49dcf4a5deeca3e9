package distance

import "math"

// Row kernels: the distances from one point to every point of a trajectory,
// computed in a loop with no carried dependency so they pipeline (and, with
// GOEXPERIMENT=simd on amd64, run four lanes at a time: rowdist_simd.go); the
// dynamic programmes then only add and compare.

// planarRowScalar fills out[j] = |(x, y) − (bx[j], by[j])|.
func planarRowScalar(x, y float64, bx, by, out []float64) {
	m := len(out)
	bx, by = bx[:m], by[:m]
	for j := range out {
		dx, dy := x-bx[j], y-by[j]
		out[j] = math.Sqrt(dx*dx + dy*dy)
	}
}

// geoRowScalar fills out[j] with the great-circle distance (metres) from unit
// vector (x, y, z) to (bx[j], by[j], bz[j]).
func geoRowScalar(x, y, z float64, bx, by, bz, out []float64) {
	m := len(out)
	bx, by, bz = bx[:m], by[:m], bz[:m]
	const twoR = 2 * EarthRadius
	for j := range out {
		dx, dy, dz := x-bx[j], y-by[j], z-bz[j]
		out[j] = twoR * fastAsin(min(1, 0.5*math.Sqrt(dx*dx+dy*dy+dz*dz)))
	}
}
