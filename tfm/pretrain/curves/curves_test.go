package curves

import (
	"bytes"
	"strings"
	"testing"

	"github.com/tfm-course/course/tfm/pretrain"
	"github.com/tfm-course/course/tfm/viz"
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

// hybridHistory is a hybrid run's log: the losses, weights, gradient norms
// and their cosine, as pretrain logs them.
func hybridHistory(steps int) []pretrain.StepMetrics {
	var h []pretrain.StepMetrics
	for i := 1; i <= steps; i++ {
		x := float64(i)
		h = append(h, pretrain.StepMetrics{Step: i, Loss: 3 / x, Terms: map[string]float64{
			"gen": 2 / x, "con": 4 / x, "w_gen": 0.5 + 0.01*x, "w_con": 0.5 - 0.01*x,
			"grad_gen": 1 / x, "grad_con": 2, "grad_cos": -0.1 + 0.01*x, "rmse_m": 100 / x, "embed_std": 0.03,
		}})
	}
	return h
}

func TestTermNamesOrder(t *testing.T) {
	h := hybridHistory(3)
	h[2].Terms["zeta"], h[2].Terms["alpha"] = 1, 2 // unknown keys: after the known ones, sorted
	got := strings.Join(TermNames(h), ",")
	want := "loss,gen,con,w_gen,w_con,grad_gen,grad_con,grad_cos,rmse_m,embed_std,alpha,zeta"
	if got != want {
		t.Errorf("TermNames = %s, want %s", got, want)
	}
}

func TestTermsOnePanelPerLoggedTerm(t *testing.T) {
	h := hybridHistory(20)
	for _, tc := range []struct {
		terms []string
		want  string
	}{
		{nil, "10 panels"},
		{[]string{"gen", "con", "gen", "missing"}, "2 panels"}, // duplicates and unlogged terms left out
	} {
		g := Terms("hybrid", h, tc.terms, 0.5)
		img, err := viz.HTML(g)
		if err != nil || !strings.Contains(img, tc.want) {
			t.Errorf("Terms(%v): %v, want %s in %.120s", tc.terms, err, tc.want, img)
		}
	}
	if g := Terms("x", h, []string{"missing"}, 0); g != nil {
		t.Errorf("Terms of unlogged terms = %v, want nil", g)
	}
	// A contrastive run logs other terms: its own panels, nothing hybrid.
	con := []pretrain.StepMetrics{{Step: 1, Loss: 2, Terms: map[string]float64{"embed_std": 0.1}}}
	if img, _ := viz.HTML(Terms("c", con, nil, 0)); !strings.Contains(img, "2 panels") {
		t.Errorf("contrastive run: %.120s, want 2 panels", img)
	}
}

func TestLiveTermsRecordsOutsideANotebook(t *testing.T) {
	f := LiveTerms("hybrid", nil, 2)
	for _, sm := range hybridHistory(5) {
		f(sm) // must not panic or print
	}
}

func TestLabelsNameTheGradientTerms(t *testing.T) {
	for _, k := range []string{"grad_gen", "grad_con", "grad_cos"} {
		if Label(k) == k {
			t.Errorf("%s has no axis label", k)
		}
	}
}
