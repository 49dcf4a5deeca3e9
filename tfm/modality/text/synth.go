package text

import "github.com/tfm-course/course/datasets/synth"

// FromCity is the Context of a synthetic city: its POIs, districts and
// road network.
func FromCity(c *synth.City) Context {
	ctx := Context{Network: c.Network}
	for _, p := range c.POIs {
		ctx.POIs = append(ctx.POIs, POI{Name: p.Name, Category: p.Category, Point: p.Point})
	}
	for _, d := range c.Districts {
		ctx.Districts = append(ctx.Districts, District{Name: d.Name, Type: d.Type, Polygon: d.Polygon})
	}
	return ctx
}
