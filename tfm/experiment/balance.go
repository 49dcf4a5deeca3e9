package experiment

import (
	"fmt"
	"math"

	"github.com/tfm-course/course/tfm/pretrain"
)

// The balance diagnosis of a hybrid run, from its per-step terms
// (pretrain.StepMetrics.Terms: the effective weights w_gen, w_con and the
// unweighted gradient norms grad_gen = ‖∇_θ L_gen‖, grad_con = ‖∇_θ L_con‖
// on the shared encoder, and their cosine grad_cos). Rows of task "balance":
//
//	gen_share       mean over the run of  s = w_gen / (w_gen + w_con)
//	gen_share_last  the same over its last fifth (where the balancer settled)
//	grad_ratio      geometric mean of  r = (w_gen·grad_gen) / (w_con·grad_con),
//	                the ratio of the two weighted gradients' norms: what each
//	                objective contributes to the step (r > 1: gen pulls harder)
//	grad_cos        mean of cos(∇L_gen, ∇L_con) (< 0: the objectives conflict)
//
// The geometric mean, exp(mean(log r)), treats r = 3 and r = 1/3 as
// equally far from balance. Steps where a weighted norm is 0 (λ_gen = 0 or
// 1) have no ratio; a run without gradient terms (a pre-training package
// that does not log them) gets the weight rows only.
const (
	BalanceGenShare     = "gen_share"
	BalanceGenShareLast = "gen_share_last"
	BalanceGradRatio    = "grad_ratio"
	BalanceGradCos      = "grad_cos"
)

// balanceRow is one diagnosis number.
type balanceRow struct {
	metric string
	value  float64
}

// balanceRows diagnoses a hybrid run's history (see the constants above).
func balanceRows(h []pretrain.StepMetrics) []balanceRow {
	var share, shareLast, logRatio, cos stat
	last := len(h) - (len(h)+4)/5 // the last ⌈n/5⌉ steps
	for i, m := range h {
		wg, okg := m.Terms["w_gen"]
		wc, okc := m.Terms["w_con"]
		if !okg || !okc || !(wg+wc > 0) {
			continue
		}
		s := wg / (wg + wc)
		share.add(s)
		if i >= last {
			shareLast.add(s)
		}
		gg, ok1 := m.Terms["grad_gen"]
		gc, ok2 := m.Terms["grad_con"]
		if ok1 && ok2 {
			if a, b := wg*gg, wc*gc; a > 0 && b > 0 {
				logRatio.add(math.Log(a / b))
			}
		}
		if c, ok := m.Terms["grad_cos"]; ok {
			cos.add(c)
		}
	}
	var out []balanceRow
	add := func(metric string, s stat, f func(float64) float64) {
		if s.n > 0 {
			if v := f(s.mean()); !math.IsNaN(v) && !math.IsInf(v, 0) {
				out = append(out, balanceRow{metric, v})
			}
		}
	}
	id := func(x float64) float64 { return x }
	add(BalanceGenShare, share, id)
	add(BalanceGenShareLast, shareLast, id)
	add(BalanceGradRatio, logRatio, math.Exp)
	add(BalanceGradCos, cos, id)
	return out
}

// stat accumulates a mean over finite values.
type stat struct {
	sum float64
	n   int
}

func (s *stat) add(x float64) {
	if !math.IsNaN(x) && !math.IsInf(x, 0) {
		s.sum += x
		s.n++
	}
}

func (s stat) mean() float64 { return s.sum / float64(s.n) }

// Dominance bands of the weighted gradient-norm ratio: above DominantAbove
// the generative objective dominates the step, below 1/DominantAbove the
// contrastive one, in between the two are balanced.
const DominantAbove = 1.25

// Dominant names the dominant objective of a hybrid variant from its
// diagnosis (means over seeds): "gen dominates: weighted ‖∇‖ ratio 3.1",
// "con dominates: …", "balanced: …"; a run whose weight on one objective is
// zero throughout is "gen only" or "con only"; without a ratio (no gradient
// terms logged) it says so.
func Dominant(genShare float64, ratio float64, hasRatio bool) string {
	switch {
	case genShare <= 0:
		return "con only (w_gen = 0)"
	case genShare >= 1:
		return "gen only (w_con = 0)"
	case !hasRatio:
		return "– (no gradient norms logged)"
	case ratio >= DominantAbove:
		return fmt.Sprintf("gen dominates: weighted ‖∇‖ ratio %s", fmtNum(ratio))
	case ratio <= 1/DominantAbove:
		return fmt.Sprintf("con dominates: weighted ‖∇‖ ratio %s", fmtNum(ratio))
	}
	return fmt.Sprintf("balanced: weighted ‖∇‖ ratio %s", fmtNum(ratio))
}
