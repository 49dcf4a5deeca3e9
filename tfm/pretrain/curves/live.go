package curves

import (
	"github.com/janpfeifer/gonb/gonbui"

	"github.com/tfm-course/course/tfm/pretrain"
	"github.com/tfm-course/course/tfm/viz"
)

// Live returns a pretrain.Options.OnStep callback that draws the loss curve
// in a GoNB notebook and redraws it in place every `every` steps while the
// model trains (outside a notebook it only records).
func Live(title string, every int) func(pretrain.StepMetrics) {
	id := gonbui.UniqueId()
	var history []pretrain.StepMetrics
	return func(sm pretrain.StepMetrics) {
		history = append(history, sm)
		if !gonbui.IsNotebook || (len(history) > 1 && sm.Step%max(1, every) != 0) {
			return
		}
		// One display, replaced in place (an <img>, so it survives the HTML
		// export), kept small so the cell's final figures stay in view.
		_ = viz.Update(id, Plot(title, "loss", map[string][]pretrain.StepMetrics{"train": history}, 0.8).HideLegend().Size(560, 260))
	}
}
