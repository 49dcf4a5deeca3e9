package tasks

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/tfm-course/course/tfm/encoder"
	"github.com/tfm-course/course/tfm/energy"
	"github.com/tfm-course/course/tfm/fairness"
	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/traj"
)

// Tasks lists the task names Evaluate accepts.
var Tasks = []string{"tte", "similarity", "classify", "recover"}

// Below these sizes Evaluate refuses: MinTest test examples (queries for
// similarity) and, for similarity, MinCandidates ranked candidates (the
// query's match and its distractors; HR@20 needs more than 20).
const (
	MinTest       = 10
	MinCandidates = 21
)

// tooFew is the error of a split too small for meaningful metrics.
func tooFew(task, what string, have, need int) error {
	return fmt.Errorf("tasks: %s: %d %s, need at least %d for meaningful metrics (more data, or a larger test share)", task, have, what, need)
}

// Options configure one evaluation run (what `tfm eval` exposes).
type Options struct {
	Task     string  // tte | similarity | classify | recover
	Finetune bool    // fine-tune the encoder (default: frozen encoder + probe)
	TestFrac float64 // share of trajectories held out for testing
	Seed     int64   // split, initialisation and training seed
	// TrainLimit caps the labelled training examples (0 = all): the
	// label-scarce regime where pre-training should pay off.
	TrainLimit int

	Label        string       // classify: label key ("mode", "user" or a Labels key)
	SplitByMode  bool         // classify: cut trajectories at per-point mode changes first
	Mode         string       // tte: only trips of this mode ("" = all)
	Queries      int          // similarity: number of queries
	Perturbation Perturbation // similarity: drop / noise applied to both halves
	MinPoints    int          // similarity: minimum points per half
	// Groups is a fairness group key (fairness.Keys, or any label key):
	// when set, Result.Groups and Result.BaselineGroups report the test
	// metrics per group. "" = off.
	Groups string

	// Mitigation is the fairness mitigation of fine-tuning (tte and
	// classify, fine-tuned or scratch: Mitigations) over the groups
	// MitigationGroups names (district_type, income, mode, user or a label
	// key), read from each training trajectory.
	Mitigation       string
	MitigationGroups string

	Probe    ProbeConfig
	FineTune FineTuneConfig
	Route    RouteConfig
	Recovery RecoveryConfig
	// Encoder is the architecture of the scratch baseline when there is no
	// checkpoint.
	Encoder encoder.Config
	// Energy states the assumptions of the run's energy and carbon
	// accounting (zero fields: energy's defaults).
	Energy energy.Options
	// Log receives progress lines (nil: silent).
	Log io.Writer
}

// DefaultOptions are the course's evaluation defaults.
func DefaultOptions(task string) Options {
	return Options{
		Task: task, TestFrac: 0.2, Seed: 1, Label: "mode",
		Queries: 1000, MinPoints: 5, Perturbation: Perturbation{DropRate: 0.5, NoiseM: 30, Seed: 1},
		Probe: DefaultProbeConfig(), FineTune: DefaultFineTuneConfig(),
		Route: DefaultRouteConfig(), Recovery: DefaultRecoveryConfig(), Encoder: encoder.DefaultConfig(),
	}
}

// QuickOptions shrink training for tests and notebooks in quick mode.
func QuickOptions(task string) Options {
	o := DefaultOptions(task)
	o.Probe.Steps, o.FineTune.Steps, o.Queries = 200, 80, 200
	return o
}

// Result is one evaluation: the task's metrics by the names the field uses
// (mae, mape, rmse; mean_rank, hr1, hr5, hr20; accuracy, macro_f1;
// recovery_accuracy, recovery_error_m), the reference baseline's metrics,
// and the sizes. It marshals to one flat JSON object.
type Result struct {
	Task       string
	Checkpoint string
	Method     Method
	Train      int
	Test       int
	Metrics    map[string]float64
	// Baseline holds the classical reference on the same split (speed
	// baseline, resampled coordinates, majority class, linear
	// interpolation), keyed "baseline_<metric>".
	Baseline  map[string]float64
	Confusion *ConfusionMatrix
	Extra     map[string]any
	// Cost is the evaluation's: the encoders' FLOPs (every row trained,
	// ×3 for forward + backward, and every row run forward, counted by the
	// model's Work; heads on embeddings and the baselines are not
	// counted), the process's CPU seconds, the energy and its CO2e.
	Cost energy.Reading
	// Groups and BaselineGroups compare the test metrics of the model and
	// of the baseline (for classify: the motion-features probe) across the
	// groups of Options.Groups; nil when it is "".
	Groups, BaselineGroups *fairness.Report
}

// MarshalJSON flattens the result.
func (r Result) MarshalJSON() ([]byte, error) {
	m := map[string]any{"task": r.Task, "checkpoint": r.Checkpoint, "method": r.Method, "train_size": r.Train, "test_size": r.Test}
	for k, v := range r.Metrics {
		m[k] = v
	}
	for k, v := range r.Baseline {
		m["baseline_"+k] = v
	}
	if r.Confusion != nil {
		m["confusion"] = r.Confusion
	}
	for k, v := range r.Extra {
		m[k] = v
	}
	c := r.Cost
	m["flops"], m["cpu_seconds"], m["energy_joules"], m["energy_source"], m["co2e_grams"], m["grid_g_per_kwh"] =
		c.FLOPs, c.CPUSeconds, c.EnergyJoules, c.EnergySource, c.CO2eGrams, c.GridGramsPerKWh
	if g := r.Groups; g != nil {
		m["groups"] = g
		m["group_gap"], m["group_ratio"], m["worst_group"] = g.Gap, g.Ratio, g.Worst
		m["worst_group_"+g.Metric] = g.WorstValue
		if r.Task == "classify" {
			m["demographic_parity_diff"], m["equalized_odds_diff"] = g.DemographicParity, g.EqualizedOdds
		}
	}
	if r.BaselineGroups != nil {
		m["baseline_groups"] = r.BaselineGroups
	}
	return json.Marshal(m)
}

// MetricNames lists a result's metric names in a stable order.
func (r Result) MetricNames() []string {
	names := make([]string, 0, len(r.Metrics))
	for k := range r.Metrics {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

func (o Options) logf(format string, args ...any) {
	if o.Log != nil {
		fmt.Fprintf(o.Log, format+"\n", args...)
	}
}

func limit(ts []*traj.Trajectory, n int) []*traj.Trajectory {
	if n > 0 && len(ts) > n {
		return ts[:n]
	}
	return ts
}

// Evaluate runs task opt.Task with encoder enc on the trajectories ts: it
// splits them (seeded), trains what the task trains on the train split and
// reports on the test split. enc == nil means the scratch baseline: the
// architecture opt.Encoder randomly initialised and trained only on the
// task (similarity search, which trains nothing, then ranks with the
// random encoder).
func Evaluate(enc *tfm.Model, ts []*traj.Trajectory, opt Options) (res Result, err error) {
	seed := uint64(opt.Seed)
	ft := opt.FineTune
	ft.Seed = opt.Seed
	probe := opt.Probe
	probe.Seed = opt.Seed
	res = Result{Task: opt.Task, Checkpoint: "scratch", Baseline: map[string]float64{}, Extra: map[string]any{}}
	if !slices.Contains(Tasks, opt.Task) {
		return res, fmt.Errorf("unknown task %q (want one of %v)", opt.Task, Tasks)
	}
	if err := opt.Energy.Validate(); err != nil {
		return res, err
	}
	meter, counted := energy.Start(opt.Energy), 0.0
	if enc != nil {
		if enc.Work == nil {
			enc.Work = &tfm.Work{}
		}
		counted = enc.EncoderFLOPs()
	}
	defer func() {
		if enc != nil {
			meter.AddFLOPs(enc.EncoderFLOPs() - counted)
		}
		res.Cost = meter.Read()
	}()
	scratch := enc == nil
	if err := opt.checkMitigation(scratch); err != nil {
		return res, err
	}
	if opt.Mitigation != "" {
		ft.Mitigation, ft.GroupKey = opt.Mitigation, opt.MitigationGroups
		res.Extra["mitigation"], res.Extra["mitigation_groups"] = opt.Mitigation, opt.MitigationGroups
	}
	if opt.Groups != "" {
		if _, err := fairness.GroupsOf(ts, opt.Groups); err != nil {
			return res, fmt.Errorf("tasks: --groups %s: %w", opt.Groups, err)
		}
	}
	trainAll, test, err := Split(ts, opt.TestFrac, seed)
	if err != nil {
		return res, err
	}
	if scratch {
		enc, err = NewScratch(opt.Encoder, trainAll, opt.Seed)
		if err != nil {
			return res, err
		}
	} else {
		res.Checkpoint = enc.Name
	}
	train := limit(trainAll, opt.TrainLimit)
	if opt.Task == "tte" && opt.Mode != "" {
		if err := knownMode(ts, opt.Mode); err != nil {
			return res, err
		}
		train, test = filterMode(train, opt.Mode), filterMode(test, opt.Mode)
		res.Extra["mode"] = opt.Mode
	}
	if len(test) < MinTest && opt.Task != "similarity" {
		return res, tooFew(opt.Task, "test trajectories", len(test), MinTest)
	}
	if opt.Mitigation != "" && opt.MitigationGroups != "" {
		if _, err := fairness.GroupsOf(train, opt.MitigationGroups); err != nil {
			return res, fmt.Errorf("tasks: Options.MitigationGroups (--mitigation-groups) %q: %w", opt.MitigationGroups, err)
		}
	}
	defer func() { // the tasks drop unusable examples: check what was scored
		if err == nil && res.Test < MinTest {
			err = tooFew(opt.Task, "test examples scored", res.Test, MinTest)
		}
	}()
	switch opt.Task {
	case "tte":
		b, err := TTESpeedBaseline(train, test)
		if err != nil {
			return res, err
		}
		res.Baseline = map[string]float64{"mae": b.MAE, "mape": b.MAPE, "rmse": b.RMSE}
		var r TTEResult
		if scratch || opt.Finetune {
			opt.logf("tte: training encoder + head (%d steps, %d trips)", ft.Steps, len(train))
			r, err = TTEFineTune(enc, train, test, opt.Route, ft)
		} else {
			r, err = TTEProbe(enc, train, test, opt.Route, probe)
		}
		if err != nil {
			return res, err
		}
		res.Method, res.Train, res.Test = r.Method, r.Train, r.Test
		res.Metrics = map[string]float64{"mae": r.MAE, "mape": r.MAPE, "rmse": r.RMSE}
		if r.GroupWeights != nil {
			res.Extra["group_weights"] = r.GroupWeights
		}
		if opt.Groups != "" {
			res.Groups, err = groupReport(opt.Groups, r.Scored, func(g []string) (fairness.Report, error) { return fairness.Regression(g, r.Pred, r.Truth) })
			if err != nil {
				return res, err
			}
			res.BaselineGroups, err = groupReport(opt.Groups, b.Scored, func(g []string) (fairness.Report, error) { return fairness.Regression(g, b.Pred, b.Truth) })
			if err != nil {
				return res, err
			}
		}
	case "similarity":
		queries, distractors := SplitQueries(test, opt.Queries, seed)
		distractors = append(distractors, trainAll...)
		if len(queries) < MinTest {
			return res, tooFew("similarity", "queries", len(queries), MinTest)
		}
		if len(distractors)+1 < MinCandidates {
			return res, tooFew("similarity", "candidates per query", len(distractors)+1, MinCandidates)
		}
		s, err := NewSelfSimilarityPerturbed(queries, distractors, opt.MinPoints, opt.Perturbation)
		if err != nil {
			return res, err
		}
		opt.logf("similarity: %d queries against %d distractors", len(s.Queries), s.Distractors())
		r, err := s.Evaluate(enc, L2)
		if err != nil {
			return res, err
		}
		b, err := s.Evaluate(NewResampleEmbedder(ts, 16), L2)
		if err != nil {
			return res, err
		}
		res.Method = MethodProbe
		if scratch {
			res.Method = MethodScratch
		}
		res.Train, res.Test = 0, r.Queries
		res.Metrics = map[string]float64{"mean_rank": r.MeanRank, "hr1": r.HR1, "hr5": r.HR5, "hr20": r.HR20}
		res.Baseline = map[string]float64{"mean_rank": b.MeanRank, "hr1": b.HR1, "hr5": b.HR5, "hr20": b.HR20}
		if opt.Groups != "" {
			res.Groups, err = groupReport(opt.Groups, s.Queries, func(g []string) (fairness.Report, error) { return fairness.Ranks(g, r.Ranks) })
			if err != nil {
				return res, err
			}
			res.BaselineGroups, err = groupReport(opt.Groups, s.Queries, func(g []string) (fairness.Report, error) { return fairness.Ranks(g, b.Ranks) })
			if err != nil {
				return res, err
			}
		}
		res.Extra["distractors"] = r.Distractors
		res.Extra["drop_rate"] = opt.Perturbation.DropRate
		res.Extra["noise_m"] = opt.Perturbation.NoiseM
	case "classify":
		if opt.SplitByMode {
			train, test = splitAllByMode(train, opt.MinPoints), splitAllByMode(test, opt.MinPoints)
		}
		var r ClassifyResult
		if scratch || opt.Finetune {
			opt.logf("classify: training encoder + head (%d steps, %d trajectories)", ft.Steps, len(train))
			r, err = ClassifyFineTune(enc, train, test, opt.Label, ft)
		} else {
			r, err = ClassifyProbe(enc, train, test, opt.Label, probe)
		}
		if err != nil {
			return res, err
		}
		res.Method, res.Train, res.Test = r.Method, r.Train, r.Test
		res.Metrics = map[string]float64{"accuracy": r.Accuracy, "macro_f1": r.MacroF1}
		res.Baseline = map[string]float64{"accuracy": r.MajorityAccuracy}
		res.Confusion = r.Confusion
		res.Extra["label"] = opt.Label
		if r.GroupWeights != nil {
			res.Extra["group_weights"] = r.GroupWeights
		}
		classify := func(c ClassifyResult) func(g []string) (fairness.Report, error) {
			return func(g []string) (fairness.Report, error) {
				return fairness.Classification(g, c.Pred, c.Truth, len(c.Confusion.Classes))
			}
		}
		if opt.Groups != "" {
			if res.Groups, err = groupReport(opt.Groups, r.Scored, classify(r)); err != nil {
				return res, err
			}
		}
		if mf, err := ClassifyProbe(MotionFeatures{}, train, test, opt.Label, probe); err == nil {
			res.Extra["motion_features_accuracy"] = mf.Accuracy
			res.Extra["motion_features_macro_f1"] = mf.MacroF1
			if opt.Groups != "" {
				if res.BaselineGroups, err = groupReport(opt.Groups, mf.Scored, classify(mf)); err != nil {
					return res, err
				}
			}
		}
	case "recover":
		lin, err := RecoverLinear(test, opt.Recovery)
		if err != nil {
			return res, err
		}
		ft.Freeze = !scratch && !opt.Finetune
		opt.logf("recover: training %s (%d steps)", map[bool]string{true: "head only", false: "encoder + head"}[ft.Freeze], ft.Steps)
		r, err := RecoverFineTune(enc, train, test, opt.Recovery, ft)
		if err != nil {
			return res, err
		}
		res.Method, res.Train, res.Test = r.Method, r.Train, r.Test
		res.Metrics = map[string]float64{"recovery_accuracy": r.Accuracy, "recovery_error_m": r.ErrorM}
		res.Baseline = map[string]float64{"recovery_accuracy": lin.Accuracy, "recovery_error_m": lin.ErrorM}
		if opt.Groups != "" {
			res.Groups, err = groupReport(opt.Groups, r.Scored, func(g []string) (fairness.Report, error) {
				return fairness.Errors(g, r.ErrorsM, "recovery_error_m")
			})
			if err != nil {
				return res, err
			}
			res.BaselineGroups, err = groupReport(opt.Groups, lin.Scored, func(g []string) (fairness.Report, error) {
				return fairness.Errors(g, lin.ErrorsM, "recovery_error_m")
			})
			if err != nil {
				return res, err
			}
		}
		res.Extra["keep_rate"] = opt.Recovery.KeepRate
		res.Extra["radius_m"] = opt.Recovery.RadiusM
	default:
		return res, fmt.Errorf("unknown task %q (want one of %v)", opt.Task, Tasks)
	}
	return res, nil
}

// checkMitigation refuses a mitigation Evaluate cannot apply: unknown, on
// a task or method without fine-tuning, or without a group key.
func (o Options) checkMitigation(scratch bool) error {
	if o.Mitigation == "" || o.Mitigation == "none" {
		return nil
	}
	if !slices.Contains(Mitigations, o.Mitigation) {
		return fmt.Errorf("tasks: Options.Mitigation %q: want one of %v", o.Mitigation, Mitigations)
	}
	if o.Task != "tte" && o.Task != "classify" {
		return fmt.Errorf("tasks: Options.Mitigation %q: only tte and classify fine-tune with a mitigation, not %s", o.Mitigation, o.Task)
	}
	if !scratch && !o.Finetune {
		return fmt.Errorf("tasks: Options.Mitigation %q mitigates fine-tuning: set Finetune (--finetune) or use the scratch baseline", o.Mitigation)
	}
	if o.MitigationGroups == "" {
		return fmt.Errorf("tasks: Options.Mitigation %q needs Options.MitigationGroups (a group key: district_type, income, mode, user or a label key)", o.Mitigation)
	}
	return nil
}

// groupReport groups the scored examples by key and reports them with f.
func groupReport(key string, scored []*traj.Trajectory, f func(groups []string) (fairness.Report, error)) (*fairness.Report, error) {
	groups, err := fairness.GroupsOf(scored, key)
	if err != nil {
		return nil, err
	}
	r, err := f(groups)
	if err != nil {
		return nil, err
	}
	r.Key = key
	return &r, nil
}

// knownMode fails when no trajectory of ts has the mode, naming the modes
// they have.
func knownMode(ts []*traj.Trajectory, mode string) error {
	seen := map[string]bool{}
	for _, t := range ts {
		if t.Mode == mode {
			return nil
		}
		if t.Mode != "" {
			seen[t.Mode] = true
		}
	}
	have := make([]string, 0, len(seen))
	for m := range seen {
		have = append(have, m)
	}
	sort.Strings(have)
	if len(have) == 0 {
		return fmt.Errorf("tasks: tte: unknown mode %q: the trajectories have no transport modes", mode)
	}
	return fmt.Errorf("tasks: tte: unknown mode %q (the data's modes: %s)", mode, strings.Join(have, ", "))
}

func filterMode(ts []*traj.Trajectory, mode string) []*traj.Trajectory {
	var out []*traj.Trajectory
	for _, t := range ts {
		if t.Mode == mode {
			out = append(out, t)
		}
	}
	return out
}

func splitAllByMode(ts []*traj.Trajectory, minPoints int) []*traj.Trajectory {
	var out []*traj.Trajectory
	for _, t := range ts {
		out = append(out, SplitByMode(t, minPoints)...)
	}
	return out
}
