package traj

import (
	"math"

	"github.com/paulmach/orb"
)

// EarthRadius is the radius (metres) of the sphere every distance, length
// and local projection of the course is computed on: the Earth's mean
// radius R₁ = (2a + b)/3 of WGS-84 (IUGG), 6,371,008.8 m. One degree of
// latitude is EarthRadius·π/180 ≈ 111,195 m.
//
// orb's geo package uses the WGS-84 equatorial radius (orb.EarthRadius,
// 6,378,137 m, 0.11 % larger) instead: use Haversine and LocalProjection
// rather than geo.Distance*, geo.Length* so that every package measures
// with the same radius.
const EarthRadius = 6371008.8

// degree is one degree in radians.
const degree = math.Pi / 180

// Haversine is the great-circle distance in metres between a and b
// ([lon, lat] in degrees) on the sphere of radius EarthRadius. It is
// symmetric, 0 for equal points and accurate for all distances (antipodes
// included).
func Haversine(a, b orb.Point) float64 {
	s1 := math.Sin((b[1] - a[1]) * degree / 2)
	s2 := math.Sin((b[0] - a[0]) * degree / 2)
	h := s1*s1 + math.Cos(a[1]*degree)*math.Cos(b[1]*degree)*s2*s2
	return 2 * EarthRadius * math.Atan2(math.Sqrt(h), math.Sqrt(math.Max(0, 1-h)))
}

// HaversineLength is the length in metres of the polyline ls: the sum of the
// Haversine distances of its consecutive points (0 for fewer than two).
func HaversineLength(ls orb.LineString) float64 {
	var d float64
	for i := 1; i < len(ls); i++ {
		d += Haversine(ls[i-1], ls[i])
	}
	return d
}

// LocalProjection is an equirectangular projection around an origin on the
// sphere of radius EarthRadius: x metres east and y metres north of the
// origin are the longitude and latitude differences scaled by the metres
// per degree, the east-west scale being true at one latitude (the
// origin's, unless built with NewLocalProjectionAt). Over a city (tens of
// km) its distances are within 0.1 % of Haversine — far below GPS noise —
// and XY and LonLat are each other's inverse up to rounding.
//
// Build it with NewLocalProjection: the zero value (and a literal with only
// Origin) has no scale.
type LocalProjection struct {
	Origin orb.Point // [lon, lat] in degrees, at (0, 0) metres
	kx, ky float64   // metres per degree of longitude / latitude
}

// NewLocalProjection centres a projection on origin ([lon, lat] degrees).
func NewLocalProjection(origin orb.Point) LocalProjection {
	return NewLocalProjectionAt(origin, origin[1])
}

// NewLocalProjectionAt is a projection with (0, 0) at origin whose east-west
// scale is true at latitude lat (degrees) instead of the origin's: e.g. a
// grid anchored at a bound's south-west corner, scaled at its centre.
func NewLocalProjectionAt(origin orb.Point, lat float64) LocalProjection {
	const ky = EarthRadius * degree
	return LocalProjection{Origin: origin, kx: ky * math.Cos(lat*math.Pi/180), ky: ky}
}

// XY projects q ([lon, lat] degrees) to metres east and north of the origin.
func (p LocalProjection) XY(q orb.Point) (x, y float64) {
	return (q[0] - p.Origin[0]) * p.kx, (q[1] - p.Origin[1]) * p.ky
}

// LonLat is the inverse of XY: the [lon, lat] x metres east and y metres
// north of the origin.
func (p LocalProjection) LonLat(x, y float64) orb.Point {
	return orb.Point{p.Origin[0] + x/p.kx, p.Origin[1] + y/p.ky}
}

// MetresPerDegree is the scale of the projection: metres per degree of
// longitude (at the scale latitude) and of latitude.
func (p LocalProjection) MetresPerDegree() (lon, lat float64) { return p.kx, p.ky }
