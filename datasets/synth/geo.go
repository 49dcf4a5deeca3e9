package synth

import (
	"math"

	"github.com/paulmach/orb"
)

const earthRadius = 6371008.8 // metres, as orb/geo

// frame is a local equirectangular projection: x metres east and y metres
// north of an origin. Over a city (≤ 20 km) its error is far below GPS noise.
type frame struct {
	lon0, lat0 float64
	kx, ky     float64 // metres per degree of longitude / latitude
}

func newFrame(origin orb.Point) frame {
	ky := earthRadius * math.Pi / 180
	return frame{lon0: origin[0], lat0: origin[1], kx: ky * math.Cos(origin[1]*math.Pi/180), ky: ky}
}

func (f frame) toLL(x, y float64) orb.Point {
	return orb.Point{f.lon0 + x/f.kx, f.lat0 + y/f.ky}
}

func (f frame) toXY(p orb.Point) (x, y float64) {
	return (p[0] - f.lon0) * f.kx, (p[1] - f.lat0) * f.ky
}

func (f frame) dist(a, b orb.Point) float64 {
	return math.Hypot((a[0]-b[0])*f.kx, (a[1]-b[1])*f.ky)
}

// round7 rounds a coordinate to 1e-7 degrees (about 1 cm), the precision the
// files are written with, so that the in-memory city equals its files.
func round7(v float64) float64 { return math.Round(v*1e7) / 1e7 }

func roundPoint(p orb.Point) orb.Point { return orb.Point{round7(p[0]), round7(p[1])} }

type vec struct{ x, y float64 }

func (a vec) sub(b vec) vec        { return vec{a.x - b.x, a.y - b.y} }
func (a vec) add(b vec) vec        { return vec{a.x + b.x, a.y + b.y} }
func (a vec) scale(s float64) vec  { return vec{a.x * s, a.y * s} }
func (a vec) norm() float64        { return math.Hypot(a.x, a.y) }
func (a vec) distTo(b vec) float64 { return a.sub(b).norm() }
func polar(r, theta float64) vec   { return vec{r * math.Cos(theta), r * math.Sin(theta)} }
func (a vec) angle() float64       { return math.Atan2(a.y, a.x) }
func (a vec) rotate(theta float64) vec {
	s, c := math.Sincos(theta)
	return vec{c*a.x - s*a.y, s*a.x + c*a.y}
}
