package text

import "github.com/tfm-course/course/datasets/synth"

// FromCity is the Context of a synthetic city: its POIs, districts and
// road network (synth.City.Map).
func FromCity(c *synth.City) Context { return *c.Map() }
