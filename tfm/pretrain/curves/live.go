package curves

import (
	"fmt"
	"sort"

	"github.com/janpfeifer/gonb/gonbui"

	"github.com/tfm-course/course/tfm/pretrain"
	"github.com/tfm-course/course/tfm/viz"
)

// Live returns a pretrain.Options.OnStep callback that draws the loss curve
// in a GoNB notebook and redraws it in place every `every` steps while the
// model trains (outside a notebook it only records).
func Live(title string, every int) func(pretrain.StepMetrics) {
	// One display, replaced in place (an <img>, so it survives the HTML
	// export), kept small so the cell's final figures stay in view.
	return live(every, func(history []pretrain.StepMetrics) viz.Figure {
		return Plot(title, "loss", map[string][]pretrain.StepMetrics{"train": history}, 0.8).HideLegend().Size(560, 260)
	})
}

// live is an OnStep callback that records every step and, in a notebook,
// redraws figure(history) in one display at the first step and every
// `every` steps (a nil figure draws nothing).
func live(every int, figure func(history []pretrain.StepMetrics) viz.Figure) func(pretrain.StepMetrics) {
	id := gonbui.UniqueId()
	var history []pretrain.StepMetrics
	return func(sm pretrain.StepMetrics) {
		history = append(history, sm)
		if !gonbui.IsNotebook || (len(history) > 1 && sm.Step%max(1, every) != 0) {
			return
		}
		if f := figure(history); f != nil {
			_ = viz.Update(id, f)
		}
	}
}

// LiveTerms returns a pretrain.Options.OnStep callback that shows every
// logged term of a run as small multiples (Terms) in a GoNB notebook, one
// figure drawn at the first step and redrawn in place every `every` steps
// (a step count that is a multiple of every shows the last step too; else
// show Terms of Result.History after the run). terms chooses the panels; nil shows the total loss and every
// term the steps log (for a hybrid run: gen, con, w_gen, w_con, grad_gen,
// grad_con, grad_cos, …), so it fits any objective. Outside a notebook it
// only records.
func LiveTerms(title string, terms []string, every int) func(pretrain.StepMetrics) {
	return live(every, func(history []pretrain.StepMetrics) viz.Figure {
		if g := Terms(title, history, terms, 0.8); g != nil {
			return g
		}
		return nil
	})
}

// termOrder is the panels' order: the total, the losses, the weights, the
// gradients, then the objective's own metrics; unknown keys follow sorted.
var termOrder = []string{"loss", "gen", "con", "w_gen", "w_con", "grad_gen", "grad_con", "grad_cos", "rmse_m", "accuracy", "embed_std"}

// TermNames lists the quantities the history logged: "loss" first, then
// its terms in termOrder, then the others sorted.
func TermNames(history []pretrain.StepMetrics) []string {
	seen := map[string]bool{}
	for _, sm := range history {
		for k := range sm.Terms {
			seen[k] = true
		}
	}
	names := []string{"loss"}
	for _, k := range termOrder[1:] {
		if seen[k] {
			names = append(names, k)
			delete(seen, k)
		}
	}
	rest := make([]string, 0, len(seen))
	for k := range seen {
		if k != "loss" {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(names, rest...)
}

// Terms draws one small panel per quantity (a key of StepMetrics.Terms or
// "loss") against the step, EMA-smoothed, four panels a row, each titled by
// Label. terms nil means TermNames(history); a quantity the history never
// logged is left out. It returns nil when nothing is left to draw.
func Terms(title string, history []pretrain.StepMetrics, terms []string, smoothing float64) *viz.Grid {
	if terms == nil {
		terms = TermNames(history)
	}
	run := map[string][]pretrain.StepMetrics{"train": history}
	var panels []viz.Figure
	seen := map[string]bool{}
	for _, term := range terms {
		if seen[term] || !logged(history, term) {
			continue
		}
		seen[term] = true
		// The name goes in the panel's title: a small panel has no room for
		// it along the y axis.
		c := Plot(Label(term), term, run, smoothing).HideLegend().Size(300, 210)
		c.Plot.Y.Label.Text = ""
		panels = append(panels, c)
	}
	if len(panels) == 0 {
		return nil
	}
	if smoothing > 0 {
		title = fmt.Sprintf("%s (curves smoothed: EMA %.2g)", title, smoothing)
	}
	return viz.SmallMultiples(title, min(4, len(panels)), panels...)
}

// logged reports whether some step of history holds term.
func logged(history []pretrain.StepMetrics, term string) bool {
	for _, sm := range history {
		if _, ok := sm.Terms[term]; ok || term == "loss" {
			return true
		}
	}
	return false
}
