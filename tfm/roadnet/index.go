package roadnet

import (
	"math"
	"sort"

	"github.com/paulmach/orb"

	"github.com/tfm-course/course/tfm/traj"
)

// LocalProjection maps lon/lat to planar metres around an origin
// (equirectangular: exact enough for a city or a small country). It is
// traj.LocalProjection, on the sphere of traj.EarthRadius like Haversine and
// Segment.Length, so planar and great-circle lengths agree.
type LocalProjection = traj.LocalProjection

// NewLocalProjection centres a projection on origin
// (traj.NewLocalProjection).
func NewLocalProjection(origin orb.Point) LocalProjection { return traj.NewLocalProjection(origin) }

// Candidate is a segment near a query point.
type Candidate struct {
	Segment  int       // segment id
	Distance float64   // metres from the query point to the segment
	Offset   float64   // metres along the segment (0 at From) of the projection
	Point    orb.Point // the projected point on the segment
}

// edge is one straight piece of a segment's geometry, in projected metres.
type edge struct {
	seg            int32
	ax, ay, dx, dy float64 // start and direction (end - start)
	len2           float64 // squared planar length
	start          float64 // planar metres along the segment at the piece's start
	scale          float64 // segment Length / planar length (offsets in Segment.Length units)
}

// Index is a uniform-grid spatial index over a graph's segments (planar
// metres), answering "which segments pass within r of this point".
type Index struct {
	Graph    *Graph
	Proj     LocalProjection
	CellSize float64 // metres

	minX, minY float64
	nx, ny     int
	cellStart  []int32 // CSR: cell c holds items[cellStart[c]:cellStart[c+1]]
	items      []int32 // edge ids
	edges      []edge
}

// NewIndex builds an index with cells of cellSize metres (<= 0: 100 m).
func NewIndex(g *Graph, cellSize float64) *Index {
	if cellSize <= 0 {
		cellSize = 100
	}
	b := g.Bound()
	ix := &Index{Graph: g, Proj: NewLocalProjection(b.Center()), CellSize: cellSize}
	// Planar pieces of every segment.
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for si := range g.Segments {
		s := &g.Segments[si]
		first := len(ix.edges)
		var along float64
		for k := 1; k < len(s.Geometry); k++ {
			ax, ay := ix.Proj.XY(s.Geometry[k-1])
			bx, by := ix.Proj.XY(s.Geometry[k])
			dx, dy := bx-ax, by-ay
			l2 := dx*dx + dy*dy
			ix.edges = append(ix.edges, edge{seg: int32(si), ax: ax, ay: ay, dx: dx, dy: dy, len2: l2, start: along})
			along += math.Sqrt(l2)
			minX, minY = math.Min(minX, math.Min(ax, bx)), math.Min(minY, math.Min(ay, by))
			maxX, maxY = math.Max(maxX, math.Max(ax, bx)), math.Max(maxY, math.Max(ay, by))
		}
		scale := 1.0
		if along > 0 {
			scale = s.Length / along
		}
		for e := first; e < len(ix.edges); e++ {
			ix.edges[e].scale = scale
		}
	}
	if len(ix.edges) == 0 {
		return ix
	}
	ix.minX, ix.minY = minX, minY
	ix.nx = int((maxX-minX)/cellSize) + 1
	ix.ny = int((maxY-minY)/cellSize) + 1
	// (cell, edge) pairs: each edge walked in steps of at most half a cell.
	type pair struct{ cell, edge int32 }
	var pairs []pair
	for ei := range ix.edges {
		e := &ix.edges[ei]
		steps := int(math.Sqrt(e.len2)/(cellSize/2)) + 1
		last := int32(-1)
		for k := 0; k <= steps; k++ {
			t := float64(k) / float64(steps)
			c := int32(ix.cellOf(e.ax+t*e.dx, e.ay+t*e.dy))
			if c != last {
				pairs = append(pairs, pair{c, int32(ei)})
				last = c
			}
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].cell != pairs[j].cell {
			return pairs[i].cell < pairs[j].cell
		}
		return pairs[i].edge < pairs[j].edge
	})
	ix.cellStart = make([]int32, ix.nx*ix.ny+1)
	ix.items = make([]int32, 0, len(pairs))
	for i, p := range pairs {
		if i > 0 && pairs[i-1] == p {
			continue
		}
		ix.items = append(ix.items, p.edge)
		ix.cellStart[p.cell+1]++
	}
	for c := 1; c < len(ix.cellStart); c++ {
		ix.cellStart[c] += ix.cellStart[c-1]
	}
	return ix
}

func (ix *Index) cellOf(x, y float64) int {
	cx := int((x - ix.minX) / ix.CellSize)
	cy := int((y - ix.minY) / ix.CellSize)
	cx = min(max(cx, 0), ix.nx-1)
	cy = min(max(cy, 0), ix.ny-1)
	return cy*ix.nx + cx
}

// Near returns the segments within r metres of p, nearest first; each
// segment appears once, at its closest point.
func (ix *Index) Near(p orb.Point, r float64) []Candidate {
	var s nearScratch
	return ix.near(p, r, 0, &s, nil)
}

// nearScratch is per-goroutine state for near (segment -> slot stamps).
type nearScratch struct {
	stamp []uint32
	slot  []int32
	gen   uint32
}

// near appends to out the candidates within r of p (at most k nearest
// when k > 0), sorted by distance.
func (ix *Index) near(p orb.Point, r float64, k int, s *nearScratch, out []Candidate) []Candidate {
	out = out[:0]
	if ix.nx == 0 {
		return out
	}
	if len(s.stamp) != len(ix.Graph.Segments) {
		s.stamp = make([]uint32, len(ix.Graph.Segments))
		s.slot = make([]int32, len(ix.Graph.Segments))
		s.gen = 0
	}
	s.gen++
	if s.gen == 0 { // wrapped: clear
		clear(s.stamp)
		s.gen = 1
	}
	x, y := ix.Proj.XY(p)
	cx0 := int(math.Floor((x - r - ix.minX) / ix.CellSize))
	cx1 := int(math.Floor((x + r - ix.minX) / ix.CellSize))
	cy0 := int(math.Floor((y - r - ix.minY) / ix.CellSize))
	cy1 := int(math.Floor((y + r - ix.minY) / ix.CellSize))
	if cx1 < 0 || cy1 < 0 || cx0 >= ix.nx || cy0 >= ix.ny {
		return out
	}
	cx0, cy0 = max(cx0, 0), max(cy0, 0)
	cx1, cy1 = min(cx1, ix.nx-1), min(cy1, ix.ny-1)
	r2 := r * r
	for cy := cy0; cy <= cy1; cy++ {
		for cx := cx0; cx <= cx1; cx++ {
			c := cy*ix.nx + cx
			for _, ei := range ix.items[ix.cellStart[c]:ix.cellStart[c+1]] {
				e := &ix.edges[ei]
				t := 0.0
				if e.len2 > 0 {
					t = ((x-e.ax)*e.dx + (y-e.ay)*e.dy) / e.len2
					t = min(max(t, 0), 1)
				}
				px, py := e.ax+t*e.dx, e.ay+t*e.dy
				d2 := (x-px)*(x-px) + (y-py)*(y-py)
				if d2 > r2 {
					continue
				}
				seg := e.seg
				if s.stamp[seg] == s.gen {
					cand := &out[s.slot[seg]]
					if d2 >= cand.Distance {
						continue
					}
					cand.Distance, cand.Offset, cand.Point = d2, (e.start+t*math.Sqrt(e.len2))*e.scale, orb.Point{px, py}
					continue
				}
				s.stamp[seg] = s.gen
				s.slot[seg] = int32(len(out))
				out = append(out, Candidate{Segment: int(seg), Distance: d2, Offset: (e.start + t*math.Sqrt(e.len2)) * e.scale, Point: orb.Point{px, py}})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Distance != out[j].Distance {
			return out[i].Distance < out[j].Distance
		}
		return out[i].Segment < out[j].Segment
	})
	if k > 0 && len(out) > k {
		out = out[:k]
	}
	for i := range out {
		c := &out[i]
		c.Distance = math.Sqrt(c.Distance)
		c.Point = ix.Proj.LonLat(c.Point[0], c.Point[1])
		if l := ix.Graph.Segments[c.Segment].Length; c.Offset > l {
			c.Offset = l
		}
	}
	return out
}

// PointAt is the lon/lat point offset metres along segment seg.
func (g *Graph) PointAt(seg int, offset float64) orb.Point {
	s := &g.Segments[seg]
	if offset <= 0 || len(s.Geometry) < 2 {
		return s.Geometry[0]
	}
	var along float64
	for k := 1; k < len(s.Geometry); k++ {
		d := haversine(s.Geometry[k-1], s.Geometry[k])
		if along+d >= offset && d > 0 {
			t := (offset - along) / d
			a, b := s.Geometry[k-1], s.Geometry[k]
			return orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
		}
		along += d
	}
	return s.Geometry[len(s.Geometry)-1]
}

// haversine is the great-circle distance in metres (traj.Haversine).
func haversine(a, b orb.Point) float64 { return traj.Haversine(a, b) }

// Haversine is the great-circle distance in metres (traj.Haversine, on the
// sphere of traj.EarthRadius).
func Haversine(a, b orb.Point) float64 { return traj.Haversine(a, b) }
