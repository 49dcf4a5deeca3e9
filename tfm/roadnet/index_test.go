package roadnet

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// The grid index finds exactly the segments a brute-force scan finds.
func TestIndexNearMatchesBruteForce(t *testing.T) {
	g, _ := andorra(t)
	ix := NewIndex(g, 50)
	rng := rand.New(rand.NewPCG(1, 2))
	b := g.Bound()
	xy := make([][][2]float64, len(g.Segments)) // projected geometries
	for i, s := range g.Segments {
		for _, p := range s.Geometry {
			x, y := ix.Proj.XY(p)
			xy[i] = append(xy[i], [2]float64{x, y})
		}
	}
	for q := 0; q < 100; q++ {
		// Points near random nodes, so most queries have candidates.
		n := g.Nodes[rng.IntN(len(g.Nodes))].Point
		p := orb.Point{n[0] + (rng.Float64()-0.5)*0.001, n[1] + (rng.Float64()-0.5)*0.001}
		if !b.Contains(p) {
			continue
		}
		got := ix.Near(p, 40)
		want := map[int]float64{}
		x, y := ix.Proj.XY(p)
		for _, s := range g.Segments {
			best := math.Inf(1)
			for k := 1; k < len(xy[s.ID]); k++ {
				a, c := xy[s.ID][k-1], xy[s.ID][k]
				best = math.Min(best, pointSegDist(x, y, a[0], a[1], c[0], c[1]))
			}
			if best <= 40 {
				want[s.ID] = best
			}
		}
		if len(got) != len(want) {
			t.Fatalf("query %d: %d candidates, brute force %d", q, len(got), len(want))
		}
		for i, c := range got {
			if math.Abs(c.Distance-want[c.Segment]) > 1e-6 || (i > 0 && c.Distance < got[i-1].Distance) {
				t.Fatalf("query %d: candidate %+v, brute force %.3f", q, c, want[c.Segment])
			}
			if c.Offset < 0 || c.Offset > g.Segments[c.Segment].Length {
				t.Fatalf("offset %v outside segment of %v m", c.Offset, g.Segments[c.Segment].Length)
			}
			if d := Haversine(c.Point, g.PointAt(c.Segment, c.Offset)); d > 0.5 {
				t.Fatalf("projected point and PointAt(offset) %.2f m apart", d)
			}
		}
	}
}

func pointSegDist(x, y, ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	t := 0.0
	if l2 := dx*dx + dy*dy; l2 > 0 {
		t = math.Min(math.Max(((x-ax)*dx+(y-ay)*dy)/l2, 0), 1)
	}
	return math.Hypot(x-(ax+t*dx), y-(ay+t*dy))
}

func TestRouterMatchesShortestPath(t *testing.T) {
	g, _ := andorra(t)
	r := NewRouter(g)
	rng := rand.New(rand.NewPCG(3, 4))
	for q := 0; q < 50; q++ {
		a, b := rng.IntN(len(g.Nodes)), rng.IntN(len(g.Nodes))
		path, d, ok := g.ShortestPath(a, b, ByLength, math.Inf(1))
		r.Search(a, []int{b}, math.Inf(1))
		got := r.Dist(b)
		if !ok {
			if !math.IsInf(got, 1) {
				t.Fatalf("%d→%d: router found %v, ShortestPath none", a, b, got)
			}
			continue
		}
		if math.Abs(got-d) > 1e-6 || math.Abs(g.PathLength(r.Path(b, nil))-d) > 1e-6 {
			t.Fatalf("%d→%d: router %v (path %v), ShortestPath %v (%v)", a, b, got, r.Path(b, nil), d, path)
		}
	}
}
