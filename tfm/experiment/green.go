package experiment

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/tfm-course/course/tfm/encoder"
	"github.com/tfm-course/course/tfm/energy"
	"github.com/tfm-course/course/tfm/pretrain"
	"github.com/tfm-course/course/tfm/tasks"
	"github.com/tfm-course/course/tfm/traj"
	"github.com/tfm-course/course/tfm/viz"
)

// GreenSize is one model size of the green experiment: the encoder's
// depth and width (heads 4, or 2 below width 32; feed-forward 2×width).
type GreenSize struct {
	Layers, Dim int
	// EarlyStop, when on, trains with early stopping on a held-out
	// validation loss (pretrain.EarlyStop) instead of the full budget.
	EarlyStop pretrain.EarlyStop
}

// Name is the variant's name, e.g. "2×64" or "2×64, early stop".
func (s GreenSize) Name() string {
	n := fmt.Sprintf("%d×%d", s.Layers, s.Dim)
	if s.EarlyStop.Every > 0 {
		n += ", early stop"
	}
	return n
}

// Encoder is base resized to s.
func (s GreenSize) Encoder(base encoder.Config) encoder.Config {
	base.Layers, base.Dim, base.FFN, base.Heads = s.Layers, s.Dim, 2*s.Dim, 4
	if s.Dim < 32 {
		base.Heads = 2
	}
	return base
}

// GreenSizes are the sizes the green experiment sweeps, from 1×16 (≈ 5 k
// parameters) to 3×96 (≈ 230 k), and the course default (2×64) once more
// with early stopping (every 25 steps, patience 3, 10 % held out).
var GreenSizes = []GreenSize{
	{Layers: 1, Dim: 16}, {Layers: 1, Dim: 32}, {Layers: 2, Dim: 64}, {Layers: 3, Dim: 96},
	{Layers: 2, Dim: 64, EarlyStop: pretrain.EarlyStop{Every: 25, Patience: 3, ValFrac: 0.1}},
}

// GreenTTEMode is the mode the green experiment's TTE is scored on: car
// trips, where the learned models beat the average-speed baseline (on all
// modes the route alone cannot tell a walk from a drive).
const GreenTTEMode = "car"

// TaskEnergy rows are the cost of each variant (not scores): the
// pre-training and the whole run's energy (J, measured or estimated as
// energy_source says), FLOPs, CPU seconds, steps run and parameters.
const TaskEnergy = "energy"

func init() {
	Experiments["green"] = Runner{
		Number:      6,
		Description: "model-size sweep (1×16 … 3×96, and 2×64 with early stopping): TTE error and similarity rank against the energy of pre-training and fine-tuning, a Pareto figure",
		Tasks:       []string{"tte", "similarity", TaskEnergy},
		Custom:      runGreen,
		FineTunes:   true,
	}
}

// runGreen pre-trains each size (contrastive, crop + jitter, the
// configuration's steps) on the split's train part once per seed, then
// fine-tunes TTE and ranks similarity with it, and records what each stage
// cost (energy.Reading): the process's CPU seconds × the stated power per
// core unless RAPL is readable.
func runGreen(ctx context.Context, name string, ts []*traj.Trajectory, cfg Config) (*Report, error) {
	rep := &Report{Name: name, Config: cfg, Headline: map[string]float64{}}
	for _, s := range GreenSizes {
		rep.Variants = append(rep.Variants, VariantInfo{Name: s.Name(), Paradigm: "contrastive"})
	}
	eopt := energy.DefaultOptions()
	for _, seed := range cfg.Seeds {
		train, _, err := tasks.Split(ts, cfg.Eval.TestFrac, uint64(seed))
		if err != nil {
			return nil, err
		}
		baselineDone := map[string]bool{}
		for _, s := range GreenSizes {
			if err := ctx.Err(); err != nil {
				return rep, err
			}
			v := s.Name()
			o := pretrain.DefaultOptions()
			o.Encoder, o.Steps, o.Seed, o.Map = s.Encoder(cfg.Encoder), cfg.PretrainSteps, seed, cfg.Map
			o.Paradigm, o.Contrastive.Augment = "contrastive", "crop,jitter"
			o.EarlyStop, o.Energy = s.EarlyStop, eopt
			cfg.logf("[%s] seed %d: pre-training %s (encoder %s, up to %d steps)", name, seed, v, o.Encoder, o.Steps)
			res, err := pretrain.Train(ctx, tasks.DefaultBackend(), &traj.Dataset{Name: "train", Trajectories: train}, o)
			if err != nil {
				return rep, fmt.Errorf("pre-training %s: %w", v, err)
			}
			add := func(task string, method tasks.Method, metric string, x float64) {
				rep.Rows = append(rep.Rows, Row{name, v, seed, task, method, metric, x})
			}
			joules, flops, cpu := res.EnergyJoules, res.FLOPs, res.CPUSeconds
			add(TaskEnergy, "", "pretrain_joules", res.EnergyJoules)
			add(TaskEnergy, "", "pretrain_steps", float64(res.Steps))
			add(TaskEnergy, "", "params", float64(res.Model.Params()))
			cfg.logf("[%s] seed %d: %s: %d steps, %.0f J (%s), %.3g FLOPs", name, seed, v, res.Steps, res.EnergyJoules, res.EnergySource, res.FLOPs)
			for _, task := range []string{"tte", "similarity"} {
				opt := cfg.Eval
				opt.Task, opt.Seed, opt.Encoder, opt.Finetune, opt.Energy, opt.Mode = task, seed, o.Encoder, true, eopt, GreenTTEMode
				opt.Perturbation.Seed = uint64(seed)
				r, err := tasks.Evaluate(res.Model, ts, opt)
				if err != nil {
					return rep, fmt.Errorf("%s with %s: %w", task, v, err)
				}
				joules, flops, cpu = joules+r.Cost.EnergyJoules, flops+r.Cost.FLOPs, cpu+r.Cost.CPUSeconds
				metric := map[string]string{"tte": "mae", "similarity": "mean_rank"}[task]
				add(task, r.Method, metric, r.Metrics[metric])
				cfg.logf("[%s] seed %d: %s with %s: %s %s (baseline %s), %.0f J", name, seed, task, v, metric,
					fmtNum(r.Metrics[metric]), fmtNum(r.Baseline[metric]), r.Cost.EnergyJoules)
				if !baselineDone[task] {
					baselineDone[task] = true
					rep.Rows = append(rep.Rows, Row{name, baselineName(task), seed, task, tasks.MethodBaseline, metric, r.Baseline[metric]})
				}
			}
			add(TaskEnergy, "", "total_joules", joules)
			add(TaskEnergy, "", "total_flops", flops)
			add(TaskEnergy, "", "cpu_seconds", cpu)
			if !strings.HasPrefix(res.EnergySource, "measured") {
				rep.Headline["energy_estimated"] = 1 // the figure's axis says so
			}
		}
	}
	for _, s := range GreenSizes {
		if j, ok := rep.Get(s.Name(), TaskEnergy, "total_joules"); ok {
			rep.Headline[strings.ReplaceAll(s.Name(), " ", "")+"_total_joules"] = j.Mean
		}
	}
	return rep, nil
}

// Pareto is the green experiment's figure for task's metric: x = the
// energy of pre-training + the task runs (J, log scale, mean ± sd), y = the
// metric (mean ± sd), the sizes one series in size order, early stopping
// its own marker, the classical baseline a dashed line. Points on the
// Pareto front (no other point both cheaper and better) are named with a
// "★". ok is false when the report lacks the rows.
func (r *Report) Pareto(task, metric string) (viz.Figure, bool) {
	type pt struct {
		name string
		p    viz.ErrPoint
	}
	var sweep, other []pt
	for _, s := range GreenSizes {
		j, ok1 := r.Get(s.Name(), TaskEnergy, "total_joules")
		y, ok2 := r.Get(s.Name(), task, metric)
		if !ok1 || !ok2 {
			continue
		}
		p := pt{s.Name(), viz.ErrPoint{Label: s.Name(), X: j.Mean, Y: y.Mean, XErr: j.Std, YErr: y.Std}}
		if s.EarlyStop.Every > 0 {
			other = append(other, p)
		} else {
			sweep = append(sweep, p)
		}
	}
	all := append(append([]pt{}, sweep...), other...)
	if len(all) == 0 {
		return nil, false
	}
	lower := lowerIsBetter(metric)
	better := func(a, b float64) bool { return lower && a < b || !lower && a > b }
	star := func(p pt) string {
		for _, q := range all {
			if q.name != p.name && q.p.X <= p.p.X && (better(q.p.Y, p.p.Y) || q.p.Y == p.p.Y && q.p.X < p.p.X) {
				return p.name
			}
		}
		return p.name + " ★"
	}
	mark := func(ps []pt) []viz.ErrPoint {
		out := make([]viz.ErrPoint, len(ps))
		for i, p := range ps {
			out[i] = p.p
			out[i].Label = star(p)
		}
		return out
	}
	sort.SliceStable(sweep, func(i, j int) bool { return sweep[i].p.X < sweep[j].p.X })
	series := []viz.ErrSeries{{Name: "sizes (layers×width)", Points: mark(sweep), Line: true}}
	for _, p := range other {
		series = append(series, viz.ErrSeries{Name: p.name, Points: mark([]pt{p})})
	}
	var refs []viz.RefLine
	if s, ok := r.Get(baselineName(task), task, metric); ok {
		refs = append(refs, viz.RefLine{Name: baselineName(task), Value: s.Mean})
	}
	dir := "higher is better"
	if lower {
		dir = "lower is better"
	}
	source := "estimated"
	if r.Headline["energy_estimated"] == 0 {
		source = "RAPL"
	}
	title := fmt.Sprintf("%s: %s %s against energy\n(mean ± sd over %s; ★ = on the Pareto front)", r.Name, taskLabel(task), metricLabel(task, metric), seedsWord(len(r.Config.Seeds)))
	return viz.ErrorScatter(title, fmt.Sprintf("energy: pre-training + %s (J, %s; log scale)", taskLabel(task), source),
		fmt.Sprintf("%s (%s)", metricLabel(task, metric), dir), series, refs...).LogX().Size(900, 560), true
}

// taskLabel names the green experiment's task on a chart.
func taskLabel(task string) string {
	if task == "tte" {
		return "TTE (" + GreenTTEMode + " trips)"
	}
	return task
}
