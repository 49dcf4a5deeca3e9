package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/tfm-course/course/tfm/roadnet"
	"github.com/tfm-course/course/tfm/traj"
)

// Rush is the city's congestion level at time t, 0 (free flow) to about 1
// (peak): Gaussian peaks at 08:00 (σ 45 min) and 17:30 (σ 60 min, height
// 0.85) on weekdays, a mild midday bump (0.25 at 13:00) at weekends.
func Rush(t time.Time) float64 {
	t = t.UTC()
	h := float64(t.Hour()) + float64(t.Minute())/60 + float64(t.Second())/3600
	g := func(mu, sigma float64) float64 { return math.Exp(-0.5 * (h - mu) * (h - mu) / (sigma * sigma)) }
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return 0.25 * g(13, 2.5)
	}
	return g(8, 0.75) + 0.85*g(17.5, 1)
}

// classCongestion is how strongly a road class slows down at rush hour: a
// car's travel time on a segment is multiplied by 1 + k·Rush(t), with k this
// value times a per-segment factor in [0.7, 1.3].
func classCongestion(class string) float64 {
	switch strings.TrimSuffix(class, "_link") {
	case "motorway", "trunk":
		return 1.7
	case "primary":
		return 1.5
	case "secondary":
		return 1.0
	case "tertiary":
		return 0.6
	}
	return 0.3
}

const busMaxSpeed = 50 / 3.6

// simulator moves agents over the network.
type simulator struct {
	c        *City
	g        *roadnet.Graph
	xy       []vec     // node positions in local metres
	limit    []float64 // segment speed limits (m/s), defaults filled in
	cong     []float64 // segment congestion sensitivity
	junction []bool    // node joins three or more neighbours
	maxLimit float64
	r        *router
}

func newSimulator(c *City, rng *rand.Rand) *simulator {
	g := c.Network
	s := &simulator{c: c, g: g, r: newRouter(g)}
	s.xy = make([]vec, len(g.Nodes))
	for i, n := range g.Nodes {
		x, y := c.frame.toXY(n.Point)
		s.xy[i] = vec{x, y}
	}
	s.limit = make([]float64, len(g.Segments))
	s.cong = make([]float64, len(g.Segments))
	for i := range g.Segments {
		seg := &g.Segments[i]
		s.limit[i] = seg.SpeedLimit
		if !(s.limit[i] > 0) || math.IsInf(s.limit[i], 0) {
			s.limit[i] = defaultSpeedLimit(seg.Class)
		}
		s.maxLimit = max(s.maxLimit, s.limit[i])
		s.cong[i] = classCongestion(seg.Class) * (0.7 + 0.6*rng.Float64())
	}
	s.junction = make([]bool, len(g.Nodes))
	for n := range g.Nodes {
		var nb []int
		for _, sid := range g.Out[n] {
			nb = append(nb, g.Segments[sid].To)
		}
		for _, sid := range g.In[n] {
			nb = append(nb, g.Segments[sid].From)
		}
		slices.Sort(nb)
		s.junction[n] = len(slices.Compact(nb)) >= 3
	}
	return s
}

// speed is the mode's speed (m/s) on segment sid entered at time t.
func (s *simulator) speed(a *Agent, mode string, sid int, t time.Time) float64 {
	lim := s.limit[sid]
	switch mode {
	case Walk:
		return a.WalkSpeed
	case Bike:
		return min(a.BikeSpeed, lim)
	case Bus:
		return min(lim, busMaxSpeed) * 0.85 / (1 + 0.8*s.cong[sid]*Rush(t))
	}
	return lim * a.DriveFactor / (1 + s.cong[sid]*Rush(t))
}

func isFast(class string) bool {
	c := strings.TrimSuffix(class, "_link")
	return c == "motorway" || c == "trunk"
}

func isMinor(class string) bool {
	switch class {
	case "residential", "living_street", "service", "unclassified", "track", "path":
		return true
	}
	return false
}

// routeCost is what each mode minimises (seconds, with penalties): walkers
// and cyclists avoid fast roads (cyclists also primaries), cars take the
// quickest route under the congestion at departure plus 6 s per junction,
// buses prefer main roads.
func (s *simulator) routeCost(a *Agent, mode string, depart time.Time) (cost func(int) float64, perMetre float64) {
	rush := Rush(depart)
	segs := s.g.Segments
	switch mode {
	case Walk:
		return func(i int) float64 {
			c := segs[i].Length / a.WalkSpeed
			if isFast(segs[i].Class) {
				c *= 4
			}
			return c
		}, 1 / a.WalkSpeed
	case Bike:
		return func(i int) float64 {
			c := segs[i].Length / a.BikeSpeed
			switch {
			case isFast(segs[i].Class):
				c *= 4
			case segs[i].Class == "primary":
				c *= 1.3
			}
			return c
		}, 1 / a.BikeSpeed
	case Bus:
		return func(i int) float64 {
			c := segs[i].Length / (min(s.limit[i], busMaxSpeed) * 0.85 / (1 + 0.8*s.cong[i]*rush))
			if isMinor(segs[i].Class) {
				c *= 2
			}
			if s.junction[segs[i].To] {
				c += 6
			}
			return c
		}, 1 / (min(s.maxLimit, busMaxSpeed) * 0.85)
	}
	return func(i int) float64 {
		c := segs[i].Length / (s.limit[i] * 0.95 / (1 + s.cong[i]*rush))
		if s.junction[segs[i].To] {
			c += 6
		}
		return c
	}, 1 / (s.maxLimit * 0.95)
}

// motion is the true movement: piecewise linear between keyframes.
type motion struct {
	t []float64 // seconds since departure, non-decreasing
	p []orb.Point
}

func (m *motion) add(t float64, p orb.Point) {
	m.t = append(m.t, t)
	m.p = append(m.p, p)
}

// at is the true position at time t (seconds since departure).
func (m *motion) at(t float64) orb.Point {
	k, _ := slices.BinarySearch(m.t, t)
	if k <= 0 {
		return m.p[0]
	}
	if k >= len(m.t) {
		return m.p[len(m.p)-1]
	}
	// Prefer the last keyframe at exactly t (end of a stop).
	for k+1 < len(m.t) && m.t[k+1] == t {
		k++
	}
	if m.t[k] == t {
		return m.p[k]
	}
	t0, t1 := m.t[k-1], m.t[k]
	u := (t - t0) / (t1 - t0)
	a, b := m.p[k-1], m.p[k]
	return orb.Point{a[0] + u*(b[0]-a[0]), a[1] + u*(b[1]-a[1])}
}

// run simulates one trip of agent a by mode from node `from` to node `to`
// leaving at depart (whole seconds): route, movement with junction delays
// and bus stops, then the GPS observation (sampling, dropouts, noise). ok is
// false when no route exists or from == to.
func (s *simulator) run(rng *rand.Rand, a *Agent, mode string, from, to int, depart time.Time) (Trip, bool) {
	if from == to {
		return Trip{}, false
	}
	cost, perMetre := s.routeCost(a, mode, depart)
	goal := s.xy[to]
	h := func(n int) float64 { return 0.98 * perMetre * s.xy[n].distTo(goal) }
	path, ok := s.r.route(from, to, cost, h)
	if !ok || len(path) == 0 {
		return Trip{}, false
	}
	f := s.c.frame
	var m motion
	m.add(0, s.g.Nodes[from].Point)
	entry := make([]time.Time, len(path))
	t := 0.0
	sinceStop, nextStop := 0.0, 300+250*rng.Float64()
	for i, sid := range path {
		seg := &s.g.Segments[sid]
		now := depart.Add(time.Duration(t * float64(time.Second)))
		entry[i] = now.Round(time.Millisecond)
		v := s.speed(a, mode, sid, now)
		if mode == Walk || mode == Bike {
			v *= 0.92 + 0.16*rng.Float64()
		} else {
			v *= 0.9 + 0.15*rng.Float64()
		}
		geom := seg.Geometry
		for k := 1; k < len(geom); k++ {
			t += f.dist(geom[k-1], geom[k]) / v
			m.add(t, geom[k])
		}
		if i == len(path)-1 {
			break
		}
		delay := 0.0
		junction := s.junction[seg.To]
		switch mode {
		case Bus:
			sinceStop += seg.Length
			if sinceStop >= nextStop {
				delay += 23 + 25*rng.Float64() // dwell, braking and pulling away
				sinceStop, nextStop = 0, 300+250*rng.Float64()
			}
			if junction && rng.Float64() < 0.35 {
				delay += (3 + 22*rng.Float64()) * (1 + Rush(now))
			}
		case Car:
			if junction && rng.Float64() < 0.35 {
				delay += (3 + 22*rng.Float64()) * (1 + Rush(now))
			}
		case Bike:
			if junction && rng.Float64() < 0.2 {
				delay += 12 * rng.Float64()
			}
		case Walk:
			if junction && rng.Float64() < 0.2 {
				delay += 20 * rng.Float64()
			}
		}
		if delay > 0 {
			t += delay
			m.add(t, geom[len(geom)-1])
		}
	}
	total := max(int(math.Ceil(t)), 1)
	tr := Trip{
		Mode: mode, From: from, To: to, DestPOI: -1,
		Depart: depart, Arrive: depart.Add(time.Duration(total) * time.Second),
		Path: path, Entry: entry,
	}
	s.observe(rng, &tr, &m, total, a)
	return tr, true
}

// observe samples the motion at irregular whole-second times, drops fixes,
// and adds Gaussian noise; it fills tr.Truth and tr.Observed.
func (s *simulator) observe(rng *rand.Rand, tr *Trip, m *motion, total int, a *Agent) {
	cfg := &s.c.Config
	iv := cfg.SamplingInterval.Seconds()
	times := []int{0}
	for cur := 0; ; {
		step := max(int(math.Round(iv*(1+cfg.SamplingJitter*(2*rng.Float64()-1)))), 1)
		if rng.Float64() < 0.02 {
			step *= 3 + rng.IntN(4)
		}
		cur += step
		if cur >= total {
			break
		}
		times = append(times, cur)
	}
	times = append(times, total)
	keep := make([]bool, len(times))
	for i := range keep {
		keep[i] = i == 0 || i == len(times)-1 || rng.Float64() >= cfg.DropoutRate
	}
	if len(times) > 6 && rng.Float64() < 2*cfg.DropoutRate {
		start, n := 1+rng.IntN(len(times)-2), 3+rng.IntN(6)
		for i := start; i < min(start+n, len(times)-1); i++ {
			keep[i] = false
		}
	}
	f := s.c.frame
	obs := &traj.Trajectory{UserID: a.ID, Mode: tr.Mode}
	for i, sec := range times {
		if !keep[i] {
			continue
		}
		at := tr.Depart.Add(time.Duration(sec) * time.Second)
		p := roundPoint(m.at(float64(sec)))
		tr.Truth = append(tr.Truth, traj.NewPoint(p[0], p[1], at))
		q := p
		if cfg.Noise > 0 {
			q = roundPoint(orb.Point{p[0] + cfg.Noise*rng.NormFloat64()/f.kx, p[1] + cfg.Noise*rng.NormFloat64()/f.ky})
		}
		obs.Points = append(obs.Points, traj.NewPoint(q[0], q[1], at))
	}
	tr.Observed = obs
}

// Simulate runs one extra trip (not added to c.Trips) of the agent with
// index agent, by mode, between road nodes from and to, leaving at depart
// (rounded to the second), with its own random stream from seed. It is how
// a notebook asks "how long at 08:00 versus 11:00?". Not safe for
// concurrent use (the city's router is reused).
func (c *City) Simulate(agent int, mode string, from, to int, depart time.Time, seed uint64) (*Trip, error) {
	if agent < 0 || agent >= len(c.Agents) {
		return nil, fmt.Errorf("synth: agent %d out of range [0, %d)", agent, len(c.Agents))
	}
	if !slices.Contains(Modes, mode) {
		return nil, fmt.Errorf("synth: unknown mode %q (want one of %v)", mode, Modes)
	}
	for _, n := range []int{from, to} {
		if n < 0 || n >= len(c.Network.Nodes) {
			return nil, fmt.Errorf("synth: node %d out of range [0, %d)", n, len(c.Network.Nodes))
		}
	}
	rng := rand.New(rand.NewPCG(seed, uint64(c.Config.Seed)))
	a := &c.Agents[agent]
	tr, ok := c.sim.run(rng, a, mode, from, to, depart.UTC().Round(time.Second))
	if !ok {
		return nil, fmt.Errorf("synth: no route from node %d to node %d", from, to)
	}
	tr.Index, tr.Agent, tr.UserID = -1, agent, a.ID
	tr.FromDistrict, tr.ToDistrict = c.NodeDistrict[from], c.NodeDistrict[to]
	tr.Observed.Labels = c.tripLabels(&tr)
	return &tr, nil
}

// router is an A* search over the network with reusable buffers.
type router struct {
	g       *roadnet.Graph
	g0      []float64
	prev    []int32
	closed  []bool
	touched []int
	heap    []hitem
}

type hitem struct {
	f    float64
	node int
}

func newRouter(g *roadnet.Graph) *router {
	r := &router{g: g, g0: make([]float64, len(g.Nodes)), prev: make([]int32, len(g.Nodes)), closed: make([]bool, len(g.Nodes))}
	for i := range r.g0 {
		r.g0[i] = math.Inf(1)
		r.prev[i] = -1
	}
	return r
}

func (r *router) less(i, j int) bool {
	a, b := r.heap[i], r.heap[j]
	return a.f < b.f || (a.f == b.f && a.node < b.node)
}

func (r *router) push(it hitem) {
	r.heap = append(r.heap, it)
	for i := len(r.heap) - 1; i > 0; {
		p := (i - 1) / 2
		if !r.less(i, p) {
			break
		}
		r.heap[i], r.heap[p] = r.heap[p], r.heap[i]
		i = p
	}
}

func (r *router) pop() hitem {
	top := r.heap[0]
	last := len(r.heap) - 1
	r.heap[0] = r.heap[last]
	r.heap = r.heap[:last]
	for i := 0; ; {
		l, m := 2*i+1, i
		if l < last && r.less(l, m) {
			m = l
		}
		if l+1 < last && r.less(l+1, m) {
			m = l + 1
		}
		if m == i {
			break
		}
		r.heap[i], r.heap[m] = r.heap[m], r.heap[i]
		i = m
	}
	return top
}

// route returns the cheapest segment path from → to under cost, guided by
// the admissible heuristic h.
func (r *router) route(from, to int, cost func(int) float64, h func(int) float64) ([]int, bool) {
	defer func() {
		for _, n := range r.touched {
			r.g0[n], r.prev[n], r.closed[n] = math.Inf(1), -1, false
		}
		r.touched, r.heap = r.touched[:0], r.heap[:0]
	}()
	r.g0[from] = 0
	r.touched = append(r.touched, from)
	r.push(hitem{h(from), from})
	for len(r.heap) > 0 {
		it := r.pop()
		v := it.node
		if r.closed[v] {
			continue
		}
		r.closed[v] = true
		if v == to {
			var path []int
			for n := to; n != from; {
				sid := int(r.prev[n])
				path = append(path, sid)
				n = r.g.Segments[sid].From
			}
			slices.Reverse(path)
			return path, true
		}
		for _, sid := range r.g.Out[v] {
			w := r.g.Segments[sid].To
			if r.closed[w] {
				continue
			}
			c := r.g0[v] + cost(sid)
			if c < r.g0[w] {
				if math.IsInf(r.g0[w], 1) {
					r.touched = append(r.touched, w)
				}
				r.g0[w], r.prev[w] = c, int32(sid)
				r.push(hitem{c + h(w), w})
			}
		}
	}
	return nil, false
}
