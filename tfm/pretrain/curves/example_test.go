package curves_test

import (
	"fmt"

	"github.com/tfm-course/course/tfm/pretrain"
	"github.com/tfm-course/course/tfm/pretrain/curves"
	"github.com/tfm-course/course/tfm/viz"
)

// In a notebook cell: every term of a hybrid run, redrawn in place every 10
// steps while it trains.
func ExampleLiveTerms() {
	opt := pretrain.DefaultOptions()
	opt.Paradigm = "hybrid"
	opt.OnStep = curves.LiveTerms("Hybrid, λ = 0.5", nil, 10)
	_ = opt // pretrain.Train(ctx, backend.MustNew(), data.Dataset, opt)
}

// After a run: the same figure from its history (or a metrics.jsonl).
func ExampleTerms() {
	history := []pretrain.StepMetrics{
		{Step: 1, Loss: 2.0, Terms: map[string]float64{"gen": 2.5, "con": 1.5, "w_gen": 0.5, "w_con": 0.5, "grad_cos": -0.2}},
		{Step: 2, Loss: 1.6, Terms: map[string]float64{"gen": 2.0, "con": 1.2, "w_gen": 0.5, "w_con": 0.5, "grad_cos": -0.1}},
	}
	fmt.Println(curves.TermNames(history))
	viz.Show(curves.Terms("Hybrid, every term", history, nil, 0.8))
	// Output:
	// [loss gen con w_gen w_con grad_cos]
}
