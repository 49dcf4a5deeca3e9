package experiment_test

import (
	"fmt"
	"strings"

	"github.com/tfm-course/course/tfm/experiment"
	"github.com/tfm-course/course/tfm/tasks"
)

// A report's rows (one number per variant, seed, task and metric) become
// one Markdown table per task, mean ± sd over the seeds.
func ExampleReport_Markdown() {
	rep := &experiment.Report{Name: "pretrain-vs-scratch", Config: experiment.QuickConfig()}
	rep.Config.Seeds = []int64{1, 2}
	for _, r := range []struct {
		variant string
		method  tasks.Method
		mae     [2]float64
	}{
		{"generative (random masking)", tasks.MethodFinetune, [2]float64{70, 74}},
		{"scratch", tasks.MethodFinetune, [2]float64{80, 86}},
		{"average speed", tasks.MethodBaseline, [2]float64{120, 120}},
	} {
		for i, seed := range rep.Config.Seeds {
			rep.Rows = append(rep.Rows, experiment.Row{Experiment: rep.Name, Variant: r.variant, Seed: seed,
				Task: "tte", Method: r.method, Metric: "mae", Value: r.mae[i]})
		}
	}
	md := rep.Markdown()
	// Skip the heading (name, seeds, encoder, elapsed time): the table.
	fmt.Print(md[strings.Index(md, "## "):])
	s, _ := rep.Get("scratch", "tte", "mae")
	fmt.Printf("scratch MAE %.1f ± %.2f s (min %.0f, max %.0f)\n", s.Mean, s.Std, s.Min, s.Max)
	// Output:
	// ## tte
	//
	// | variant | method | mae ↓ |
	// |---|---|---:|
	// | generative (random masking) | finetune | 72.00 ± 2.83 |
	// | scratch | finetune | 83.00 ± 4.24 |
	// | average speed | baseline | 120.0 ± 0.000 |
	//
	// scratch MAE 83.0 ± 4.24 s (min 80, max 86)
}
