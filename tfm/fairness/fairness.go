// Package fairness measures how a downstream task's error differs between
// groups of trajectories (district type, income, transport mode, user):
// per-group metrics, the best and worst group, their gap and ratio, and for
// classification the demographic-parity and equalised-odds differences.
package fairness

import (
	"fmt"
	"math"
	"slices"

	"github.com/tfm-course/course/tfm/traj"
)

// Keys are the group keys the CLI accepts (GroupOf takes any label key too).
var Keys = []string{"district_type", "income", "mode", "user"}

// MinGroup is the smallest group compared: smaller groups are reported
// (Group.Small) but excluded from best, worst, gap, ratio and the parity
// differences, unless fewer than two groups reach it (then all count).
const MinGroup = 5

// GroupOf returns t's group for key: district_type is
// Labels["district_type_from"], income Labels["income_from"] (where the
// trip starts), mode t.Mode, user t.UserID, any other key Labels[key]. It
// fails, naming the trajectory and the key, when the group is empty.
func GroupOf(t *traj.Trajectory, key string) (string, error) {
	var g string
	switch key {
	case "district_type":
		g = t.Labels["district_type_from"]
	case "income":
		g = t.Labels["income_from"]
	case "mode":
		g = t.Mode
	case "user":
		g = t.UserID
	default:
		g = t.Labels[key]
	}
	if g == "" {
		return "", fmt.Errorf("fairness: trajectory %q has no group for key %q (%s)", t.ID, key, source(key))
	}
	return g, nil
}

func source(key string) string {
	switch key {
	case "district_type":
		return `label "district_type_from"`
	case "income":
		return `label "income_from", as the synthetic city gives`
	case "mode":
		return "its Mode"
	case "user":
		return "its UserID"
	}
	return fmt.Sprintf("label %q; the CLI's keys are %v", key, Keys)
}

// GroupsOf is GroupOf of every trajectory.
func GroupsOf(ts []*traj.Trajectory, key string) ([]string, error) {
	out := make([]string, len(ts))
	for i, t := range ts {
		g, err := GroupOf(t, key)
		if err != nil {
			return nil, err
		}
		out[i] = g
	}
	return out, nil
}

// Group is one group's size and metrics.
type Group struct {
	Name    string             `json:"name"`
	N       int                `json:"n"`
	Metrics map[string]float64 `json:"metrics"`
	Small   bool               `json:"small,omitempty"` // fewer than MinGroup examples: not compared
}

// Report compares the groups on one primary metric.
type Report struct {
	Key            string  `json:"key"`
	Metric         string  `json:"metric"` // the primary metric: mae, accuracy, mean_rank, recovery_error_m
	HigherIsBetter bool    `json:"higher_is_better"`
	Groups         []Group `json:"groups"` // sorted by name
	// Best and Worst are the compared groups with the best and the worst
	// value of Metric.
	Best       string  `json:"best"`
	Worst      string  `json:"worst"`
	BestValue  float64 `json:"best_value"`
	WorstValue float64 `json:"worst_value"`
	// Gap = |worst − best|; Ratio = worst/best for errors, best/worst when
	// higher is better (≥ 1; 0 when the denominator is 0).
	Gap   float64 `json:"gap"`
	Ratio float64 `json:"ratio"`
	// Classification only (see Classification).
	DemographicParity float64 `json:"demographic_parity_diff,omitempty"`
	EqualizedOdds     float64 `json:"equalized_odds_diff,omitempty"`
}

// Group returns the named group (nil when absent).
func (r *Report) Group(name string) *Group {
	for i := range r.Groups {
		if r.Groups[i].Name == name {
			return &r.Groups[i]
		}
	}
	return nil
}

// partition returns the sorted group names and each group's example indices.
func partition(groups []string, n int, what string) ([]string, map[string][]int, error) {
	if len(groups) != n {
		return nil, nil, fmt.Errorf("fairness: %d groups for %d %s", len(groups), n, what)
	}
	if n == 0 {
		return nil, nil, fmt.Errorf("fairness: no %s", what)
	}
	idx := map[string][]int{}
	var names []string
	for i, g := range groups {
		if g == "" {
			return nil, nil, fmt.Errorf("fairness: example %d has an empty group", i)
		}
		if _, ok := idx[g]; !ok {
			names = append(names, g)
		}
		idx[g] = append(idx[g], i)
	}
	slices.Sort(names)
	return names, idx, nil
}

// build computes each group's metrics and compares them on primary.
func build(groups []string, n int, what, primary string, higher bool, metrics func(idx []int) map[string]float64) (Report, []string, map[string][]int, error) {
	names, idx, err := partition(groups, n, what)
	if err != nil {
		return Report{}, nil, nil, err
	}
	r := Report{Metric: primary, HigherIsBetter: higher}
	for _, g := range names {
		m := metrics(idx[g])
		for k, v := range m {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				delete(m, k) // undefined in this group (e.g. MAPE of zero targets)
			}
		}
		r.Groups = append(r.Groups, Group{Name: g, N: len(idx[g]), Metrics: m, Small: len(idx[g]) < MinGroup})
	}
	better := func(a, b float64) bool { return a < b }
	if higher {
		better = func(a, b float64) bool { return a > b }
	}
	compared := r.compared()
	first := true
	for _, g := range compared {
		v, ok := g.Metrics[primary]
		if !ok {
			continue
		}
		if first || better(v, r.BestValue) {
			r.Best, r.BestValue = g.Name, v
		}
		if first || better(r.WorstValue, v) {
			r.Worst, r.WorstValue = g.Name, v
		}
		first = false
	}
	r.Gap = math.Abs(r.WorstValue - r.BestValue)
	num, den := r.WorstValue, r.BestValue
	if higher {
		num, den = den, num
	}
	if den != 0 {
		r.Ratio = num / den
	}
	var cnames []string
	for _, g := range compared {
		cnames = append(cnames, g.Name)
	}
	return r, cnames, idx, nil
}

// compared lists the groups of at least MinGroup examples, or all groups
// when fewer than two reach it.
func (r *Report) compared() []Group {
	var out []Group
	for _, g := range r.Groups {
		if !g.Small {
			out = append(out, g)
		}
	}
	if len(out) < 2 {
		return r.Groups
	}
	return out
}

// Regression compares groups on the errors of a regression (travel time):
// per group mae (primary), mape (percent) and rmse.
func Regression(groups []string, pred, truth []float64) (Report, error) {
	if len(pred) != len(truth) {
		return Report{}, fmt.Errorf("fairness: %d predictions for %d targets", len(pred), len(truth))
	}
	r, _, _, err := build(groups, len(truth), "targets", "mae", false, func(idx []int) map[string]float64 {
		var ae, se, ape float64
		nz := 0
		for _, i := range idx {
			d := pred[i] - truth[i]
			ae += math.Abs(d)
			se += d * d
			if truth[i] != 0 {
				ape += math.Abs(d) / math.Abs(truth[i])
				nz++
			}
		}
		n := float64(len(idx))
		return map[string]float64{"mae": ae / n, "rmse": math.Sqrt(se / n), "mape": 100 * ape / float64(nz)}
	})
	return r, err
}

// Classification compares groups on accuracy (primary) and measures how the
// predictions depend on the group:
//
//	demographic parity difference = max_c [max_g P(ŷ=c | g) − min_g P(ŷ=c | g)]
//	equalised odds difference     = max_c max(TPR gap, FPR gap), TPR_g(c) = P(ŷ=c | y=c, g),
//	                                FPR_g(c) = P(ŷ=c | y≠c, g)
//
// over the compared groups (a rate undefined in a group, e.g. no example of
// class c, leaves that group out of that gap). Classes are 0..numClasses−1.
func Classification(groups []string, pred, truth []int, numClasses int) (Report, error) {
	if len(pred) != len(truth) {
		return Report{}, fmt.Errorf("fairness: %d predictions for %d targets", len(pred), len(truth))
	}
	if numClasses < 2 {
		return Report{}, fmt.Errorf("fairness: numClasses = %d, want ≥ 2", numClasses)
	}
	for i := range truth {
		if truth[i] < 0 || truth[i] >= numClasses || pred[i] < 0 || pred[i] >= numClasses {
			return Report{}, fmt.Errorf("fairness: example %d has class (true %d, predicted %d) outside [0, %d)", i, truth[i], pred[i], numClasses)
		}
	}
	r, compared, idx, err := build(groups, len(truth), "targets", "accuracy", true, func(idx []int) map[string]float64 {
		ok := 0
		for _, i := range idx {
			if pred[i] == truth[i] {
				ok++
			}
		}
		return map[string]float64{"accuracy": float64(ok) / float64(len(idx))}
	})
	if err != nil {
		return r, err
	}
	for c := range numClasses {
		var sel, tpr, fpr []float64
		for _, g := range compared {
			var n, pc, pos, tp, neg, fp int
			for _, i := range idx[g] {
				n++
				hit := pred[i] == c
				if hit {
					pc++
				}
				if truth[i] == c {
					pos++
					if hit {
						tp++
					}
				} else {
					neg++
					if hit {
						fp++
					}
				}
			}
			sel = append(sel, float64(pc)/float64(n))
			if pos > 0 {
				tpr = append(tpr, float64(tp)/float64(pos))
			}
			if neg > 0 {
				fpr = append(fpr, float64(fp)/float64(neg))
			}
		}
		r.DemographicParity = max(r.DemographicParity, spread(sel))
		r.EqualizedOdds = max(r.EqualizedOdds, spread(tpr), spread(fpr))
	}
	return r, nil
}

// spread is max − min (0 for fewer than two values).
func spread(v []float64) float64 {
	if len(v) < 2 {
		return 0
	}
	return slices.Max(v) - slices.Min(v)
}

// Ranks compares groups on the 1-based ranks of similarity search: per group
// mean_rank (primary, lower is better), hr1, hr5 and hr20.
func Ranks(groups []string, ranks []int) (Report, error) {
	for i, k := range ranks {
		if k < 1 {
			return Report{}, fmt.Errorf("fairness: rank %d of query %d is not 1-based", k, i)
		}
	}
	r, _, _, err := build(groups, len(ranks), "ranks", "mean_rank", false, func(idx []int) map[string]float64 {
		var s float64
		var h1, h5, h20 int
		for _, i := range idx {
			k := ranks[i]
			s += float64(k)
			if k <= 1 {
				h1++
			}
			if k <= 5 {
				h5++
			}
			if k <= 20 {
				h20++
			}
		}
		n := float64(len(idx))
		return map[string]float64{"mean_rank": s / n, "hr1": float64(h1) / n, "hr5": float64(h5) / n, "hr20": float64(h20) / n}
	})
	return r, err
}

// Errors compares groups on the mean of per-example errors (lower is
// better), named metric (e.g. recovery_error_m: one error per recovered
// point).
func Errors(groups []string, errs []float64, metric string) (Report, error) {
	if metric == "" {
		return Report{}, fmt.Errorf("fairness: Errors needs a metric name")
	}
	for i, e := range errs {
		if math.IsNaN(e) {
			return Report{}, fmt.Errorf("fairness: error %d is NaN", i)
		}
	}
	r, _, _, err := build(groups, len(errs), "errors", metric, false, func(idx []int) map[string]float64 {
		var s float64
		for _, i := range idx {
			s += errs[i]
		}
		return map[string]float64{metric: s / float64(len(idx))}
	})
	return r, err
}
