package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb/planar"
	"github.com/tfm-course/course/tfm/roadnet"
)

// Parameters of the after city (Config.Drift).
const (
	driftYear         = 52 * 7 // days from the before city's StartDate to the after city's (same weekdays)
	estateSpacing     = 100.0  // metres between the new estate's streets
	ringRadius        = 2300.0 // metres from the centre to the new ring section
	ringStep          = 250.0  // metres between its nodes
	centreRadius      = 1500.0 // segments closer to the centre get CentreCongestion
	centreCongestion  = 1.4
	relief            = 0.6 // the ring road under the new section
	bikeSwitch        = 0.35
	bikeSwitchMaxKm   = 6.0
	newAgentShare     = 0.2
	newResidentsShare = 0.75
)

// DriftReport is what changed between the city as it was (Config.Drift
// false) and the after city of the same seed. Node, segment, POI and agent
// ids of the before city keep their meaning: everything new is appended
// after them, and closed segments keep their ids and geometry but leave the
// routing graph (they are in Network.Segments, not in Network.Out/In).
type DriftReport struct {
	// StartDate is the after city's first day: 52 weeks after the before
	// city's (same weekdays).
	StartDate time.Time `json:"start_date"`
	// NewDistrict (index into City.Districts) was parkland and is now a
	// residential estate, named NewDistrictName (formerly FormerName).
	NewDistrict     int    `json:"new_district"`
	NewDistrictName string `json:"new_district_name"`
	FormerName      string `json:"former_name"`
	FormerType      string `json:"former_type"`
	// OldNodes and OldSegments are the before city's counts: ids at or above
	// them are new.
	OldNodes    int `json:"old_nodes"`
	OldSegments int `json:"old_segments"`
	// EstateSegments are the new district's streets and their links to the
	// old ones; RingSegments the new ring section ("Middle Ring Road": a
	// primary quarter circle 2.3 km from the centre) and its tertiary links
	// to the nearest old streets. Directed, ids in increasing order.
	EstateSegments []int `json:"estate_segments"`
	RingSegments   []int `json:"ring_segments"`
	// ClosedSegments (both directions) are the closed road: the two-way
	// primary segment on most free-flow routes between random node pairs
	// whose closure leaves every node reachable (the city has no river: it
	// stands in for a closed bridge). ClosedRoad is its street name.
	ClosedSegments []int  `json:"closed_segments"`
	ClosedRoad     string `json:"closed_road"`
	// CentreCongestion multiplies the rush-hour sensitivity of the
	// CongestedSegments within 1.5 km of the centre; RingRelief that of the
	// RelievedSegments, the old main roads (not residential) beyond 1.5 km in
	// the quarter of the city the ring section runs through.
	CentreCongestion  float64 `json:"centre_congestion"`
	CongestedSegments int     `json:"congested_segments"`
	RingRelief        float64 `json:"ring_relief"`
	RelievedSegments  int     `json:"relieved_segments"`
	// BikeSwitch is the probability that a tour which would go by car
	// (longest leg under 6 km) goes by bike instead (a bike-share scheme).
	BikeSwitch float64 `json:"bike_switch"`
	// ModeShareBefore and ModeShareAfter are the trips' mode shares, in the
	// order of Modes.
	ModeShareBefore []float64 `json:"mode_share_before"`
	ModeShareAfter  []float64 `json:"mode_share_after"`
	// NewAgents are appended after the before city's agents; NewResidents of
	// them live in the new district.
	NewAgents    int `json:"new_agents"`
	NewResidents int `json:"new_residents"`
	// NewPOIs are appended after the before city's POIs, in the new district.
	NewPOIs int `json:"new_pois"`
	// TripsInNewDistrict start or end in the new district; TripsOnNewRoads
	// use at least one new segment.
	TripsInNewDistrict int `json:"trips_in_new_district"`
	TripsOnNewRoads    int `json:"trips_on_new_roads"`
}

// String is a few lines on what changed.
func (r *DriftReport) String() string {
	var b strings.Builder
	share := func(v []float64) string {
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = fmt.Sprintf("%s %.0f%%", Modes[i], 100*x)
		}
		return strings.Join(parts, ", ")
	}
	fmt.Fprintf(&b, "after city from %s (52 weeks later)\n", r.StartDate.Format(time.DateOnly))
	fmt.Fprintf(&b, "new district: %s (%s, formerly %s %s), %d new agents (%d living there), %d new POIs, %d trips start or end there\n",
		r.NewDistrictName, Residential, r.FormerType, r.FormerName, r.NewAgents, r.NewResidents, r.NewPOIs, r.TripsInNewDistrict)
	fmt.Fprintf(&b, "new roads: %d estate and %d ring-section segments (ids from %d), used by %d trips\n",
		len(r.EstateSegments), len(r.RingSegments), r.OldSegments, r.TripsOnNewRoads)
	fmt.Fprintf(&b, "closed: %s, segments %v\n", r.ClosedRoad, r.ClosedSegments)
	fmt.Fprintf(&b, "rush-hour congestion: ×%.2f on %d central segments, ×%.2f on %d main-road segments beside the ring section\n",
		r.CentreCongestion, r.CongestedSegments, r.RingRelief, r.RelievedSegments)
	fmt.Fprintf(&b, "modes before: %s\nmodes after:  %s\n", share(r.ModeShareBefore), share(r.ModeShareAfter))
	return b.String()
}

// driftState is what the after city's simulation needs beyond the report.
type driftState struct {
	congestion []float64 // per segment, multiplies the simulator's sensitivity
	modeRng    *rand.Rand
	closed     []bool // per segment
}

// GeneratePair generates the city as it was and the after city of the same
// configuration (Config.Drift is ignored): the after city's Drift report
// compares the two. Generate with Drift true returns the same after city.
func GeneratePair(cfg Config) (before, after *City, err error) {
	cfg.Drift = false
	cfg, err = cfg.withDefaults()
	if err != nil {
		return nil, nil, err
	}
	if cfg.Network != nil {
		return nil, nil, fmt.Errorf("synth: Drift needs the generated network, not Config.Network")
	}
	before, _, err = build(cfg)
	if err != nil {
		return nil, nil, err
	}
	if err := before.run(); err != nil {
		return nil, nil, err
	}
	after, l, err := build(cfg)
	if err != nil {
		return nil, nil, err
	}
	after.Config.Drift = true // before run: the after city starts 52 weeks later
	if err := after.applyDrift(l); err != nil {
		return nil, nil, err
	}
	if err := after.run(); err != nil {
		return nil, nil, err
	}
	r := after.Drift
	r.ModeShareBefore, r.ModeShareAfter = before.modeShares(), after.modeShares()
	for i := range after.Trips {
		tr := &after.Trips[i]
		if tr.FromDistrict == r.NewDistrict || tr.ToDistrict == r.NewDistrict {
			r.TripsInNewDistrict++
		}
		if slices.ContainsFunc(tr.Path, func(s int) bool { return s >= r.OldSegments }) {
			r.TripsOnNewRoads++
		}
	}
	return before, after, nil
}

func (c *City) modeShares() []float64 {
	n := c.ModeCounts()
	out := make([]float64, len(n))
	for i, k := range n {
		out[i] = float64(k) / float64(max(len(c.Trips), 1))
	}
	return out
}

// Closed reports whether segment id is closed (only in an after city).
func (c *City) Closed(id int) bool {
	return c.drift != nil && id >= 0 && id < len(c.drift.closed) && c.drift.closed[id]
}

// applyDrift turns a built (not yet simulated) city into the after city.
// Every effect draws from its own stream.
func (c *City) applyDrift(l *layout) error {
	g := c.Network
	r := &DriftReport{OldNodes: len(g.Nodes), OldSegments: len(g.Segments), CentreCongestion: centreCongestion,
		RingRelief: relief, BikeSwitch: bikeSwitch}
	c.Drift = r
	c.drift = &driftState{modeRng: c.stream(25)}
	r.StartDate = c.startDate()
	xy := func(n int) vec { x, y := c.frame.toXY(g.Nodes[n].Point); return vec{x, y} }
	nearestOld := func(p vec, skip func(n int) bool) (int, float64) {
		best, bestD := -1, math.Inf(1)
		for n := range r.OldNodes {
			if skip != nil && skip(n) {
				continue
			}
			if d := xy(n).distTo(p); d < bestD {
				best, bestD = n, d
			}
		}
		return best, bestD
	}
	addNode := func(p vec) int { return g.AddNode(roundPoint(c.frame.toLL(p.x, p.y)), 0) }
	twoWay := func(a, b int, class, name string, ids *[]int) {
		s1, s2 := g.AddTwoWay(a, b, nil, defaultSpeedLimit(class), class, name)
		*ids = append(*ids, s1, s2)
	}

	// The new district on former parkland: a 100 m street grid.
	rng := c.stream(20)
	var parks []int
	for i, d := range c.Districts {
		if d.Type == Park {
			parks = append(parks, i)
		}
	}
	if len(parks) == 0 {
		return fmt.Errorf("synth: Drift: the city has no park district to build on")
	}
	di := parks[rng.IntN(len(parks))]
	d := &c.Districts[di]
	r.NewDistrict, r.FormerName, r.FormerType = di, d.Name, d.Type
	d.Name = strings.TrimSuffix(d.Name, " Park") + " Gardens"
	d.Type, d.Income = Residential, Middle
	r.NewDistrictName = d.Name
	nm := newNamer(rng)
	cx, cy := c.frame.toXY(d.Center)
	const K = 3
	estate := map[[2]int]int{}
	var estateNodes []int
	for j := -K; j <= K; j++ {
		for i := -K; i <= K; i++ {
			p := vec{float64(i) * estateSpacing, float64(j) * estateSpacing}.rotate(l.rot).add(vec{cx, cy})
			p = p.add(vec{(rng.Float64() - 0.5) * 16, (rng.Float64() - 0.5) * 16})
			ll := c.frame.toLL(p.x, p.y)
			if !planar.PolygonContains(d.Polygon, ll) {
				continue
			}
			if _, dist := nearestOld(p, nil); dist < 40 {
				continue
			}
			estate[[2]int{i, j}] = addNode(p)
			estateNodes = append(estateNodes, estate[[2]int{i, j}])
		}
	}
	rowName, colName := make([]string, 2*K+1), make([]string, 2*K+1)
	for k := range rowName {
		rowName[k], colName[k] = nm.place()+" Way", nm.place()+" Mews"
	}
	for j := -K; j <= K; j++ {
		for i := -K; i <= K; i++ {
			a, ok := estate[[2]int{i, j}]
			if !ok {
				continue
			}
			if b, ok := estate[[2]int{i + 1, j}]; ok {
				twoWay(a, b, "residential", rowName[j+K], &r.EstateSegments)
			}
			if b, ok := estate[[2]int{i, j + 1}]; ok {
				twoWay(a, b, "residential", colName[i+K], &r.EstateSegments)
			}
		}
	}
	links := 0
	for _, n := range estateNodes {
		if o, dist := nearestOld(xy(n), nil); dist < 120 {
			twoWay(n, o, "residential", rowName[K], &r.EstateSegments)
			links++
		}
	}
	if links == 0 && len(estateNodes) > 0 {
		o, _ := nearestOld(xy(estateNodes[0]), nil)
		twoWay(estateNodes[0], o, "residential", rowName[K], &r.EstateSegments)
	}

	// The ring section: a quarter-circle primary road 2.3 km from the
	// centre, with a tertiary link to the nearest old street at each node.
	rng = c.stream(21)
	t0 := l.radial[rng.IntN(len(l.radial))]
	span := math.Pi / 2
	steps := int(math.Ceil(ringRadius * span / ringStep))
	var ringNodes []int
	for s := 0; s <= steps; s++ {
		p := polar(ringRadius, t0+span*float64(s)/float64(steps))
		ringNodes = append(ringNodes, addNode(p.add(vec{(rng.Float64() - 0.5) * 20, (rng.Float64() - 0.5) * 20})))
	}
	for s := 0; s+1 < len(ringNodes); s++ {
		twoWay(ringNodes[s], ringNodes[s+1], "primary", "Middle Ring Road", &r.RingSegments)
	}
	for _, n := range ringNodes {
		if o, dist := nearestOld(xy(n), nil); dist < 130 {
			twoWay(n, o, "tertiary", "Middle Ring Road", &r.RingSegments)
		}
	}

	// Congestion: worse in the centre, relieved on the main roads beside
	// the ring section.
	c.drift.congestion = make([]float64, len(g.Segments))
	for i := range g.Segments {
		s := &g.Segments[i]
		c.drift.congestion[i] = 1
		ax, ay := c.frame.toXY(s.Geometry[0])
		bx, by := c.frame.toXY(s.Geometry[len(s.Geometry)-1])
		m := vec{(ax + bx) / 2, (ay + by) / 2}
		da := math.Remainder(m.angle()-t0, 2*math.Pi)
		if da < 0 {
			da += 2 * math.Pi
		}
		switch {
		case i >= r.OldSegments:
		case m.norm() < centreRadius:
			c.drift.congestion[i] = centreCongestion
			r.CongestedSegments++
		case da <= span && !isMinor(s.Class):
			c.drift.congestion[i] = relief
			r.RelievedSegments++
		}
	}

	// The closed road: the two-way primary segment on most free-flow routes
	// between random node pairs whose closure keeps every node reachable.
	rng = c.stream(22)
	var candidates []int
	for i, s := range g.Segments[:r.OldSegments] {
		if s.Class == "primary" && s.Reverse > i {
			candidates = append(candidates, i)
		}
	}
	busy := make([]int, len(g.Segments)) // free-flow routes between random node pairs over each segment
	for range 150 {
		from, to := rng.IntN(r.OldNodes), rng.IntN(r.OldNodes)
		path, _, _ := g.ShortestPath(from, to, roadnet.ByFreeFlowTime, math.Inf(1))
		for _, sid := range path {
			busy[sid]++
		}
	}
	slices.SortStableFunc(candidates, func(a, b int) int {
		return (busy[b] + busy[g.Segments[b].Reverse]) - (busy[a] + busy[g.Segments[a].Reverse])
	})
	reach := largestSCC(g)
	want := 0
	for _, u := range reach {
		if u {
			want++
		}
	}
	c.drift.closed = make([]bool, len(g.Segments))
	for _, s := range candidates {
		pair := []int{s, g.Segments[s].Reverse}
		detach(g, pair)
		n := 0
		for _, u := range largestSCC(g) {
			if u {
				n++
			}
		}
		if n == want {
			r.ClosedSegments, r.ClosedRoad = pair, g.Segments[s].Name
			break
		}
		attach(g, pair)
	}
	if r.ClosedSegments == nil {
		return fmt.Errorf("synth: Drift: no road can close without cutting the network")
	}
	slices.Sort(r.ClosedSegments)
	for _, s := range r.ClosedSegments {
		c.drift.closed[s] = true
	}

	c.Usable = largestSCC(g)
	for n := r.OldNodes; n < len(g.Nodes); n++ {
		c.NodeDistrict = append(c.NodeDistrict, c.DistrictAt(g.Nodes[n].Point))
	}

	// New POIs in the new district.
	rng = c.stream(23)
	var homes []int
	for _, n := range estateNodes {
		if c.Usable[n] {
			homes = append(homes, n)
		}
	}
	if len(homes) == 0 {
		return fmt.Errorf("synth: Drift: the new district %s has no reachable street", d.Name)
	}
	pn := newNamer(rng)
	for _, p := range c.POIs {
		pn.used[p.Name] = true
	}
	mix := poiMix[Residential]
	r.NewPOIs = max(4, c.Config.POIs/20)
	for range r.NewPOIs {
		node := homes[rng.IntN(len(homes))]
		cat := mix[pickWeighted(rng, len(mix), func(k int) float64 { return mix[k].w })].name
		x, y := c.frame.toXY(g.Nodes[node].Point)
		off := polar(10+30*rng.Float64(), 2*math.Pi*rng.Float64())
		c.POIs = append(c.POIs, POI{ID: len(c.POIs), Name: pn.poi(cat), Category: cat,
			Point: roundPoint(c.frame.toLL(x+off.x, y+off.y)), District: di, Node: node})
	}

	// New agents, most of them the new district's residents.
	rng = c.stream(24)
	nodeOfType := c.nodeOfType(rng)
	r.NewAgents = max(2, int(math.Ceil(newAgentShare*float64(len(c.Agents)))))
	for range r.NewAgents {
		home := func() int {
			if rng.Float64() < newResidentsShare {
				return homes[rng.IntN(len(homes))]
			}
			return nodeOfType(Residential)
		}
		a := newAgent(rng, c, len(c.Agents), nodeOfType, home)
		if a.HomeDistrict == di {
			r.NewResidents++
		}
		c.Agents = append(c.Agents, a)
	}
	return nil
}

// detach takes segments out of the routing graph (Out and In), keeping
// them in Segments; attach puts them back.
func detach(g *roadnet.Graph, ids []int) {
	for _, id := range ids {
		s := &g.Segments[id]
		g.Out[s.From] = slices.DeleteFunc(g.Out[s.From], func(x int) bool { return x == id })
		g.In[s.To] = slices.DeleteFunc(g.In[s.To], func(x int) bool { return x == id })
	}
}

func attach(g *roadnet.Graph, ids []int) {
	for _, id := range ids {
		s := &g.Segments[id]
		g.Out[s.From] = append(g.Out[s.From], id)
		g.In[s.To] = append(g.In[s.To], id)
		slices.Sort(g.Out[s.From])
		slices.Sort(g.In[s.To])
	}
}

// startDate is the first simulated day: Config.StartDate, 52 weeks later
// in the after city.
func (c *City) startDate() time.Time {
	if c.Config.Drift {
		return c.Config.StartDate.AddDate(0, 0, driftYear)
	}
	return c.Config.StartDate
}
