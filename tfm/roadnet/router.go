package roadnet

import "math"

// Router runs many bounded shortest-path searches (by segment length) on one
// graph without allocating: distances live in arrays reset by a generation
// stamp. A Router is not safe for concurrent use; make one per goroutine.
type Router struct {
	g      *Graph
	dist   []float64
	prev   []int32 // segment used to reach the node
	first  []int32 // first segment of the path to the node
	seen   []uint32
	done   []uint32
	target []uint32
	gen    uint32
	heap   []routeItem
	src    int
}

type routeItem struct {
	cost float64
	node int32
}

// NewRouter prepares a router for g.
func NewRouter(g *Graph) *Router {
	n := len(g.Nodes)
	return &Router{g: g, dist: make([]float64, n), prev: make([]int32, n), first: make([]int32, n),
		seen: make([]uint32, n), done: make([]uint32, n), target: make([]uint32, n)}
}

func (r *Router) next() {
	r.gen++
	if r.gen == 0 {
		clear(r.seen)
		clear(r.done)
		clear(r.target)
		r.gen = 1
	}
}

// Search runs Dijkstra from node src over segment lengths, settling nodes
// up to bound metres, and stops early once every node of targets is
// settled. Afterwards Dist and Path answer for any node.
func (r *Router) Search(src int, targets []int, bound float64) {
	r.next()
	r.src = src
	g := r.g
	left := 0
	for _, t := range targets {
		if r.target[t] != r.gen {
			r.target[t] = r.gen
			left++
		}
	}
	r.heap = r.heap[:0]
	r.dist[src], r.prev[src], r.first[src], r.seen[src] = 0, -1, -1, r.gen
	r.push(routeItem{0, int32(src)})
	for len(r.heap) > 0 {
		it := r.pop()
		u := int(it.node)
		if r.done[u] == r.gen || it.cost > r.dist[u] {
			continue
		}
		r.done[u] = r.gen
		if r.target[u] == r.gen {
			left--
			if left == 0 {
				return
			}
		}
		for _, sid := range g.Out[u] {
			s := &g.Segments[sid]
			c := it.cost + s.Length
			if c > bound {
				continue
			}
			v := s.To
			if r.seen[v] == r.gen && r.dist[v] <= c {
				continue
			}
			r.seen[v], r.dist[v], r.prev[v] = r.gen, c, int32(sid)
			if u == src {
				r.first[v] = int32(sid)
			} else {
				r.first[v] = r.first[u]
			}
			r.push(routeItem{c, int32(v)})
		}
	}
}

// Dist is the settled distance (m) of node n in the last Search, +Inf when
// it was not reached within the bound (or the search stopped before it).
func (r *Router) Dist(n int) float64 {
	if r.done[n] != r.gen {
		return math.Inf(1)
	}
	return r.dist[n]
}

// Ends are the first and last segments of the path to settled node n
// (-1, -1 for the source itself).
func (r *Router) Ends(n int) (first, last int) {
	return int(r.first[n]), int(r.prev[n])
}

// Path appends to out the segment ids from the last Search's source to node
// n (which must be settled) and returns it.
func (r *Router) Path(n int, out []int) []int {
	start := len(out)
	for n != r.src {
		s := int(r.prev[n])
		out = append(out, s)
		n = r.g.Segments[s].From
	}
	for i, j := start, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

func (r *Router) push(it routeItem) {
	h := append(r.heap, it)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if h[p].cost <= it.cost {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = it
	r.heap = h
}

func (r *Router) pop() routeItem {
	h := r.heap
	top := h[0]
	last := h[len(h)-1]
	h = h[:len(h)-1]
	n := len(h)
	i := 0
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && h[c+1].cost < h[c].cost {
			c++
		}
		if last.cost <= h[c].cost {
			break
		}
		h[i] = h[c]
		i = c
	}
	if n > 0 {
		h[i] = last
	}
	r.heap = h
	return top
}
