package experiment

import (
	"math"
	"strings"
	"testing"

	"github.com/tfm-course/course/tfm/pretrain"
)

// The balance diagnosis of a toy history: the mean and last-fifth
// generative shares, the geometric-mean weighted-norm ratio and the mean
// cosine; Dominant names gen.
func TestBalanceRows(t *testing.T) {
	var h []pretrain.StepMetrics
	for i := range 10 {
		wg := 0.5
		if i >= 8 { // the last fifth moves to 0.8
			wg = 0.8
		}
		// Weighted-norm ratio 9 on the first four steps, then 3 and 1/3 in
		// turn (whose logs cancel): geometric mean exp(0.4·log 9).
		ratio := 3.0
		if i%2 == 1 {
			ratio = 1.0 / 3
		}
		if i < 4 {
			ratio = 9
		}
		// grad_gen chosen so that (w_gen·grad_gen)/(w_con·grad_con) = ratio.
		wc := 1 - wg
		h = append(h, pretrain.StepMetrics{Step: i + 1, Terms: map[string]float64{
			"gen": 1, "con": 2, "w_gen": wg, "w_con": wc, "grad_con": 2, "grad_gen": ratio * wc * 2 / wg, "grad_cos": -0.1 * float64(i%3),
		}})
	}
	got := map[string]float64{}
	for _, r := range balanceRows(h) {
		got[r.metric] = r.value
	}
	want := map[string]float64{
		BalanceGenShare:     (8*0.5 + 2*0.8) / 10,
		BalanceGenShareLast: 0.8,
		BalanceGradRatio:    math.Exp(0.4 * math.Log(9)),
		BalanceGradCos:      -0.1 * (0 + 1 + 2 + 0 + 1 + 2 + 0 + 1 + 2 + 0) / 10,
	}
	for k, w := range want {
		if math.Abs(got[k]-w) > 1e-9 {
			t.Errorf("%s = %v, want %v", k, got[k], w)
		}
	}
	if d := Dominant(got[BalanceGenShare], got[BalanceGradRatio], true); !strings.HasPrefix(d, "gen dominates: weighted ‖∇‖ ratio 2.41") {
		t.Errorf("Dominant = %q", d)
	}
	// Without gradient terms (a pre-training package that does not log
	// them): the weight rows only.
	for i := range h {
		delete(h[i].Terms, "grad_gen")
		delete(h[i].Terms, "grad_cos")
	}
	rows := balanceRows(h)
	if len(rows) != 2 || rows[0].metric != BalanceGenShare || rows[1].metric != BalanceGenShareLast {
		t.Errorf("rows without gradient terms: %+v", rows)
	}
	// λ_gen = 0: no ratio (a zero weighted norm), "con only".
	for i := range h {
		h[i].Terms["w_gen"], h[i].Terms["w_con"], h[i].Terms["grad_gen"] = 0, 1, 1
	}
	for _, r := range balanceRows(h) {
		if r.metric == BalanceGradRatio {
			t.Errorf("a ratio with w_gen = 0: %v", r.value)
		}
	}
	for share, want := range map[float64]string{0: "con only", 1: "gen only", 0.5: "balanced: weighted ‖∇‖ ratio 1.10"} {
		if d := Dominant(share, 1.1, true); !strings.HasPrefix(d, want) {
			t.Errorf("Dominant(%v, 1.1) = %q, want %q…", share, d, want)
		}
	}
	if d := Dominant(0.3, 0.5, true); !strings.HasPrefix(d, "con dominates") {
		t.Errorf("Dominant(0.3, 0.5) = %q", d)
	}
	if d := Dominant(0.3, 0, false); !strings.Contains(d, "no gradient norms") {
		t.Errorf("Dominant without a ratio = %q", d)
	}
}

// Configurations are checked before any work: the λ grid, the balancer
// specs (names with a suggestion, key=value parameters), the maskings.
func TestConfigValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		edit func(*Config)
		want string
	}{
		{func(c *Config) { c.Lambdas = []float64{0.2, 1.5} }, "Lambdas: 1.5 is not in [0, 1]"},
		{func(c *Config) { c.Lambdas = []float64{0.2, 0.2} }, "Lambdas: 0.2 twice"},
		{func(c *Config) { c.Balancers = []string{"gradnrom"} }, `unknown balancer "gradnrom"`},
		{func(c *Config) { c.Balancers = []string{"uncert"} }, `did you mean "uncertainty"?`},
		{func(c *Config) { c.Balancers = []string{"fixed"} }, "swept by the λ grid"},
		{func(c *Config) { c.Balancers = []string{"dwa:window"} }, `parameter "window" is not key=value`},
		{func(c *Config) { c.Balancers = []string{"dwa:window=x"} }, `window="x" is not a number`},
		{func(c *Config) { c.Balancers = []string{"dwa:windw=20"} }, `unknown setting "windw"`},
		{func(c *Config) { c.Balancers = []string{"gradnorm:alpha=20"} }, `alpha=20 out of range`},
		{func(c *Config) { c.Maskings = []string{"spam"} }, `unknown masking "spam"`},
		{func(c *Config) { c.Seeds = nil }, "Seeds: none"},
		{func(c *Config) { c.PretrainSteps = 0 }, "PretrainSteps = 0"},
	} {
		cfg := DefaultConfig()
		c.edit(&cfg)
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want %q", err, c.want)
		}
	}
	if err := CheckBalancer("dwa:window=20,temperature=2"); err != nil {
		t.Error(err)
	}
}
