package interpret_test

import (
	"fmt"

	"github.com/tfm-course/course/tfm/encoder"
	"github.com/tfm-course/course/tfm/interpret"
	"github.com/tfm-course/course/tfm/tasks"
)

// Fine-tune a tiny Transformer for travel-time estimation on route inputs,
// then read where its [CLS] token looks (attention rollout) and which route
// points move its prediction (occlusion); Figure draws either on the map.
func Example() {
	walks := tasks.RandomWalks(120, 5)
	routes, err := tasks.RouteInputs(walks, tasks.RouteConfig{Spacing: 100, MaxPoints: 16, NominalSpeed: 10})
	if err != nil {
		panic(err)
	}
	enc := encoder.DefaultConfig()
	if err := enc.Set("layers=2;dim=16;heads=2;ffn=32;maxlen=16;pool=cls"); err != nil {
		panic(err)
	}
	m, err := tasks.NewScratch(enc, routes, 1)
	if err != nil {
		panic(err)
	}
	cfg := tasks.DefaultFineTuneConfig()
	cfg.Steps, cfg.BatchSize = 30, 16
	tte, err := tasks.FineTune(m, routes, tasks.TravelTimes(walks), nil, 0, cfg)
	if err != nil {
		panic(err)
	}
	att, err := interpret.Attention(tte.Model, routes[:1])
	if err != nil {
		panic(err)
	}
	occ, err := interpret.Occlusion(tte.PredictRegression, routes[0], 3)
	if err != nil {
		panic(err)
	}
	fig := interpret.Figure(att[0], "Where [CLS] looks", "attention", nil) // viz.Show(fig) in a notebook
	if _, err := fig.SVG(); err != nil {
		panic(err)
	}
	fmt.Println(len(att[0].Weights), "attention weights,", len(occ.Weights), "attributions (seconds)")
	// Output: 16 attention weights, 16 attributions (seconds)
}

// ProbeTable writes the probes as Markdown, each score beside its baseline.
func ExampleProbeTable() {
	fmt.Print(interpret.ProbeTable([]interpret.ProbeRow{
		{Property: "mode", Kind: interpret.KindClass, Score: 0.91, Baseline: 0.42, Metric: "accuracy", N: 400},
		{Property: "trip length (log m)", Kind: interpret.KindRegression, Score: 0.83, Metric: "R²", N: 400},
	}))
	// Output:
	// | property | probe | metric | score | baseline | n |
	// |---|---|---|---:|---:|---:|
	// | mode | class | accuracy | 0.910 | 0.420 | 400 |
	// | trip length (log m) | regression | R² | 0.830 | 0.000 | 400 |
}
