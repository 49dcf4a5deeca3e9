// Package curves plots the per-step metrics of pre-training runs
// (pretrain.Result.History or a metrics.jsonl) with tfm/viz.
package curves

import (
	"sort"

	"github.com/tfm-course/course/tfm/pretrain"
	"github.com/tfm-course/course/tfm/viz"
)

// Plot draws one logged quantity ("loss" or a term such as "gen", "con",
// "w_gen") against the step, one line per named run that logged it,
// smoothed by an exponential moving average (smoothing in [0, 1), 0 = raw).
func Plot(title, term string, runs map[string][]pretrain.StepMetrics, smoothing float64) *viz.Chart {
	names := make([]string, 0, len(runs))
	for name := range runs {
		names = append(names, name)
	}
	sort.Strings(names)
	var series []viz.Series
	for _, name := range names {
		var xs, ys []float64
		ema, started := 0.0, false
		for _, sm := range runs[name] {
			v := sm.Loss
			if term != "loss" {
				var ok bool
				if v, ok = sm.Terms[term]; !ok {
					continue
				}
			}
			if !started {
				ema, started = v, true
			}
			ema = smoothing*ema + (1-smoothing)*v
			xs, ys = append(xs, float64(sm.Step)), append(ys, ema)
		}
		if len(xs) > 0 { // runs that did not log the term are left out
			series = append(series, viz.Series{Name: name, X: xs, Y: ys})
		}
	}
	return viz.Line(title, "training step", Label(term), series...)
}

// Labels names the logged quantities on a chart's axis (with units), so no
// axis reads as a raw key such as "w_gen".
var Labels = map[string]string{
	"loss":      "training loss (smoothed)",
	"gen":       "generative loss (smoothed)",
	"con":       "contrastive loss, NT-Xent (smoothed)",
	"w_gen":     "weight of the generative loss",
	"w_con":     "weight of the contrastive loss",
	"embed_std": "embedding spread (std of unit vectors)",
	"rmse_m":    "reconstruction error (m)",
	"accuracy":  "token accuracy (fraction)",
	"grad_gen":  "‖∂L_gen/∂θ‖ on the shared encoder θ",
	"grad_con":  "‖∂L_con/∂θ‖ on the shared encoder θ",
	"grad_cos":  "cos(∂L_gen/∂θ, ∂L_con/∂θ): conflict < 0",
}

// Label is the axis label of a logged quantity (the key itself if unknown).
func Label(term string) string {
	if l, ok := Labels[term]; ok {
		return l
	}
	return term
}
