// Package text turns trajectories into words: stay points (Li et al. 2008)
// labelled with the nearest point of interest and district, the streets
// along the way and the departure and arrival times, rendered as a sentence
// ("08:05 leave Southgate on Kepler Street → … → 08:31 arrive at Café Rosa
// (cafe), Downtown (business district)"). A word Tokenizer with the special
// tokens of package modality batches sentences for an encoder, and
// Instructions exports instruction-tuning examples as JSONL.
package text

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/tfm-course/course/tfm/roadnet"
	"github.com/tfm-course/course/tfm/traj"
)

// POI, District and Context are the map's types (tfm/roadnet.Map): the
// text modality describes trajectories against the same map the road
// modality matches them on.
type (
	POI      = roadnet.POI
	District = roadnet.District
	// Context is the map a trajectory is described against. Every part is
	// optional: without POIs places are named by district, without districts
	// by coordinates, without a Network no streets are named.
	Context = roadnet.Map
)

// metres is the local equirectangular projection around an origin
// (traj.LocalProjection), with metres as orb.Points.
type metres struct{ traj.LocalProjection }

func newMetres(origin orb.Point) metres { return metres{traj.NewLocalProjection(origin)} }

func (m metres) xy(p orb.Point) orb.Point {
	x, y := m.XY(p)
	return orb.Point{x, y}
}

// index is a uniform grid over local metres: each item is listed in every
// cell its bounding box touches.
type index struct {
	proj  metres
	cell  float64
	cells map[[2]int][]int
}

func newIndex(proj metres, cell float64) *index {
	return &index{proj: proj, cell: cell, cells: map[[2]int][]int{}}
}

func (ix *index) key(x, y float64) [2]int {
	return [2]int{int(math.Floor(x / ix.cell)), int(math.Floor(y / ix.cell))}
}

// add lists item id under the cells of the metre box [lo, hi].
func (ix *index) add(id int, lo, hi orb.Point) {
	a, b := ix.key(lo[0], lo[1]), ix.key(hi[0], hi[1])
	for x := a[0]; x <= b[0]; x++ {
		for y := a[1]; y <= b[1]; y++ {
			ix.cells[[2]int{x, y}] = append(ix.cells[[2]int{x, y}], id)
		}
	}
}

// near calls visit for every item listed within radius metres of p (an
// item may be visited more than once).
func (ix *index) near(p orb.Point, radius float64, visit func(id int)) {
	a, b := ix.key(p[0]-radius, p[1]-radius), ix.key(p[0]+radius, p[1]+radius)
	for x := a[0]; x <= b[0]; x++ {
		for y := a[1]; y <= b[1]; y++ {
			for _, id := range ix.cells[[2]int{x, y}] {
				visit(id)
			}
		}
	}
}

// gazetteer answers the map questions of a Describer.
type gazetteer struct {
	ctx     Context
	proj    metres
	pois    *index
	poiXY   []orb.Point
	segs    *index
	segXY   [][]orb.Point // geometry of each segment in metres
	dBounds []orb.Bound   // bounding box of each district
}

func newGazetteer(ctx Context) (*gazetteer, error) {
	if err := ctx.Validate(); err != nil {
		return nil, err
	}
	var origin orb.Point
	switch {
	case ctx.Network != nil && len(ctx.Network.Nodes) > 0:
		origin = ctx.Network.Bound().Center()
	case len(ctx.POIs) > 0:
		origin = ctx.POIs[0].Point
	case len(ctx.Districts) > 0:
		origin = ctx.Districts[0].Polygon.Bound().Center()
	}
	g := &gazetteer{ctx: ctx, proj: newMetres(origin)}
	for _, d := range ctx.Districts {
		g.dBounds = append(g.dBounds, d.Polygon.Bound())
	}
	g.pois = newIndex(g.proj, 250)
	for i, p := range ctx.POIs {
		xy := g.proj.xy(p.Point)
		g.poiXY = append(g.poiXY, xy)
		g.pois.add(i, xy, xy)
	}
	if ctx.Network != nil {
		g.segs = newIndex(g.proj, 100)
		g.segXY = make([][]orb.Point, len(ctx.Network.Segments))
		for i, s := range ctx.Network.Segments {
			if s.Name == "" || (s.Reverse >= 0 && s.Reverse < i) {
				continue // unnamed, or the other direction is indexed
			}
			xy := make([]orb.Point, len(s.Geometry))
			lo := orb.Point{math.Inf(1), math.Inf(1)}
			hi := orb.Point{math.Inf(-1), math.Inf(-1)}
			for j, p := range s.Geometry {
				xy[j] = g.proj.xy(p)
				lo = orb.Point{math.Min(lo[0], xy[j][0]), math.Min(lo[1], xy[j][1])}
				hi = orb.Point{math.Max(hi[0], xy[j][0]), math.Max(hi[1], xy[j][1])}
			}
			if len(xy) == 0 {
				continue
			}
			g.segXY[i] = xy
			g.segs.add(i, lo, hi)
		}
	}
	return g, nil
}

// nearestPOI is the POI closest to p within radius metres, or -1.
func (g *gazetteer) nearestPOI(p orb.Point, radius float64) (int, float64) {
	xy := g.proj.xy(p)
	best, bestD := -1, radius
	g.pois.near(xy, radius, func(id int) {
		if d := planar.Distance(xy, g.poiXY[id]); d <= bestD && (best < 0 || d < bestD || id < best) {
			best, bestD = id, d
		}
	})
	return best, bestD
}

// district is the index of the first district containing p, or -1.
func (g *gazetteer) district(p orb.Point) int {
	for i, d := range g.ctx.Districts {
		if g.dBounds[i].Contains(p) && planar.PolygonContains(d.Polygon, p) {
			return i
		}
	}
	return -1
}

// street is the name of the nearest named segment within radius metres of
// p, or "". When the street `current` is within slack metres of the nearest,
// it is kept (hysteresis against crossing streets at intersections).
func (g *gazetteer) street(p orb.Point, radius float64, current string, slack float64) string {
	if g.segs == nil {
		return ""
	}
	xy := g.proj.xy(p)
	best, bestD, currentD := -1, radius, math.Inf(1)
	g.segs.near(xy, radius, func(id int) {
		geom := g.segXY[id]
		d := math.Inf(1)
		if len(geom) == 1 {
			d = planar.Distance(xy, geom[0])
		}
		for j := 1; j < len(geom); j++ {
			d = math.Min(d, planar.DistanceFromSegment(geom[j-1], geom[j], xy))
		}
		if current != "" && g.ctx.Network.Segments[id].Name == current {
			currentD = math.Min(currentD, d)
		}
		if d < bestD || (d == bestD && best >= 0 && id < best) {
			best, bestD = id, d
		}
	})
	if best < 0 {
		return ""
	}
	if currentD <= bestD+slack {
		return current
	}
	return g.ctx.Network.Segments[best].Name
}
