// Package roadnet is the road network: intersections (nodes) joined by
// directed road segments, with shortest paths over them. The synthetic city
// and OpenStreetMap imports produce a Graph; map matching runs on one.
package roadnet

import (
	"container/heap"
	"fmt"
	"math"

	"github.com/paulmach/orb"

	"github.com/tfm-course/course/tfm/traj"
)

// Node is an intersection or a way's end.
type Node struct {
	ID    int
	Point orb.Point // [lon, lat]
	OSMID int64     // 0 when not from OSM
}

// Segment is a directed road segment from one node to another. A two-way
// street is two segments, one each way.
type Segment struct {
	ID         int
	From, To   int            // node ids
	Geometry   orb.LineString // From's point first, To's point last
	Length     float64        // metres along Geometry
	SpeedLimit float64        // m/s
	Class      string         // e.g. "primary", "residential"
	Name       string         // street name, "" when unnamed
	Reverse    int            // id of the opposite segment, -1 when one-way
}

// Graph is a directed road network. Node and segment ids are their indices.
type Graph struct {
	Nodes    []Node
	Segments []Segment
	Out      [][]int // Out[node] = ids of segments leaving node
	In       [][]int // In[node] = ids of segments entering node
}

// AddNode appends a node and returns its id.
func (g *Graph) AddNode(p orb.Point, osmID int64) int {
	id := len(g.Nodes)
	g.Nodes = append(g.Nodes, Node{ID: id, Point: p, OSMID: osmID})
	g.Out = append(g.Out, nil)
	g.In = append(g.In, nil)
	return id
}

// AddSegment appends a directed segment from→to. With geometry nil the
// segment is the straight line between the nodes. Length is computed
// (haversine) from the geometry. It returns the segment id.
func (g *Graph) AddSegment(from, to int, geometry orb.LineString, speedLimit float64, class, name string) int {
	if geometry == nil {
		geometry = orb.LineString{g.Nodes[from].Point, g.Nodes[to].Point}
	}
	id := len(g.Segments)
	g.Segments = append(g.Segments, Segment{
		ID: id, From: from, To: to, Geometry: geometry,
		Length: traj.HaversineLength(geometry), SpeedLimit: speedLimit,
		Class: class, Name: name, Reverse: -1,
	})
	g.Out[from] = append(g.Out[from], id)
	g.In[to] = append(g.In[to], id)
	return id
}

// AddTwoWay adds a segment each way and links them as each other's Reverse.
// It returns the ids (from→to, to→from).
func (g *Graph) AddTwoWay(from, to int, geometry orb.LineString, speedLimit float64, class, name string) (int, int) {
	a := g.AddSegment(from, to, geometry, speedLimit, class, name)
	var back orb.LineString
	if geometry != nil {
		back = make(orb.LineString, len(geometry))
		for i, p := range geometry {
			back[len(geometry)-1-i] = p
		}
	}
	b := g.AddSegment(to, from, back, speedLimit, class, name)
	g.Segments[a].Reverse, g.Segments[b].Reverse = b, a
	return a, b
}

// Bound is the bounding box of all nodes.
func (g *Graph) Bound() orb.Bound {
	if len(g.Nodes) == 0 {
		return orb.Bound{}
	}
	b := orb.Bound{Min: g.Nodes[0].Point, Max: g.Nodes[0].Point}
	for _, n := range g.Nodes {
		b = b.Extend(n.Point)
	}
	return b
}

// Validate reports an empty graph or dangling references.
func (g *Graph) Validate() error {
	if len(g.Nodes) == 0 || len(g.Segments) == 0 {
		return fmt.Errorf("road network is empty (%d nodes, %d segments)", len(g.Nodes), len(g.Segments))
	}
	for _, s := range g.Segments {
		if s.From < 0 || s.From >= len(g.Nodes) || s.To < 0 || s.To >= len(g.Nodes) {
			return fmt.Errorf("segment %d: node out of range", s.ID)
		}
	}
	return nil
}

// Cost gives the cost of traversing a segment (e.g. its length, or its
// travel time at some hour). It must be non-negative.
type Cost func(s *Segment) float64

// ByLength is the segment's length in metres.
func ByLength(s *Segment) float64 { return s.Length }

// ByFreeFlowTime is the time in seconds at the speed limit.
func ByFreeFlowTime(s *Segment) float64 { return s.Length / s.SpeedLimit }

// ShortestPath returns the segment ids of the cheapest route from node
// `from` to node `to` and its total cost, searching no further than maxCost
// (use math.Inf(1) for no bound). ok is false when no route exists within it.
func (g *Graph) ShortestPath(from, to int, cost Cost, maxCost float64) (path []int, total float64, ok bool) {
	dist, prev := g.Dijkstra(from, cost, maxCost, to)
	d, reached := dist[to]
	if !reached {
		return nil, 0, false
	}
	for n := to; n != from; {
		s := prev[n]
		path = append(path, s)
		n = g.Segments[s].From
	}
	for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
		path[i], path[j] = path[j], path[i]
	}
	return path, d, true
}

// Dijkstra runs a bounded single-source search from node `from`. It returns
// the settled cost of each reached node and the segment used to reach it.
// It stops early when node `stop` (>= 0) is settled or costs exceed maxCost.
func (g *Graph) Dijkstra(from int, cost Cost, maxCost float64, stop int) (dist map[int]float64, prev map[int]int) {
	dist = map[int]float64{}
	prev = map[int]int{}
	best := map[int]float64{from: 0}
	pq := &nodeQueue{{node: from, cost: 0}}
	for pq.Len() > 0 {
		it := heap.Pop(pq).(nodeItem)
		if _, done := dist[it.node]; done {
			continue
		}
		dist[it.node] = it.cost
		if it.node == stop {
			break
		}
		for _, sid := range g.Out[it.node] {
			s := &g.Segments[sid]
			c := it.cost + cost(s)
			if c > maxCost {
				continue
			}
			if b, seen := best[s.To]; seen && b <= c {
				continue
			}
			best[s.To] = c
			prev[s.To] = sid
			heap.Push(pq, nodeItem{node: s.To, cost: c})
		}
	}
	return dist, prev
}

// PathLength sums the lengths (metres) of segment ids.
func (g *Graph) PathLength(path []int) float64 {
	var l float64
	for _, s := range path {
		l += g.Segments[s].Length
	}
	return l
}

// NearestNode is a linear scan for the node closest to p (haversine). For
// repeated queries build a spatial index instead.
func (g *Graph) NearestNode(p orb.Point) int {
	best, bestD := -1, math.Inf(1)
	for _, n := range g.Nodes {
		if d := traj.Haversine(p, n.Point); d < bestD {
			best, bestD = n.ID, d
		}
	}
	return best
}

type nodeItem struct {
	node int
	cost float64
}

type nodeQueue []nodeItem

func (q nodeQueue) Len() int           { return len(q) }
func (q nodeQueue) Less(i, j int) bool { return q[i].cost < q[j].cost }
func (q nodeQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *nodeQueue) Push(x any)        { *q = append(*q, x.(nodeItem)) }
func (q *nodeQueue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}
