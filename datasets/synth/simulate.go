package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"
)

// Categories an agent visits for each purpose.
var (
	lunchPlaces   = []string{"cafe", "restaurant", "bakery"}
	errandPlaces  = []string{"supermarket", "shop", "gym", "cafe", "bar", "cinema", "pharmacy", "bakery", "bank"}
	leisurePlaces = []string{"park", "cafe", "restaurant", "shop", "cinema", "museum", "bar", "supermarket", "bakery", "library"}
)

// simulate plays the agents' days until Config.Trajectories trips exist,
// keeps the earliest ones and numbers them.
func (c *City) simulate(rng *rand.Rand) error {
	cfg := &c.Config
	want := cfg.Trajectories
	days := max(cfg.Days, int(math.Ceil(float64(want)/(float64(len(c.Agents))*2.3))))
	var trips []Trip
	for d := 0; d < days || len(trips) < want; d++ {
		if d >= 3650 {
			return fmt.Errorf("synth: 10 years of simulation gave only %d of %d trips; add agents", len(trips), want)
		}
		date := c.startDate().AddDate(0, 0, d)
		for i := range c.Agents {
			trips = c.agentDay(rng, i, date, trips)
		}
	}
	slices.SortStableFunc(trips, func(a, b Trip) int { return a.Depart.Compare(b.Depart) })
	trips = trips[:want]
	for i := range trips {
		tr := &trips[i]
		tr.Index = i
		tr.ID = fmt.Sprintf("t%06d", i)
		tr.Observed.ID = tr.ID
		tr.Observed.Labels = c.tripLabels(tr)
	}
	c.Trips = trips
	return nil
}

// tripLabels are the labels of a trip's observed trajectory.
func (c *City) tripLabels(tr *Trip) map[string]string {
	return map[string]string{
		"trip":               strconv.Itoa(tr.Index),
		"district_from":      c.DistrictName(tr.FromDistrict),
		"district_to":        c.DistrictName(tr.ToDistrict),
		"district_type_from": c.DistrictType(tr.FromDistrict),
		"district_type_to":   c.DistrictType(tr.ToDistrict),
		"income_from":        c.DistrictIncome(tr.FromDistrict),
		"income_to":          c.DistrictIncome(tr.ToDistrict),
		"purpose":            tr.Purpose,
		"travel_time_s":      strconv.Itoa(int(tr.TravelTime() / time.Second)),
	}
}

// chooseMode draws a tour's mode by a logit model on the longest leg's
// straight-line distance d (km): walking fades after ~1 km, cycling after
// ~3 km, bus and car gain with distance; the agent's habit adds 1.
func (c *City) chooseMode(rng *rand.Rand, a *Agent, dkm float64) string {
	u := []float64{2.2 - 2.0*dkm, 1.0 - 0.35*dkm, -0.2 + 0.12*min(dkm, 8), 0.25 * min(dkm, 8)}
	if !a.HasBike {
		u[1] = math.Inf(-1)
	}
	if !a.HasCar {
		u[3] = math.Inf(-1)
	}
	u[slices.Index(Modes, a.Habit)]++
	k := pickWeighted(rng, len(u), func(i int) float64 { return math.Exp(u[i]) })
	if c.drift != nil && Modes[k] == Car && dkm < bikeSwitchMaxKm && c.drift.modeRng.Float64() < c.Drift.BikeSwitch {
		return Bike // the after city's bike-share scheme
	}
	return Modes[k]
}

func (c *City) nodeDist(a, b int) float64 { return c.sim.xy[a].distTo(c.sim.xy[b]) }

// pickPOI draws a POI of the given categories near node `near` (weight
// exp(-distance/scale)); -1 when none exists.
func (c *City) pickPOI(rng *rand.Rand, cats []string, near int, scale float64) int {
	return pickWeighted(rng, len(c.POIs), func(i int) float64 {
		p := &c.POIs[i]
		if !slices.Contains(cats, p.Category) || p.Node == near {
			return 0
		}
		return math.Exp(-c.nodeDist(p.Node, near) / scale)
	})
}

// agentDay appends one agent's trips of one day. Weekdays for workers and
// students: home → work (→ lunch → work) → (errand →) home. Weekends and
// retired people: up to two outings home → place (→ place) → home.
func (c *City) agentDay(rng *rand.Rand, ai int, date time.Time, trips []Trip) []Trip {
	a := &c.Agents[ai]
	at := func(h float64) time.Time { return date.Add(time.Duration(math.Round(h*3600)) * time.Second) }
	after := func(t time.Time, minutes float64) time.Time {
		return t.Add(time.Duration(math.Round(minutes*60)) * time.Second)
	}
	leg := func(mode string, from, to, poi int, depart time.Time, purpose string) (time.Time, bool) {
		tr, ok := c.sim.run(rng, a, mode, from, to, depart)
		if !ok {
			return depart, false
		}
		tr.Agent, tr.UserID, tr.Purpose, tr.DestPOI = ai, a.ID, purpose, poi
		tr.FromDistrict, tr.ToDistrict = c.NodeDistrict[from], c.NodeDistrict[to]
		trips = append(trips, tr)
		return tr.Arrive, true
	}
	poiNode := func(p int) int { return c.POIs[p].Node }
	wd := date.Weekday()
	weekend := wd == time.Saturday || wd == time.Sunday
	if !weekend && a.Work >= 0 {
		mode := c.chooseMode(rng, a, c.nodeDist(a.Home, a.Work)/1000)
		start := at(a.LeaveHour + 0.25*rng.NormFloat64())
		now, ok := leg(mode, a.Home, a.Work, -1, start, "commute")
		if !ok {
			return trips
		}
		if rng.Float64() < 0.18 {
			if p := c.pickPOI(rng, lunchPlaces, a.Work, 500); p >= 0 {
				lm := mode
				if c.nodeDist(a.Work, poiNode(p)) < 1500 {
					lm = Walk
				}
				dep := at(12 + rng.Float64())
				if dep.Before(after(now, 60)) {
					dep = after(now, 60)
				}
				if arr, ok := leg(lm, a.Work, poiNode(p), p, dep, "lunch"); ok {
					now, _ = leg(lm, poiNode(p), a.Work, -1, after(arr, 30+20*rng.Float64()), "lunch")
				}
			}
		}
		dep := after(start, 60*(8.5+0.5*rng.NormFloat64()))
		if dep.Before(after(now, 60)) {
			dep = after(now, 60)
		}
		if rng.Float64() < 0.35 {
			if p := c.pickPOI(rng, errandPlaces, a.Work, 1500); p >= 0 {
				if arr, ok := leg(mode, a.Work, poiNode(p), p, dep, "errand"); ok {
					leg(mode, poiNode(p), a.Home, -1, after(arr, 20+60*rng.Float64()), "return")
					return trips
				}
			}
		}
		leg(mode, a.Work, a.Home, -1, dep, "return")
		return trips
	}
	outings := 0
	switch u := rng.Float64(); {
	case weekend && u < 0.2:
	case weekend && u < 0.7, !weekend && u < 0.7:
		outings = 1
	case weekend:
		outings = 2
	}
	now := at(9.5 + 2*rng.Float64())
	for range outings {
		p := c.pickPOI(rng, leisurePlaces, a.Home, 2000)
		if p < 0 {
			break
		}
		var q int = -1
		if rng.Float64() < 0.3 {
			q = c.pickPOI(rng, leisurePlaces, poiNode(p), 800)
		}
		far := c.nodeDist(a.Home, poiNode(p))
		if q >= 0 {
			far = max(far, c.nodeDist(a.Home, poiNode(q)))
		}
		mode := c.chooseMode(rng, a, far/1000)
		arr, ok := leg(mode, a.Home, poiNode(p), p, after(now, 120*rng.Float64()), "leisure")
		if !ok {
			break
		}
		last := poiNode(p)
		if q >= 0 {
			if arr2, ok := leg(mode, last, poiNode(q), q, after(arr, 30+90*rng.Float64()), "leisure"); ok {
				arr, last = arr2, poiNode(q)
			}
		}
		home, ok := leg(mode, last, a.Home, -1, after(arr, 30+120*rng.Float64()), "return")
		if !ok {
			break
		}
		now = after(home, 60+120*rng.Float64())
		if now.Sub(date) > 20*time.Hour {
			break
		}
	}
	return trips
}
