package synth

import (
	"math"
	"math/rand/v2"
)

// Income levels of a district.
const (
	Low    = "low"
	Middle = "middle"
	High   = "high"
)

// Incomes lists the income levels, lowest first.
var Incomes = []string{Low, Middle, High}

// assignIncomes gives every district an income level, correlated with its
// type and its distance r from the centre (as a share of the farthest
// district centre's):
//
//	industrial           low 0.85, middle 0.15
//	business, commercial high 0.8, middle 0.2
//	park, university     middle
//	residential, r ≥ 0.8 low 0.75, middle 0.25      (outer ring)
//	residential, r ≥ 0.5 low 0.25, middle 0.5, high 0.25
//	residential, r < 0.5 middle 0.5, high 0.5        (inner ring)
//
// It draws from its own stream, so the rest of the city is unchanged.
func (c *City) assignIncomes(rng *rand.Rand) {
	rmax := 0.0
	dist := make([]float64, len(c.Districts))
	for i, d := range c.Districts {
		x, y := c.frame.toXY(d.Center)
		dist[i] = math.Hypot(x, y)
		rmax = max(rmax, dist[i])
	}
	pick := func(low, middle float64) string { // the rest is high
		switch u := rng.Float64(); {
		case u < low:
			return Low
		case u < low+middle:
			return Middle
		}
		return High
	}
	for i := range c.Districts {
		r := 0.0
		if rmax > 0 {
			r = dist[i] / rmax
		}
		var inc string
		switch c.Districts[i].Type {
		case Industrial:
			inc = pick(0.85, 0.15)
		case Business, Commercial:
			inc = pick(0, 0.2)
		case Residential:
			switch {
			case r >= 0.8:
				inc = pick(0.75, 0.25)
			case r >= 0.5:
				inc = pick(0.25, 0.5)
			default:
				inc = pick(0, 0.5)
			}
		default: // park, university
			inc = Middle
		}
		c.Districts[i].Income = inc
	}
}

// DistrictIncome returns the income level of district i ("" for -1).
func (c *City) DistrictIncome(i int) string {
	if i < 0 || i >= len(c.Districts) {
		return ""
	}
	return c.Districts[i].Income
}

// AgentIncome returns the income level of agent i's home district.
func (c *City) AgentIncome(i int) string {
	if i < 0 || i >= len(c.Agents) {
		return ""
	}
	return c.DistrictIncome(c.Agents[i].HomeDistrict)
}
