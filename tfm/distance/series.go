// Package distance computes classical trajectory distances — DTW, discrete
// and continuous Fréchet, Hausdorff, SSPD, EDR, LCSS and ERP — exactly, on
// planar coordinates (Euclidean) or on longitude/latitude (haversine metres),
// with parallel all-pairs matrices and early-abandoning k-nearest-neighbour
// search. See README.md for the definitions and where traj-dist departs.
package distance

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"

	"github.com/tfm-course/course/tfm/traj"
)

// EarthRadius is the sphere radius (metres) of the geographic metrics:
// traj.EarthRadius, the mean radius every package of the course measures
// with (traj-dist uses the WGS-84 equatorial radius, 6378137 m, so its
// geographic distances are 0.11 % larger).
const EarthRadius = traj.EarthRadius

// Series is a trajectory prepared for distance computations: coordinates in
// separate slices (structure of arrays) plus per-segment quantities
// precomputed once, so the O(n·m) inner loops only multiply and add.
//
// For geographic metrics X is the longitude and Y the latitude in degrees;
// each point is also kept as a unit vector on the sphere so that a haversine
// distance is a function of the chord |u−v| (no trigonometry per cell).
// X and Y are read-only once the series is built (the precomputed data
// would go stale).
type Series struct {
	ID   string
	X, Y []float64

	// Planar segment k runs from point k to k+1: direction (segDX, segDY) and
	// 1/|direction|² (0 for a degenerate segment).
	segDX, segDY, segInv   []float64
	minX, minY, maxX, maxY float64
	// The coordinates in reverse order (anti-diagonal DTW, dtwdiag.go).
	rx, ry []float64

	// Geographic: unit vectors, per-segment great-circle data (see geoSeg),
	// the unit vectors' bounding box, and why the series is not valid
	// lon/lat (nil when it is).
	ux, uy, uz    []float64
	rux, ruy, ruz []float64 // reversed
	gseg          []geoSeg
	// The same per-segment data as separate slices for the SIMD kernels; a
	// degenerate segment has NaN tangents (so no point projects inside it).
	gsoa       [9][]float64 // nx, ny, nz, tax, tay, taz, tbx, tby, tbz
	gmin, gmax [3]float64
	gbulge     float64
	geoErr     error
}

// geoSeg holds, for the arc from unit vector A to B, the unit normal n of its
// great circle and the tangents ta = n×A (at A, towards B) and tb = B×n (at B,
// towards A): a point P projects inside the arc iff P·ta ≥ 0 and P·tb ≥ 0.
// degenerate is set when A and B coincide (or are antipodal).
type geoSeg struct {
	nx, ny, nz    float64
	tax, tay, taz float64
	tbx, tby, tbz float64
	theta         float64 // arc angle in radians
	degenerate    bool
}

// New prepares a series from coordinate slices (x, y or lon, lat in
// degrees). It fails on empty input, unequal lengths or non-finite values.
func New(xs, ys []float64) (*Series, error) {
	if len(xs) != len(ys) {
		return nil, fmt.Errorf("distance: %d x values but %d y values", len(xs), len(ys))
	}
	if len(xs) == 0 {
		return nil, fmt.Errorf("distance: empty trajectory")
	}
	for i := range xs {
		if math.IsNaN(xs[i]) || math.IsInf(xs[i], 0) || math.IsNaN(ys[i]) || math.IsInf(ys[i], 0) {
			return nil, fmt.Errorf("distance: point %d is not finite (%v, %v)", i, xs[i], ys[i])
		}
	}
	s := &Series{X: append([]float64(nil), xs...), Y: append([]float64(nil), ys...)}
	s.prepare()
	return s, nil
}

// FromLineString prepares a series from an orb.LineString ([x, y] or [lon, lat]).
func FromLineString(ls orb.LineString) (*Series, error) {
	xs := make([]float64, len(ls))
	ys := make([]float64, len(ls))
	for i, p := range ls {
		xs[i], ys[i] = p[0], p[1]
	}
	return New(xs, ys)
}

// FromTrajectory prepares a series from a trajectory's positions (lon, lat);
// errors name the trajectory.
func FromTrajectory(t *traj.Trajectory) (*Series, error) {
	xs := make([]float64, len(t.Points))
	ys := make([]float64, len(t.Points))
	for i, p := range t.Points {
		xs[i], ys[i] = p.Lon(), p.Lat()
	}
	s, err := New(xs, ys)
	if err != nil {
		return nil, fmt.Errorf("trajectory %q: %w", t.ID, err)
	}
	s.ID = t.ID
	return s, nil
}

// FromTrajectories prepares every trajectory of a list.
func FromTrajectories(ts []*traj.Trajectory) ([]*Series, error) {
	out := make([]*Series, len(ts))
	for i, t := range ts {
		s, err := FromTrajectory(t)
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// Len is the number of points.
func (s *Series) Len() int { return len(s.X) }

func (s *Series) prepare() {
	n := len(s.X)
	s.minX, s.minY, s.maxX, s.maxY = math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for i := 0; i < n; i++ {
		s.minX, s.maxX = min(s.minX, s.X[i]), max(s.maxX, s.X[i])
		s.minY, s.maxY = min(s.minY, s.Y[i]), max(s.maxY, s.Y[i])
	}
	s.rx, s.ry = make([]float64, n), make([]float64, n)
	for i := 0; i < n; i++ {
		s.rx[i], s.ry[i] = s.X[n-1-i], s.Y[n-1-i]
	}
	if n > 1 {
		s.segDX = make([]float64, n-1)
		s.segDY = make([]float64, n-1)
		s.segInv = make([]float64, n-1)
		for k := 0; k < n-1; k++ {
			dx, dy := s.X[k+1]-s.X[k], s.Y[k+1]-s.Y[k]
			s.segDX[k], s.segDY[k] = dx, dy
			if l2 := dx*dx + dy*dy; l2 > 0 {
				s.segInv[k] = 1 / l2
			}
		}
	}
	for i := 0; i < n; i++ {
		if s.Y[i] < -90 || s.Y[i] > 90 || s.X[i] < -180 || s.X[i] > 180 {
			s.geoErr = fmt.Errorf("point %d (%v, %v) is not a valid lon/lat", i, s.X[i], s.Y[i])
			return
		}
	}
	s.ux, s.uy, s.uz = make([]float64, n), make([]float64, n), make([]float64, n)
	s.rux, s.ruy, s.ruz = make([]float64, n), make([]float64, n), make([]float64, n)
	s.gmin = [3]float64{math.Inf(1), math.Inf(1), math.Inf(1)}
	s.gmax = [3]float64{math.Inf(-1), math.Inf(-1), math.Inf(-1)}
	for i := 0; i < n; i++ {
		x, y, z := unitVector(s.X[i], s.Y[i])
		s.ux[i], s.uy[i], s.uz[i] = x, y, z
		s.rux[n-1-i], s.ruy[n-1-i], s.ruz[n-1-i] = x, y, z
		s.gmin = [3]float64{min(s.gmin[0], x), min(s.gmin[1], y), min(s.gmin[2], z)}
		s.gmax = [3]float64{max(s.gmax[0], x), max(s.gmax[1], y), max(s.gmax[2], z)}
	}
	if n > 1 {
		s.gseg = make([]geoSeg, n-1)
		for k := 0; k < n-1; k++ {
			s.gseg[k] = newGeoSeg(s.ux[k], s.uy[k], s.uz[k], s.ux[k+1], s.uy[k+1], s.uz[k+1])
			g := &s.gseg[k]
			vals := [9]float64{g.nx, g.ny, g.nz, g.tax, g.tay, g.taz, g.tbx, g.tby, g.tbz}
			if g.degenerate {
				vals = [9]float64{0, 0, 0, math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN()}
			}
			for c := range s.gsoa {
				if s.gsoa[c] == nil {
					s.gsoa[c] = make([]float64, n-1)
				}
				s.gsoa[c][k] = vals[c]
			}
			sn := math.Sin(s.gseg[k].theta / 4)
			s.gbulge = max(s.gbulge, 2*sn*sn)
		}
	}
}

// unitVector maps lon/lat degrees to a point on the unit sphere.
func unitVector(lon, lat float64) (x, y, z float64) {
	la, lo := lat*math.Pi/180, lon*math.Pi/180
	cl := math.Cos(la)
	return cl * math.Cos(lo), cl * math.Sin(lo), math.Sin(la)
}

func newGeoSeg(ax, ay, az, bx, by, bz float64) geoSeg {
	// n ∝ A×(B−A) = A×B, computed from the small difference for accuracy.
	dx, dy, dz := bx-ax, by-ay, bz-az
	nx, ny, nz := ay*dz-az*dy, az*dx-ax*dz, ax*dy-ay*dx
	nn := math.Sqrt(nx*nx + ny*ny + nz*nz)
	if nn < 1e-15 {
		return geoSeg{degenerate: true}
	}
	nx, ny, nz = nx/nn, ny/nn, nz/nn
	g := geoSeg{nx: nx, ny: ny, nz: nz}
	g.tax, g.tay, g.taz = ny*az-nz*ay, nz*ax-nx*az, nx*ay-ny*ax
	g.tbx, g.tby, g.tbz = by*nz-bz*ny, bz*nx-bx*nz, bx*ny-by*nx
	g.theta = 2 * math.Asin(min(1, 0.5*math.Sqrt(dx*dx+dy*dy+dz*dz)))
	return g
}

// chord2ToMetres converts a squared chord between unit vectors to the
// great-circle distance in metres: 2R·asin(|chord|/2).
func chord2ToMetres(c2 float64) float64 {
	return 2 * EarthRadius * fastAsin(min(1, 0.5*math.Sqrt(c2)))
}

// metresToChord2 is the inverse of chord2ToMetres (distances ≥ πR map to 4).
func metresToChord2(d float64) float64 {
	if d >= math.Pi*EarthRadius {
		return 4
	}
	c := 2 * math.Sin(d/(2*EarthRadius))
	return c * c
}

// Haversine is the great-circle distance in metres between two lon/lat points
// (degrees), with Earth radius EarthRadius (traj.Haversine).
func Haversine(lon1, lat1, lon2, lat2 float64) float64 {
	return traj.Haversine(orb.Point{lon1, lat1}, orb.Point{lon2, lat2})
}
