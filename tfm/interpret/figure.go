package interpret

import (
	"math"

	"github.com/paulmach/orb"

	"github.com/tfm-course/course/tfm/roadnet"
	"github.com/tfm-course/course/tfm/viz"
)

// Figure draws a trip on the map: the points w holds (as the model saw them)
// joined by a grey line, each a dot coloured (viridis, a colour bar named
// label) and sized by its weight, the start and end marked, over network
// when it is not nil (zoomed to the trip, a margin of 30 % of its extent).
// label names the weight, e.g. "attention" or "Δ travel time (s)".
func Figure(w PointWeights, title, label string, network *roadnet.Graph) *viz.Map {
	m := viz.NewMap(900, 700).Title(title)
	if network != nil {
		if len(w.Points) > 0 {
			b := orb.LineString(w.Points).Bound()
			span := math.Max(b.Max[0]-b.Min[0], b.Max[1]-b.Min[1])
			m.Bound(b.Pad(math.Max(0.3*span, 0.002)))
		}
		m.Roads(network)
	}
	m.Lines([]orb.LineString{orb.LineString(w.Points)}, viz.LineStyle{Color: "#666666", Width: 1.5, Label: "path as seen"})
	m.ValuePoints(w.Points, w.Weights, label)
	if n := len(w.Points); n > 0 {
		m.Points(w.Points[:1], "#1b9e3e", "start").Points(w.Points[n-1:], "#c62828", "end")
	}
	return m
}
