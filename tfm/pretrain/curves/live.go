package curves

import (
	"strings"

	"github.com/janpfeifer/gonb/gonbui"

	"github.com/tfm-course/course/tfm/pretrain"
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
		svg, err := Plot(title, "loss", map[string][]pretrain.StepMetrics{"train": history}, 0.8).SVG()
		if err != nil {
			return
		}
		html := string(svg)
		if i := strings.Index(html, "<svg"); i >= 0 {
			html = html[i:]
		}
		gonbui.UpdateHTML(id, html) // one display block, replaced in place

	}
}
