package experiment

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/tfm-course/course/datasets"
	"github.com/tfm-course/course/datasets/split"
	"github.com/tfm-course/course/tfm/continual"
	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/pretrain"
	"github.com/tfm-course/course/tfm/tasks"
	"github.com/tfm-course/course/tfm/traj"
	"github.com/tfm-course/course/tfm/viz"
)

// The continual experiment's tasks (Report rows):
//
//	old_deployed   the old city through the heads and index deployed on the
//	               old encoder (continual.Deployment): tte_mae, classify_accuracy,
//	               similarity_mean_rank
//	old_reprobed   the old city, heads trained again on each encoder
//	               (tasks.Evaluate): the three and recover_error_m
//	new_reprobed   the new city, likewise
//	forgetting     % worse on the old city, per seed against the model before:
//	               TASK_deployed and TASK_reprobed, and worst (the largest)
//	gain           % better on the new city: per task and mean
//	transfer       bwt (−mean re-probed forgetting) and fwt (the old model
//	               against a random one on the new city), % (re-probed)
//	verdict        keeps_old_2pct (every old-city metric within 2 %; also
//	               per view: keeps_deployed_2pct, keeps_reprobed_2pct, the
//	               latter the linear-evaluation protocol of continual
//	               self-supervised learning) and
//	               gains_new (mean gain > 0): 1 or 0 per seed, so the mean
//	               is the share of seeds
//	cost           trainable_params, total_params, seconds, energy_joules of
//	               the continued pre-training
const (
	TaskOldDeployed = "old_deployed"
	TaskOldReprobed = "old_reprobed"
	TaskNewReprobed = "new_reprobed"
	TaskForgetting  = "forgetting"
	TaskGain        = "gain"
	TaskTransfer    = "transfer"
	TaskVerdict     = "verdict"
	TaskCost        = "cost"
)

// KeepTolerance is the forgetting (percent) a strategy may show on every
// old-city metric and still count as keeping the old city.
const KeepTolerance = 2.0

// continualTasks are the re-probed tasks and the metric each reports.
var continualTasks = []struct{ task, metric string }{
	{"tte", "mae"}, {"similarity", "mean_rank"}, {"classify", "accuracy"}, {"recover", "recovery_error_m"},
}

// deployedKeys are the deployed scores (continual.Deployment.Score) and
// their tasks.
var deployedKeys = []struct{ key, task string }{
	{continual.DeployedTTE, "tte"}, {continual.DeployedSimilarity, "similarity"}, {continual.DeployedClassify, "classify"},
}

// columnName is a task's column in the city tables: "tte_mae", …
func columnName(task, metric string) string {
	if task == "recover" {
		return "recover_error_m"
	}
	return task + "_" + metric
}

// ContinualArm is one strategy of the continual experiment, with its
// settings.
type ContinualArm struct {
	Name     string // the variant's name in the tables
	Strategy continual.Strategy
}

// ContinualArms are the experiment's strategies: each of continual.Names
// with its defaults, then EWC at a weaker and a stronger λ (0.03 and 1
// around the default 0.1), so the figure traces the trade-off λ sets.
func ContinualArms() []ContinualArm {
	var arms []ContinualArm
	for _, n := range continual.Names {
		arms = append(arms, ContinualArm{n, continual.DefaultStrategy(n)})
	}
	for _, l := range []float64{0.03, 1} {
		ewc := continual.DefaultStrategy("ewc")
		ewc.EWCLambda = l
		arms = append(arms, ContinualArm{fmt.Sprintf("ewc λ=%g", l), ewc})
	}
	return arms
}

func init() {
	Experiments["continual"] = Runner{
		Number: 7,
		Description: "continued pre-training on the changed city (synthetic drift=1; real data: the later months): " +
			"frozen, naive, replay, replay with distillation, EWC, L2-SP, LoRA and adapters, forgetting on the old city and gain on the new",
		Tasks:  []string{TaskOldDeployed, TaskOldReprobed, TaskNewReprobed, TaskForgetting, TaskGain, TaskTransfer, TaskVerdict, TaskCost},
		Custom: runContinual,
	}
}

// ContinualCities are the old and the new data of the experiment: for a
// synthetic spec, its city and the same city after the drift (drift=1);
// for real data, the trajectories before and after the month that halves
// them (split.MonthCut).
func ContinualCities(spec string, ts []*traj.Trajectory) (old, new []*traj.Trajectory, newMap any, what string, err error) {
	if spec == "" {
		spec = "synthetic"
	}
	if spec == "synthetic" || strings.HasPrefix(spec, "synthetic:") {
		after := "synthetic:drift=1"
		if rest, ok := strings.CutPrefix(spec, "synthetic:"); ok {
			after = "synthetic:" + rest + ",drift=1"
		}
		d, err := datasets.Load(after)
		if err != nil {
			return nil, nil, nil, "", err
		}
		return ts, d.Dataset.Trajectories, d.Map, "the synthetic city before and after its drift (" + after + ")", nil
	}
	cut := split.MonthCut(ts, 0.5)
	old, new = split.ByTime(ts, cut)
	if len(old) < 50 || len(new) < 50 {
		return nil, nil, nil, "", fmt.Errorf("continual: %s splits at %s into %d and %d trajectories; need at least 50 on each side", spec, cut.Format("2006-01"), len(old), len(new))
	}
	return old, new, nil, fmt.Sprintf("%s before and from %s", spec, cut.Format("2006-01")), nil
}

// runContinual pre-trains on the old city (contrastive, crop + jitter,
// PretrainSteps steps on its training split), deploys heads and index on
// it, then continues pre-training on the new city with every strategy
// (ContinualArms; frozen is the old model itself) for as many steps, and
// scores each continued encoder on both cities.
func runContinual(ctx context.Context, name string, ts []*traj.Trajectory, cfg Config) (*Report, error) {
	rep := &Report{Name: name, Config: cfg, Headline: map[string]float64{}}
	arms := ContinualArms()
	for _, a := range arms {
		rep.Variants = append(rep.Variants, VariantInfo{Name: a.Name, Paradigm: "contrastive"})
	}
	oldCity, newCity, newMap, what, err := ContinualCities(cfg.Data, ts)
	if err != nil {
		return nil, err
	}
	cfg.logf("[%s] %s: %d and %d trajectories", name, what, len(oldCity), len(newCity))
	eval := cfg.Eval
	eval.Mode = "" // all modes: the drift changes the mode mix
	for _, seed := range cfg.Seeds {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		train, _, err := tasks.Split(oldCity, eval.TestFrac, uint64(seed))
		if err != nil {
			return nil, err
		}
		o := pretrain.DefaultOptions()
		o.Encoder, o.Steps, o.Seed, o.Map = cfg.Encoder, cfg.PretrainSteps, seed, cfg.Map
		o.Paradigm, o.Contrastive.Augment = "contrastive", "crop,jitter"
		cfg.logf("[%s] seed %d: pre-training on the old city (%d steps)", name, seed, o.Steps)
		res, err := pretrain.Train(ctx, tasks.DefaultBackend(), &traj.Dataset{Name: "old", Trajectories: train}, o)
		if err != nil {
			return rep, fmt.Errorf("pre-training on the old city: %w", err)
		}
		before := res.Model
		opt := eval
		opt.Seed, opt.Encoder = seed, o.Encoder
		opt.Perturbation.Seed = uint64(seed)
		add := func(variant, task string, method tasks.Method, metric string, x float64) {
			rep.Rows = append(rep.Rows, Row{name, variant, seed, task, method, metric, x})
		}
		reprobe := func(m *tfm.Model, city []*traj.Trajectory) (map[string]float64, map[string]float64, error) {
			got, base := map[string]float64{}, map[string]float64{}
			for _, t := range continualTasks {
				o := opt
				o.Task = t.task
				r, err := tasks.Evaluate(m, city, o)
				if err != nil {
					return nil, nil, fmt.Errorf("%s: %w", t.task, err)
				}
				got[t.task], base[t.task] = r.Metrics[t.metric], r.Baseline[t.metric]
			}
			return got, base, nil
		}
		dep, err := continual.Deploy(before, oldCity, opt)
		if err != nil {
			return rep, err
		}
		oldBefore, oldBase, err := reprobe(before, oldCity)
		if err != nil {
			return rep, fmt.Errorf("old city, before: %w", err)
		}
		newBefore, newBase, err := reprobe(before, newCity)
		if err != nil {
			return rep, fmt.Errorf("new city, before: %w", err)
		}
		depBefore, err := dep.Score(before)
		if err != nil {
			return rep, err
		}
		scratchNew, _, err := reprobe(before.Fresh(seed), newCity)
		if err != nil {
			return rep, fmt.Errorf("new city, random encoder: %w", err)
		}
		for _, t := range continualTasks {
			col := columnName(t.task, t.metric)
			add(baselineName(t.task), TaskOldReprobed, tasks.MethodBaseline, col, oldBase[t.task])
			add(baselineName(t.task), TaskNewReprobed, tasks.MethodBaseline, col, newBase[t.task])
			add("random encoder", TaskNewReprobed, tasks.MethodProbe, col, scratchNew[t.task])
		}
		fwt := 0.0
		for _, t := range continualTasks {
			fwt += continual.ForwardTransfer(t.metric, scratchNew[t.task], newBefore[t.task]) / float64(len(continualTasks))
		}

		for _, arm := range arms {
			if err := ctx.Err(); err != nil {
				return rep, err
			}
			s := arm.Name
			after, cost := before, pretrain.Result{}
			start := time.Now()
			if s != "frozen" {
				st := arm.Strategy
				st.Seed = seed
				co := o
				co.Map = newMap
				plan, err := continual.Prepare(before, st, co, train, newCity)
				if err != nil {
					return rep, fmt.Errorf("%s: %w", s, err)
				}
				plan.Apply(&co)
				cfg.logf("[%s] seed %d: continuing with %s on the new city (%d steps)", name, seed, s, co.Steps)
				r, err := pretrain.Train(ctx, tasks.DefaultBackend(), &traj.Dataset{Name: "new", Trajectories: newCity}, co)
				if err != nil {
					return rep, fmt.Errorf("continuing with %s: %w", s, err)
				}
				after, cost = r.Model, *r
			}
			seconds := time.Since(start).Seconds()
			trainable, total := continual.Params(after)
			if s == "frozen" {
				trainable = 0
			}
			add(s, TaskCost, "", "trainable_params", float64(trainable))
			add(s, TaskCost, "", "total_params", float64(total))
			add(s, TaskCost, "", "seconds", seconds)
			add(s, TaskCost, "", "energy_joules", cost.EnergyJoules)

			depAfter, oldAfter, newAfter := depBefore, oldBefore, newBefore
			if s != "frozen" {
				if depAfter, err = dep.Score(after); err != nil {
					return rep, err
				}
				if oldAfter, _, err = reprobe(after, oldCity); err != nil {
					return rep, fmt.Errorf("%s, old city: %w", s, err)
				}
				if newAfter, _, err = reprobe(after, newCity); err != nil {
					return rep, fmt.Errorf("%s, new city: %w", s, err)
				}
			}
			var deployed, reprobed []float64 // forgetting, %
			worst, bwt, gain := math.Inf(-1), 0.0, 0.0
			for _, d := range deployedKeys {
				key, task := d.key, d.task
				metric := strings.TrimPrefix(key, task+"/")
				add(s, TaskOldDeployed, tasks.MethodProbe, columnName(task, metric), depAfter[key])
				f := continual.Forgetting(metric, depBefore[key], depAfter[key])
				add(s, TaskForgetting, "", task+"_deployed", f)
				deployed = append(deployed, f)
			}
			for _, t := range continualTasks {
				col := columnName(t.task, t.metric)
				add(s, TaskOldReprobed, tasks.MethodProbe, col, oldAfter[t.task])
				add(s, TaskNewReprobed, tasks.MethodProbe, col, newAfter[t.task])
				f := continual.Forgetting(t.metric, oldBefore[t.task], oldAfter[t.task])
				g := continual.Gain(t.metric, newBefore[t.task], newAfter[t.task])
				add(s, TaskForgetting, "", t.task+"_reprobed", f)
				add(s, TaskGain, "", t.task, g)
				reprobed = append(reprobed, f)
				bwt -= f / float64(len(continualTasks))
				gain += g / float64(len(continualTasks))
			}
			forgot := append(slices.Clone(deployed), reprobed...)
			for _, f := range forgot {
				worst = math.Max(worst, f)
			}
			add(s, TaskForgetting, "", "worst", worst)
			add(s, TaskGain, "", "mean", gain)
			add(s, TaskTransfer, "", "bwt", bwt)
			add(s, TaskTransfer, "", "fwt", fwt)
			add(s, TaskVerdict, "", "keeps_old_2pct", b2f(continual.Keeps(forgot, KeepTolerance)))
			add(s, TaskVerdict, "", "keeps_deployed_2pct", b2f(continual.Keeps(deployed, KeepTolerance)))
			add(s, TaskVerdict, "", "keeps_reprobed_2pct", b2f(continual.Keeps(reprobed, KeepTolerance)))
			add(s, TaskVerdict, "", "gains_new", b2f(gain > 0))
			cfg.logf("[%s] seed %d: %s: worst forgetting %.2f %%, mean gain %.2f %%, %d trainable of %d, %.0f s",
				name, seed, s, worst, gain, trainable, total, seconds)
		}
	}
	return rep, nil
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// ForgettingGain is the continual experiment's figure: x = the worst
// forgetting over the old city's metrics (%), y = the mean gain on the new
// city (%), one point per strategy (mean ± sd over seeds), with the 2 %
// tolerance and zero gain as reference lines: the good corner is top left.
// The left panel holds every strategy; the right one zooms in on those
// whose mean worst forgetting is under ZoomForgetting, where the 2 % line
// decides (naive training forgets tens of per cent).
func (r *Report) ForgettingGain() (viz.Figure, bool) {
	var all, near []viz.ErrSeries
	zoomed := 0
	for _, v := range r.Variants {
		s := v.Name
		f, ok1 := r.Get(s, TaskForgetting, "worst")
		g, ok2 := r.Get(s, TaskGain, "mean")
		if !ok1 || !ok2 {
			continue
		}
		e := viz.ErrSeries{Name: s, Points: []viz.ErrPoint{{Label: s, X: f.Mean, Y: g.Mean, XErr: f.Std, YErr: g.Std}}}
		all = append(all, e)
		if f.Mean < ZoomForgetting {
			zoomed++
		} else {
			e.Points = nil // in the zoom, an empty series keeps the others' colours
		}
		near = append(near, e)
	}
	if len(all) == 0 {
		return nil, false
	}
	x, y := "worst forgetting over the old city's metrics (% worse)", "mean gain on the new city (% better)"
	refs := []viz.RefLine{{Name: fmt.Sprintf("%g %% tolerance", KeepTolerance), Value: KeepTolerance, Vertical: true}, {Name: "no gain", Value: 0}}
	left := viz.ErrorScatter("every strategy", x, y, all, refs...).Size(640, 520)
	title := fmt.Sprintf("%s: forgetting the old city against gaining the new one (mean ± sd over %s; top left is best)", r.Name, seedsWord(len(r.Config.Seeds)))
	if zoomed == 0 || zoomed == len(all) {
		return left.Title(title), true
	}
	right := viz.ErrorScatter(fmt.Sprintf("zoom: worst forgetting under %g %%", ZoomForgetting), x, y, near, refs...).Size(640, 520)
	return viz.SmallMultiples(title, 2, left, right), true
}

// ZoomForgetting bounds the zoomed panel of ForgettingGain (%).
const ZoomForgetting = 20.0
