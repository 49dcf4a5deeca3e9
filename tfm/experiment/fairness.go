package experiment

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/tfm-course/course/datasets/synth"
	"github.com/tfm-course/course/tfm/fairness"
	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/pretrain"
	"github.com/tfm-course/course/tfm/tasks"
	"github.com/tfm-course/course/tfm/traj"
	"github.com/tfm-course/course/tfm/viz"
)

// FairnessGroups is the fairness experiment's group key: the income level
// of the district a trip starts in (fairness.GroupOf).
var FairnessGroups = "income"

// Arm is one setting of the fairness experiment: the fine-tuning
// mitigation (tasks.Mitigations) on a scratch encoder, or on an encoder
// pre-trained with uniform or with group-balanced batches.
type Arm struct {
	Name       string
	Mitigation string // tasks.FineTuneConfig.Mitigation
	// Pretrain: "" (scratch), "uniform" or "balanced" (pretrain.Options.GroupBalance).
	Pretrain string
}

// FairnessArms are the arms: no mitigation, group-balanced sampling,
// group reweighting and group DRO on the scratch encoder; and a generative
// pre-trained encoder without mitigation and with group-balanced sampling
// in both pre-training and fine-tuning.
var FairnessArms = []Arm{
	{"none", "none", ""},
	{"balanced sampling", "balanced", ""},
	{"group reweighting", "reweight", ""},
	{"group DRO", "dro", ""},
	{"pre-trained, none", "none", "uniform"},
	{"pre-trained, balanced pre-training + fine-tuning", "balanced", "balanced"},
}

// Tasks of the fairness experiment's rows besides "tte" (overall error):
// TaskByGroup holds each group's MAE (metric "mae_GROUP"), TaskFairness the
// gap between the worst and the best group's MAE (s), their ratio and the
// worst group's MAE.
const (
	TaskByGroup  = "tte_by_income"
	TaskFairness = "fairness"
)

func init() {
	Experiments["fairness"] = Runner{
		Number:      5,
		Description: "TTE (all modes) on a city with a planted recording inequity (low-income districts under-recorded, on cheap phones: sparser, noisier): per-income-group error, gap and worst group, without and with group-balanced sampling, group reweighting and group DRO",
		Tasks:       []string{"tte", TaskByGroup, TaskFairness},
		Custom:      runFairness,
		FineTunes:   true,
	}
}

// runFairness evaluates every arm once per seed on ts, which must carry the
// planted inequity (synth.InequityKey: --data synthetic:…,inequity=1). The
// TTE head trains twice the configuration's fine-tuning steps at half its
// learning rate: the all-mode fine-tune is otherwise unstable across seeds,
// and a noisy overall error would drown the group gap.
func runFairness(ctx context.Context, name string, ts []*traj.Trajectory, cfg Config) (*Report, error) {
	for _, t := range ts {
		if t.Labels[synth.InequityKey] == "" {
			return nil, fmt.Errorf("fairness: trajectory %q has no planted inequity (label %q): run on --data synthetic:trajectories=5000,inequity=1", t.ID, synth.InequityKey)
		}
	}
	if _, err := fairness.GroupsOf(ts, FairnessGroups); err != nil {
		return nil, fmt.Errorf("fairness: %w", err)
	}
	cfg.Eval.FineTune.Steps, cfg.Eval.FineTune.LearningRate = 2*cfg.Eval.FineTune.Steps, cfg.Eval.FineTune.LearningRate/2
	rep := &Report{Name: name, Config: cfg, Headline: map[string]float64{}}
	for _, a := range FairnessArms {
		in := VariantInfo{Name: a.Name}
		if a.Pretrain != "" {
			in.Paradigm, in.Masking = "generative", "random"
		}
		rep.Variants = append(rep.Variants, in)
	}
	for _, seed := range cfg.Seeds {
		train, _, err := tasks.Split(ts, cfg.Eval.TestFrac, uint64(seed))
		if err != nil {
			return nil, err
		}
		models := map[string]*tfm.Model{}
		for _, p := range []string{"uniform", "balanced"} {
			if err := ctx.Err(); err != nil {
				return rep, err
			}
			o := pretrain.DefaultOptions()
			o.Encoder, o.Steps, o.Seed, o.Map = cfg.Encoder, cfg.PretrainSteps, seed, cfg.Map
			o.Paradigm, o.Generative.Masking = "generative", "random"
			if p == "balanced" {
				o.GroupBalance = FairnessGroups
			}
			cfg.logf("[%s] seed %d: pre-training (generative, %s batches, %d steps)", name, seed, p, o.Steps)
			res, err := pretrain.Train(ctx, tasks.DefaultBackend(), &traj.Dataset{Name: "train", Trajectories: train}, o)
			if err != nil {
				return rep, fmt.Errorf("pre-training (%s): %w", p, err)
			}
			models[p] = res.Model
		}
		for i, a := range FairnessArms {
			if err := ctx.Err(); err != nil {
				return rep, err
			}
			opt := cfg.Eval
			opt.Task, opt.Seed, opt.Encoder, opt.Finetune, opt.Mode = "tte", seed, cfg.Encoder, true, ""
			opt.Groups = FairnessGroups
			if a.Mitigation != "none" {
				opt.Mitigation, opt.MitigationGroups = a.Mitigation, FairnessGroups
			}
			r, err := tasks.Evaluate(models[a.Pretrain], ts, opt)
			if err != nil {
				return rep, fmt.Errorf("%s: %w", a.Name, err)
			}
			add := func(variant string, method tasks.Method, res *fairness.Report, overall map[string]float64) {
				row := func(task, metric string, x float64) {
					rep.Rows = append(rep.Rows, Row{name, variant, seed, task, method, metric, x})
				}
				row("tte", "mae", overall["mae"])
				row("tte", "mape", overall["mape"])
				for _, g := range res.Groups {
					row(TaskByGroup, "mae_"+g.Name, g.Metrics["mae"])
				}
				row(TaskFairness, "gap_s", res.Gap)
				row(TaskFairness, "ratio", res.Ratio)
				row(TaskFairness, "worst_mae", res.WorstValue)
			}
			add(a.Name, r.Method, r.Groups, r.Metrics)
			if i == 0 {
				add(baselineName("tte"), tasks.MethodBaseline, r.BaselineGroups, r.Baseline)
			}
			var per []string
			for _, g := range r.Groups.Groups {
				per = append(per, fmt.Sprintf("%s %s (n=%d)", g.Name, fmtNum(g.Metrics["mae"]), g.N))
			}
			cfg.logf("[%s] seed %d: %s: MAE %s; %s; worst %s, gap %s s", name, seed, a.Name, fmtNum(r.Metrics["mae"]),
				strings.Join(per, ", "), r.Groups.Worst, fmtNum(r.Groups.Gap))
		}
	}
	for _, a := range append([]Arm{{Name: baselineName("tte")}}, FairnessArms...) {
		key := strings.NewReplacer(" ", "_", ",", "", "+", "and").Replace(a.Name)
		if s, ok := rep.Get(a.Name, TaskFairness, "gap_s"); ok {
			rep.Headline[key+"_gap_s"] = s.Mean
		}
		if s, ok := rep.Get(a.Name, "tte", "mae"); ok {
			rep.Headline[key+"_mae"] = s.Mean
		}
	}
	return rep, nil
}

// ByGroup is the fairness experiment's figure: each arm's TTE error per
// income group (mean ± sd over the seeds), the classical baseline last. ok
// is false when the report has no per-group rows.
func (r *Report) ByGroup() (viz.Figure, bool) {
	var arms, groups []string
	seenArm, seenGroup := map[string]bool{}, map[string]bool{}
	cell := map[[2]string]Summary{}
	for _, s := range r.Summaries() {
		if s.Task != TaskByGroup {
			continue
		}
		g := strings.TrimPrefix(s.Metric, "mae_")
		if !seenArm[s.Variant] {
			seenArm[s.Variant] = true
			arms = append(arms, s.Variant)
		}
		if !seenGroup[g] {
			seenGroup[g] = true
			groups = append(groups, g)
		}
		cell[[2]string{s.Variant, g}] = s
	}
	if len(arms) == 0 {
		return nil, false
	}
	base := baselineName("tte") // the classical baseline closes the chart
	slices.SortStableFunc(arms, func(a, b string) int { return cmp.Compare(b2i(a == base), b2i(b == base)) })
	order := map[string]int{synth.Low: 0, synth.Middle: 1, synth.High: 2}
	slices.SortStableFunc(groups, func(a, b string) int { return cmp.Compare(order[a], order[b]) })
	vals, errs := make([][]float64, len(groups)), make([][]float64, len(groups))
	for gi, g := range groups {
		for _, a := range arms {
			s := cell[[2]string{a, g}]
			vals[gi], errs[gi] = append(vals[gi], s.Mean), append(errs[gi], s.Std)
		}
	}
	labels := make([]string, len(groups))
	for i, g := range groups {
		labels[i] = g + " income"
	}
	title := fmt.Sprintf("%s: TTE error by the income of the trip's origin district\n(lower is better; mean ± sd over %s)", r.Name, seedsWord(len(r.Config.Seeds)))
	return viz.GroupedBarErr(title, "mean absolute error (s)", arms, labels, vals, errs).Size(math.Max(900, 150*float64(len(arms))), 460), true
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
