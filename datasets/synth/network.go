package synth

import (
	"math"
	"math/rand/v2"

	"github.com/tfm-course/course/tfm/roadnet"
)

// Road classes of the generated network (OpenStreetMap highway values) and
// their speed limits.
var speedLimitKmh = map[string]float64{
	"motorway": 110, "trunk": 80, "primary": 50, "secondary": 50, "tertiary": 40,
	"residential": 30, "unclassified": 40, "living_street": 15, "service": 20,
}

// defaultSpeedLimit is the limit (m/s) assumed for a class, used when an
// external network's segment has none.
func defaultSpeedLimit(class string) float64 {
	if v, ok := speedLimitKmh[class]; ok {
		return v / 3.6
	}
	if len(class) > 5 && class[len(class)-5:] == "_link" {
		return defaultSpeedLimit(class[:len(class)-5]) * 0.7
	}
	return 30 / 3.6
}

type protoEdge struct {
	a, b        int
	class, name string
	oneway      bool // only a→b
}

// netBuilder collects nodes (local metres) and edges before the graph is
// pruned to its largest strongly connected component.
type netBuilder struct {
	pts   []vec
	edges []protoEdge
	seen  map[[2]int]bool
}

func (nb *netBuilder) node(v vec) int {
	nb.pts = append(nb.pts, v)
	return len(nb.pts) - 1
}

func (nb *netBuilder) edge(a, b int, class, name string, oneway bool) {
	if a < 0 || b < 0 || a == b {
		return
	}
	k := [2]int{min(a, b), max(a, b)}
	if nb.seen[k] {
		return
	}
	nb.seen[k] = true
	nb.edges = append(nb.edges, protoEdge{a, b, class, name, oneway})
}

func (nb *netBuilder) nearest(p vec, among []int) int {
	best, bestD := -1, math.Inf(1)
	for _, i := range among {
		if d := nb.pts[i].distTo(p); d < bestD {
			best, bestD = i, d
		}
	}
	return best
}

// buildNetwork lays out the streets: a warped, jittered and rotated grid
// core (200 m blocks) with primary axes, secondary roads every fifth line,
// two diagonal avenues, one-way streets in the old town, missing links
// (more in parks and industrial areas); a ring road (trunk) with radial
// avenues to the outskirts, connectors, and suburbs of small crescents.
func buildNetwork(l *layout, f frame, typeAt func(x, y float64) string, rng *rand.Rand) *roadnet.Graph {
	nb := &netBuilder{seen: map[[2]int]bool{}}
	nm := newNamer(rng)
	words := nm.streets()
	nextWord := func() string {
		w := words[0]
		words = append(words[1:], w+" North")
		return w
	}

	const sp, K = 200.0, 15
	grid := make([]int, (2*K+1)*(2*K+1))
	at := func(i, j int) int {
		if i < -K || i > K || j < -K || j > K {
			return -1
		}
		return grid[(j+K)*(2*K+1)+i+K]
	}
	var gridNodes []int
	for j := -K; j <= K; j++ {
		for i := -K; i <= K; i++ {
			base := vec{float64(i) * sp, float64(j) * sp}.rotate(l.rot)
			k := (j+K)*(2*K+1) + i + K
			grid[k] = -1
			if base.norm() > l.gridRadius(base.angle()) {
				continue
			}
			p := base.add(vec{45 * math.Sin(base.y/650+l.phase[7]), 45 * math.Sin(base.x/720+l.phase[0])})
			p = p.add(vec{(rng.Float64() - 0.5) * 56, (rng.Float64() - 0.5) * 56})
			grid[k] = nb.node(p)
			gridNodes = append(gridNodes, grid[k])
		}
	}
	rowName := make([]string, 2*K+1)
	colName := make([]string, 2*K+1)
	for k := range rowName {
		rowName[k], colName[k] = nextWord(), nextWord()
	}
	class := func(k int) string {
		switch {
		case k == 0:
			return "primary"
		case k%5 == 0:
			return "secondary"
		}
		return "residential"
	}
	suffix := map[string][2]string{"primary": {"Boulevard", "Avenue"}, "secondary": {"Road", "Road"}, "residential": {"Street", "Lane"}}
	mod := func(a, m int) int { return ((a % m) + m) % m }
	dropped := func(a, b int, cls string) bool {
		if cls != "residential" {
			return false
		}
		m := nb.pts[a].add(nb.pts[b]).scale(0.5)
		p := 0.1
		switch {
		case typeAt(m.x, m.y) == Park:
			p = 0.45
		case typeAt(m.x, m.y) == Industrial:
			p = 0.25
		case m.norm() < 1500:
			p = 0.03
		}
		return rng.Float64() < p
	}
	core := func(i, j int) bool { return abs(i) <= 7 && abs(j) <= 7 }
	for j := -K; j <= K; j++ {
		for i := -K; i <= K; i++ {
			a := at(i, j)
			if a < 0 {
				continue
			}
			if b := at(i+1, j); b >= 0 { // east-west street of row j
				cls := class(j)
				if !dropped(a, b, cls) {
					name := rowName[j+K] + " " + suffix[cls][0]
					switch {
					case cls == "residential" && core(i, j) && core(i+1, j) && mod(j, 4) == 1:
						nb.edge(a, b, cls, name, true)
					case cls == "residential" && core(i, j) && core(i+1, j) && mod(j, 4) == 3:
						nb.edge(b, a, cls, name, true)
					default:
						nb.edge(a, b, cls, name, false)
					}
				}
			}
			if b := at(i, j+1); b >= 0 { // north-south street of column i
				cls := class(i)
				if !dropped(a, b, cls) {
					name := colName[i+K] + " " + suffix[cls][1]
					switch {
					case cls == "residential" && core(i, j) && core(i, j+1) && mod(i, 4) == 1:
						nb.edge(a, b, cls, name, true)
					case cls == "residential" && core(i, j) && core(i, j+1) && mod(i, 4) == 3:
						nb.edge(b, a, cls, name, true)
					default:
						nb.edge(a, b, cls, name, false)
					}
				}
			}
		}
	}
	// Two diagonal avenues through the centre.
	diag := [2]string{nextWord() + " Avenue", nextWord() + " Avenue"}
	for k := -K; k < K; k++ {
		nb.edge(at(k, k), at(k+1, k+1), "secondary", diag[0], false)
		nb.edge(at(k, -k), at(k+1, -k-1), "secondary", diag[1], false)
	}

	// Ring road.
	const M = 56
	ring := make([]int, M)
	for m := range M {
		t := 2*math.Pi*float64(m)/M + (rng.Float64()-0.5)*0.04
		ring[m] = nb.node(polar(l.ringRadius(t), t))
	}
	for m := range M {
		nb.edge(ring[m], ring[(m+1)%M], "trunk", "Ring Road", false)
	}
	// Radial avenues from the edge of the grid through the ring outwards.
	usedRing := map[int]bool{}
	for r, t := range l.radial {
		name := townWords[r] + " Road"
		best, bestR := -1, 0.0
		for _, n := range gridNodes {
			d := math.Abs(math.Remainder(nb.pts[n].angle()-t, 2*math.Pi))
			if d < 0.12 && nb.pts[n].norm() > bestR {
				best, bestR = n, nb.pts[n].norm()
			}
		}
		rn := nb.nearest(polar(l.ringRadius(t), t), ring)
		usedRing[rn] = true
		nb.edge(best, rn, "primary", name, false)
		mid := nb.node(polar(3750, t+(rng.Float64()-0.5)*0.02))
		end := nb.node(polar(4250, t+(rng.Float64()-0.5)*0.03))
		nb.edge(rn, mid, "primary", name, false)
		nb.edge(mid, end, "primary", name, false)
	}
	// Connectors from the ring to the grid.
	for m := 2; m < M; m += 4 {
		if usedRing[ring[m]] || usedRing[ring[(m+1)%M]] || usedRing[ring[(m+M-1)%M]] {
			continue
		}
		g := nb.nearest(nb.pts[ring[m]], gridNodes)
		if nb.pts[g].distTo(nb.pts[ring[m]]) < 800 {
			nb.edge(ring[m], g, "secondary", nextWord()+" Road", false)
		}
	}
	// Suburbs: small street grids beyond the ring, between radials.
	for _, k := range rng.Perm(8)[:5] {
		t := l.radial[k] + math.Pi/8
		radialDir, tangent := polar(1, t), polar(1, t+math.Pi/2)
		c := polar(3800, t)
		var ids [3][4]int
		names := [3]string{nextWord() + " Close", nextWord() + " Crescent", nextWord() + " Gardens"}
		for b := range 3 {
			for a := range 4 {
				p := c.add(tangent.scale((float64(a) - 1.5) * 180)).add(radialDir.scale((float64(b) - 1) * 170))
				ids[b][a] = nb.node(p.add(vec{(rng.Float64() - 0.5) * 40, (rng.Float64() - 0.5) * 40}))
			}
		}
		for b := range 3 {
			for a := range 4 {
				if a+1 < 4 {
					nb.edge(ids[b][a], ids[b][a+1], "residential", names[b], false)
				}
				if b+1 < 3 && (a == 0 || a == 3 || rng.Float64() < 0.5) {
					nb.edge(ids[b][a], ids[b+1][a], "residential", names[b], false)
				}
			}
		}
		nb.edge(ids[0][1], nb.nearest(nb.pts[ids[0][1]], ring), "tertiary", nm.place()+" Lane", false)
	}

	// Build, keep the largest strongly connected component, rebuild.
	full := nb.graph(f, nil)
	return nb.graph(f, largestSCC(full))
}

// graph turns the builder into a roadnet.Graph, keeping only nodes with
// keep[i] (all when keep is nil); node ids are renumbered in order.
func (nb *netBuilder) graph(f frame, keep []bool) *roadnet.Graph {
	g := &roadnet.Graph{}
	id := make([]int, len(nb.pts))
	for i, p := range nb.pts {
		id[i] = -1
		if keep == nil || keep[i] {
			id[i] = g.AddNode(roundPoint(f.toLL(p.x, p.y)), 0)
		}
	}
	for _, e := range nb.edges {
		a, b := id[e.a], id[e.b]
		if a < 0 || b < 0 {
			continue
		}
		lim := defaultSpeedLimit(e.class)
		if e.oneway {
			g.AddSegment(a, b, nil, lim, e.class, e.name)
		} else {
			g.AddTwoWay(a, b, nil, lim, e.class, e.name)
		}
	}
	return g
}

func abs(a int) int {
	if a < 0 {
		return -a
	}
	return a
}

// largestSCC marks the nodes of the graph's largest strongly connected
// component (Tarjan's algorithm, iterative; ties go to the component found
// first).
func largestSCC(g *roadnet.Graph) []bool {
	n := len(g.Nodes)
	index, low, comp := make([]int, n), make([]int, n), make([]int, n)
	onStack := make([]bool, n)
	for i := range index {
		index[i], comp[i] = -1, -1
	}
	var stack, sizes []int
	type call struct{ v, next int }
	counter := 0
	for s := range n {
		if index[s] >= 0 {
			continue
		}
		calls := []call{{s, 0}}
		index[s], low[s] = counter, counter
		counter++
		stack = append(stack, s)
		onStack[s] = true
		for len(calls) > 0 {
			top := &calls[len(calls)-1]
			v := top.v
			if top.next < len(g.Out[v]) {
				w := g.Segments[g.Out[v][top.next]].To
				top.next++
				if index[w] < 0 {
					index[w], low[w] = counter, counter
					counter++
					stack = append(stack, w)
					onStack[w] = true
					calls = append(calls, call{w, 0})
				} else if onStack[w] {
					low[v] = min(low[v], index[w])
				}
				continue
			}
			if low[v] == index[v] {
				size := 0
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					comp[w] = len(sizes)
					size++
					if w == v {
						break
					}
				}
				sizes = append(sizes, size)
			}
			calls = calls[:len(calls)-1]
			if len(calls) > 0 {
				u := calls[len(calls)-1].v
				low[u] = min(low[u], low[v])
			}
		}
	}
	best := 0
	for c, s := range sizes {
		if s > sizes[best] {
			best = c
		}
	}
	keep := make([]bool, n)
	for i := range keep {
		keep[i] = len(sizes) > 0 && comp[i] == best
	}
	return keep
}
