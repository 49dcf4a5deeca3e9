package explore_test

import (
	"context"
	"fmt"

	"github.com/tfm-course/course/datasets"
	"github.com/tfm-course/course/tfm/backend"
	"github.com/tfm-course/course/tfm/notebook/explore"
	"github.com/tfm-course/course/tfm/viz"
)

// A chapter cell: the widgets in Jupyter, the Headless runs elsewhere.
func ExampleBalancing() {
	data, _ := datasets.Load("synthetic:seed=1,trajectories=500")
	points := explore.Balancing(data.Dataset, explore.MaxRuns(10))
	fmt.Println(len(points), "runs")
}

// The explorer without widgets: train and score settings, draw the front.
func ExampleRun() {
	data, _ := datasets.Load("synthetic:seed=1,trajectories=500")
	cfg := explore.DefaultConfig()
	var points []explore.Point
	for _, s := range []explore.Setting{{Balance: "fixed", Lambda: 0.2}, {Balance: "uncertainty"}} {
		p, err := explore.Run(context.Background(), backend.MustNew(), data.Dataset, cfg, s, nil)
		if err != nil {
			panic(err)
		}
		points = append(points, p)
		fmt.Println(explore.Summary(p, cfg))
	}
	viz.Show(explore.Figure(points, cfg))
}

// The Pareto front: the runs no other run beats on both tasks.
func ExampleFront() {
	cfg := explore.DefaultConfig() // recovery error and mean rank: lower is better on both
	points := []explore.Point{
		{Label: "fixed λ=0", Local: 46.7, Global: 4.81},
		{Label: "fixed λ=0.5", Local: 42.3, Global: 5.54},
		{Label: "fixed λ=1", Local: 41.4, Global: 6.22},
		{Label: "other", Local: 45, Global: 6.5}, // beaten by λ=0.5 on both
	}
	for _, p := range explore.Front(points, cfg) {
		fmt.Println(p.Label)
	}
	// Output:
	// fixed λ=1
	// fixed λ=0.5
	// fixed λ=0
}
