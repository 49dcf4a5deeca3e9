package viz_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/tfm-course/course/tfm/traj"
	"github.com/tfm-course/course/tfm/viz"
)

// A map of one trajectory coloured by speed over two streets, and a loss curve.
func Example() {
	t0 := time.Date(2024, 3, 4, 8, 0, 0, 0, time.UTC)
	tr := &traj.Trajectory{ID: "t1", Mode: "bike"}
	for i := 0; i < 10; i++ {
		tr.Points = append(tr.Points, traj.NewPoint(10+0.001*float64(i), 50+0.0004*float64(i), t0.Add(time.Duration(i*15)*time.Second)))
	}
	streets := []orb.LineString{{{10, 50}, {10.01, 50}}, {{10, 50}, {10.009, 50.0036}}}
	m := viz.NewMap(600, 400).Title("One ride").Lines(streets, viz.LineStyle{Color: "#bbbbbb", Width: 2}).BySpeed(tr)
	svg, err := m.SVG()
	fmt.Println(err, strings.Contains(string(svg), "speed (km/h)"))

	loss := viz.Line("Pre-training", "step", "loss", viz.Series{Name: "train", Y: []float64{2.3, 1.7, 1.2, 1.0}})
	png, err := loss.PNG()
	fmt.Println(err, string(png[1:4]))
	// In a notebook: viz.Show(m); from the CLI: viz.Save(m, "out/ride.svg").
	// Output:
	// <nil> true
	// <nil> PNG
}
