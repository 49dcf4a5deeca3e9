package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// poiMix weights POI categories within each district type.
var poiMix = map[string][]weighted{
	Business:    {{"cafe", 4}, {"restaurant", 4}, {"bank", 2}, {"bar", 2}, {"shop", 2}, {"pharmacy", 1}, {"gym", 1}, {"office", 2}},
	Commercial:  {{"shop", 5}, {"supermarket", 3}, {"restaurant", 3}, {"cafe", 3}, {"cinema", 1.5}, {"bar", 1.5}, {"pharmacy", 1}},
	Residential: {{"supermarket", 2}, {"bakery", 2}, {"cafe", 1.5}, {"school", 1.5}, {"pharmacy", 1}, {"gym", 1}, {"restaurant", 1}, {"park", 1}, {"bar", 0.5}},
	Park:        {{"park", 4}, {"cafe", 1.5}, {"restaurant", 0.5}, {"museum", 0.5}},
	University:  {{"library", 2}, {"cafe", 2}, {"restaurant", 1}, {"gym", 1}, {"museum", 0.5}},
	Industrial:  {{"fuel", 2}, {"supermarket", 1}, {"restaurant", 0.5}, {"gym", 0.5}, {"hospital", 0.3}},
}

// poiDensity weights how many POIs a district of each type gets per node.
var poiDensity = map[string]float64{Business: 3, Commercial: 3, Residential: 1, Park: 0.8, University: 1.5, Industrial: 0.5}

// ownership is P(has a car), P(has a bike) per occupation.
var ownership = map[string][2]float64{"worker": {0.6, 0.55}, "student": {0.2, 0.75}, "retired": {0.5, 0.3}}

type weighted struct {
	name string
	w    float64
}

// pickWeighted draws an index with probability proportional to w(i); -1
// when all weights are zero.
func pickWeighted(rng *rand.Rand, n int, w func(i int) float64) int {
	var total float64
	for i := range n {
		total += w(i)
	}
	if total <= 0 {
		return -1
	}
	u := rng.Float64() * total
	last := -1
	for i := range n {
		wi := w(i)
		if wi <= 0 {
			continue
		}
		last = i
		if u < wi {
			return i
		}
		u -= wi
	}
	return last
}

// districtNodes lists, per district, its usable nodes in id order.
func (c *City) districtNodes() [][]int {
	nodes := make([][]int, len(c.Districts))
	for n, d := range c.NodeDistrict {
		if d >= 0 && c.Usable[n] {
			nodes[d] = append(nodes[d], n)
		}
	}
	return nodes
}

func (c *City) usableNodes() []int {
	var out []int
	for n, u := range c.Usable {
		if u {
			out = append(out, n)
		}
	}
	return out
}

// placePOIs scatters Config.POIs points of interest 10-40 m off usable road
// nodes, more in business and commercial districts, with categories that
// suit each district type.
func (c *City) placePOIs(rng *rand.Rand) error {
	dn := c.districtNodes()
	if n := len(c.usableNodes()); n < 2 {
		return fmt.Errorf("synth: the road network's largest strongly connected part has %d node(s); trips need at least 2", n)
	}
	nm := newNamer(rng)
	for i := range c.Config.POIs {
		d := pickWeighted(rng, len(dn), func(k int) float64 { return poiDensity[c.Districts[k].Type] * float64(len(dn[k])) })
		var node int
		if d < 0 {
			all := c.usableNodes()
			node = all[rng.IntN(len(all))]
			d = c.NodeDistrict[node]
		} else {
			node = dn[d][rng.IntN(len(dn[d]))]
		}
		mix := poiMix[c.DistrictType(d)]
		if mix == nil {
			mix = poiMix[Residential]
		}
		cat := mix[pickWeighted(rng, len(mix), func(k int) float64 { return mix[k].w })].name
		x, y := c.frame.toXY(c.Network.Nodes[node].Point)
		off := polar(10+30*rng.Float64(), 2*math.Pi*rng.Float64())
		p := roundPoint(c.frame.toLL(x+off.x, y+off.y))
		if pd := c.DistrictAt(p); pd >= 0 {
			d = pd
		}
		c.POIs = append(c.POIs, POI{ID: i, Name: nm.poi(cat), Category: cat, Point: p, District: d, Node: node})
	}
	return nil
}

// nodeOfType returns a draw of a usable node in a district of one of the
// types (weighted by the districts' node counts), any usable node when no
// district has one.
func (c *City) nodeOfType(rng *rand.Rand) func(types ...string) int {
	dn := c.districtNodes()
	all := c.usableNodes()
	return func(types ...string) int {
		d := pickWeighted(rng, len(dn), func(k int) float64 {
			for _, t := range types {
				if c.Districts[k].Type == t {
					return float64(len(dn[k]))
				}
			}
			return 0
		})
		if d < 0 {
			return all[rng.IntN(len(all))]
		}
		return dn[d][rng.IntN(len(dn[d]))]
	}
}

// makeAgents creates the users: homes in residential districts, workplaces
// mostly in business, commercial and industrial ones (students at the
// university), car and bike ownership, a habitual mode and personal speeds.
func (c *City) makeAgents(rng *rand.Rand) error {
	nodeOfType := c.nodeOfType(rng)
	for i := range c.Config.Agents {
		c.Agents = append(c.Agents, newAgent(rng, c, i, nodeOfType, func() int { return nodeOfType(Residential) }))
	}
	return nil
}

// newAgent draws agent i: occupation, a home from home(), a workplace by
// nodeOfType, vehicles, habit and personal speeds.
func newAgent(rng *rand.Rand, c *City, i int, nodeOfType func(types ...string) int, home func() int) Agent {
	all := c.usableNodes()
	clip := func(v, lo, hi float64) float64 { return min(max(v, lo), hi) }
	a := Agent{ID: fmt.Sprintf("u%04d", i), Work: -1, WorkDistrict: -1}
	u := rng.Float64()
	switch {
	case u < 0.72:
		a.Occupation = "worker"
	case u < 0.87:
		a.Occupation = "student"
	default:
		a.Occupation = "retired"
	}
	a.Home = home()
	a.HomeDistrict = c.NodeDistrict[a.Home]
	switch a.Occupation {
	case "worker":
		w := []weighted{{Business, 0.45}, {Commercial, 0.2}, {Industrial, 0.25}, {University, 0.05}, {Park, 0.05}}
		a.Work = nodeOfType(w[pickWeighted(rng, len(w), func(k int) float64 { return w[k].w })].name, Business)
	case "student":
		a.Work = nodeOfType(University, Business)
	}
	for a.Work == a.Home {
		a.Work = all[rng.IntN(len(all))]
	}
	if a.Work >= 0 {
		a.WorkDistrict = c.NodeDistrict[a.Work]
	}
	own := ownership[a.Occupation] // P(car), P(bike)
	a.HasCar = rng.Float64() < own[0]
	a.HasBike = rng.Float64() < own[1]
	habits := []weighted{{Walk, 1}, {Bus, 1}}
	if a.HasBike {
		habits = append(habits, weighted{Bike, 1.2})
	}
	if a.HasCar {
		habits = append(habits, weighted{Car, 1.5})
	}
	a.Habit = habits[pickWeighted(rng, len(habits), func(k int) float64 { return habits[k].w })].name
	a.WalkSpeed = clip(1.4+0.12*rng.NormFloat64(), 1.05, 1.8)
	a.BikeSpeed = clip(4.5+0.5*rng.NormFloat64(), 3.2, 6)
	a.DriveFactor = 0.85 + 0.15*rng.Float64()
	if a.Occupation == "student" {
		a.LeaveHour = clip(9+0.6*rng.NormFloat64(), 7, 11)
	} else {
		a.LeaveHour = clip(8+0.5*rng.NormFloat64(), 6.5, 9.5)
	}
	return a
}
