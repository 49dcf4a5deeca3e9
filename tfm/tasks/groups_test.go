package tasks

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tfm-course/course/datasets/synth"
)

// With Options.Groups every task reports its test metrics per group for the
// model and the baseline, and the flat gap fields; JSON of the other fields
// is unchanged.
func TestEvaluateGroups(t *testing.T) {
	cfg := synth.DefaultConfig()
	cfg.Trajectories = 300
	city, err := synth.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := city.Dataset().Trajectories
	primary := map[string]string{"tte": "mae", "classify": "accuracy", "similarity": "mean_rank", "recover": "recovery_error_m"}
	for _, task := range Tasks {
		opt := QuickOptions(task)
		opt.Encoder = smallEncoderConfig()
		opt.Probe.Steps, opt.FineTune.Steps, opt.Queries = 20, 10, 40
		opt.Groups = "income"
		if task == "classify" {
			opt.Groups = "district_type"
		}
		res, err := Evaluate(nil, ts, opt)
		if err != nil {
			t.Fatalf("%s: %v", task, err)
		}
		g, b := res.Groups, res.BaselineGroups
		if g == nil || b == nil {
			t.Fatalf("%s: no group reports", task)
		}
		if g.Key != opt.Groups || g.Metric != primary[task] || len(g.Groups) < 2 || g.Worst == "" || g.Gap < 0 {
			t.Errorf("%s: report %+v", task, g)
		}
		// The groups partition what was scored: their sizes add up, and
		// their sizes-weighted primary metric is the overall one.
		n, sum := 0, 0.0
		for _, gr := range g.Groups {
			n += gr.N
			sum += float64(gr.N) * gr.Metrics[g.Metric]
		}
		if task != "recover" && n != res.Test {
			t.Errorf("%s: groups hold %d examples, %d scored", task, n, res.Test)
		}
		if want := res.Metrics[g.Metric]; abs(sum/float64(n)-want) > 1e-6*max(1, abs(want)) {
			t.Errorf("%s: weighted group %s %.6f, overall %.6f", task, g.Metric, sum/float64(n), want)
		}
		out, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		json.Unmarshal(out, &m)
		for _, k := range []string{"groups", "baseline_groups", "group_gap", "group_ratio", "worst_group", "worst_group_" + g.Metric, primary[task]} {
			if _, ok := m[k]; !ok {
				t.Errorf("%s: JSON lacks %q", task, k)
			}
		}
		if _, ok := m["demographic_parity_diff"]; ok != (task == "classify") {
			t.Errorf("%s: demographic_parity_diff present = %v", task, ok)
		}
		t.Logf("%s: worst %s %s %.3f, gap %.3f, ratio %.3f; baseline worst %s, gap %.3f", task, g.Worst, g.Metric, g.WorstValue, g.Gap, g.Ratio, b.Worst, b.Gap)
	}
	// Off: no group fields.
	opt := QuickOptions("tte")
	opt.Encoder, opt.FineTune.Steps = smallEncoderConfig(), 5
	res, err := Evaluate(nil, ts, opt)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(res)
	if res.Groups != nil || strings.Contains(string(out), "group") {
		t.Errorf("groups reported without Options.Groups: %s", out)
	}
}

// A key the data lacks fails before training, naming the trajectory.
func TestEvaluateGroupsMissing(t *testing.T) {
	opt := QuickOptions("tte")
	opt.Groups = "income"
	_, err := Evaluate(nil, RandomWalks(30, 3), opt)
	if err == nil || !strings.Contains(err.Error(), "income_from") || !strings.Contains(err.Error(), "trajectory") {
		t.Fatalf("err %v", err)
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
