package curves

import (
	"bytes"
	"testing"

	"github.com/tfm-course/course/tfm/pretrain"
)

func TestPlot(t *testing.T) {
	runs := map[string][]pretrain.StepMetrics{
		"a": {{Step: 1, Loss: 3, Terms: map[string]float64{"gen": 2}}, {Step: 2, Loss: 1, Terms: map[string]float64{"gen": 1}}},
		"b": {{Step: 1, Loss: 2}, {Step: 2, Loss: 2}},
	}
	for _, term := range []string{"loss", "gen"} {
		svg, err := Plot("t", term, runs, 0.5).SVG()
		if err != nil || !bytes.Contains(svg, []byte("<svg")) {
			t.Fatalf("Plot(%s): %v", term, err)
		}
	}
}

func TestLiveRecordsOutsideANotebook(t *testing.T) {
	f := Live("loss", 2)
	for i := 1; i <= 5; i++ {
		f(pretrain.StepMetrics{Step: i, Loss: float64(10 - i)}) // must not panic or print
	}
}
