package text_test

import (
	"fmt"
	"os"
	"time"

	"github.com/paulmach/orb"

	"github.com/tfm-course/course/tfm/modality/text"
	"github.com/tfm-course/course/tfm/roadnet"
	"github.com/tfm-course/course/tfm/traj"
)

func Example() {
	// A tiny map: one street and one café at its east end.
	g := &roadnet.Graph{}
	a, b := g.AddNode(orb.Point{10.000, 50.0}, 0), g.AddNode(orb.Point{10.010, 50.0}, 0)
	g.AddTwoWay(a, b, nil, 13, "residential", "Maple Street")
	ctx := text.Context{Network: g, POIs: []text.POI{{Name: "Café Rosa", Category: "cafe", Point: orb.Point{10.0101, 50.0}}}}
	d, err := text.NewDescriber(ctx, text.Config{})
	if err != nil {
		panic(err)
	}
	t0 := time.Date(2024, 3, 4, 8, 5, 0, 0, time.UTC)
	walk := &traj.Trajectory{ID: "a", Mode: "bike"}
	for i := 0; i <= 10; i++ {
		walk.Points = append(walk.Points, traj.NewPoint(10+0.001*float64(i), 50, t0.Add(time.Duration(i)*15*time.Second)))
	}
	desc, err := d.Describe(walk)
	if err != nil {
		panic(err)
	}
	fmt.Println(desc.Sentence())
	fmt.Println(text.Split("08:05 leave")) // words for the tokenizer
	text.WriteJSONL(os.Stdout, text.Instructions(desc)[:1])
	// Output:
	// 08:05 leave 50.0000 N 10.0000 E on Maple Street → 08:07 arrive at Café Rosa (cafe)
	// [08 : 05 leave]
	// {"instruction":"Estimate the travel time of this trip in minutes.","input":"Departure at 08:05, 0.7 km: leave 50.0000 N 10.0000 E on Maple Street → arrive at Café Rosa (cafe)","output":"3 minutes"}
}
