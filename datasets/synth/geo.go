package synth

import (
	"math"

	"github.com/paulmach/orb"

	"github.com/tfm-course/course/tfm/traj"
)

// frame is the city's local projection (traj.LocalProjection, on the
// sphere of traj.EarthRadius): x metres east and y metres north of an
// origin. Over a city (≤ 20 km) its error is far below GPS noise.
type frame struct {
	traj.LocalProjection
	kx, ky float64 // metres per degree of longitude / latitude
}

func newFrame(origin orb.Point) frame {
	p := traj.NewLocalProjection(origin)
	kx, ky := p.MetresPerDegree()
	return frame{LocalProjection: p, kx: kx, ky: ky}
}

func (f frame) toLL(x, y float64) orb.Point { return f.LonLat(x, y) }

func (f frame) toXY(p orb.Point) (x, y float64) { return f.XY(p) }

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
