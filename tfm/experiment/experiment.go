// Package experiment runs the course's experiments end to end (pre-training
// variants against the scratch baseline, over seeds, on downstream tasks)
// and reports them as tables (Markdown, CSV) and SVG figures.
package experiment

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tfm-course/course/tfm/encoder"
	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/pretrain"
	"github.com/tfm-course/course/tfm/tasks"
	"github.com/tfm-course/course/tfm/traj"
)

// Variant is one pre-training setting of an experiment; a nil Pretrain is
// the scratch baseline (same architecture, randomly initialised, trained
// only on the task).
type Variant struct {
	Name     string
	Pretrain *pretrain.Options
}

// VariantInfo is what results.json records of a variant, so figures can
// be drawn from the file alone (the trade-off figure joins the fixed-λ
// sweep in λ order): its paradigm ("" for scratch), masking, balancer spec
// and fixed λ_gen.
type VariantInfo struct {
	Name     string  `json:"name"`
	Paradigm string  `json:"paradigm,omitempty"`
	Masking  string  `json:"masking,omitempty"`
	Balance  string  `json:"balance,omitempty"`
	Lambda   float64 `json:"lambda,omitempty"` // λ_gen when Balance is "fixed"
}

// Info describes v for results.json.
func (v Variant) Info() VariantInfo {
	in := VariantInfo{Name: v.Name}
	if o := v.Pretrain; o != nil {
		in.Paradigm = o.Paradigm
		if o.Paradigm == "generative" || o.Paradigm == "hybrid" {
			in.Masking = o.Generative.Masking
		}
		if o.Paradigm == "hybrid" {
			in.Balance = o.Hybrid.Balance
			if isFixed(o.Hybrid.Balance) {
				in.Balance, in.Lambda = "fixed", o.Hybrid.Lambda
			}
		}
	}
	return in
}

// isFixed reports whether a balancer spec is the fixed mix.
func isFixed(spec string) bool {
	name, _, _ := strings.Cut(spec, ":")
	return name == "" || name == "fixed"
}

// Runner describes one experiment: the variants it compares and the tasks
// it measures them on. Run pre-trains every variant and evaluates it on
// every task, once per seed.
type Runner struct {
	Number      int    // the course's experiment number (orders Names)
	Description string // one line
	Tasks       []string
	// Variants derives the variants from base, the default pre-training
	// options with the configuration's encoder, step count and modality,
	// and from the configuration's grids (Lambdas, Balancers, Maskings).
	Variants func(base pretrain.Options, cfg Config) []Variant
	// Grids names the Config grids the experiment sweeps ("lambdas",
	// "balancers", "maskings"): results.json records those.
	Grids []string
	// Custom, when set, runs the experiment instead of the variants × tasks
	// loop (an experiment of its own design, e.g. causal-shift).
	Custom func(ctx context.Context, name string, ts []*traj.Trajectory, cfg Config) (*Report, error)
	// Steps, when set, is the experiment's full-size pre-training steps
	// (what `tfm experiment NAME` runs without --pretrain-steps or --quick)
	// in place of DefaultConfig's.
	Steps int
	// FineTunes says a Custom experiment fine-tunes with the configuration's
	// task settings (Config.Eval.FineTune), which results.json then records.
	FineTunes bool
}

// Experiments is the registry of experiments by name (what Run and
// `tfm experiment NAME` accept):
//
//   - pretrain-vs-scratch (seed experiment 1): contrastive pre-training with
//     crop + jitter, and generative (masked reconstruction) pre-training, vs
//     the scratch baseline, on similarity search and TTE, over three seeds;
//   - masking-ablation (the survey's experiment 2): generative pre-training
//     with each of Config.Maskings (random, span, road-aware), on recovery
//     (local detail) and classification (global transfer);
//   - hybrid-sweep (the survey's experiment 3): hybrid pre-training with
//     each fixed λ_gen of Config.Lambdas (0, 0.2, 0.5, 0.8, 1) and each
//     adaptive balancer of Config.Balancers, on recovery (local) and on
//     classification and similarity (global), with the balance diagnosed
//     from the logged gradient norms (task "balance", see balanceRows).
var Experiments = map[string]Runner{
	"pretrain-vs-scratch": {
		Number:      1,
		Description: "contrastive (crop + jitter) and generative pre-training vs scratch, on similarity and TTE",
		Tasks:       []string{"similarity", "tte"},
		Variants: func(base pretrain.Options, _ Config) []Variant {
			return []Variant{
				{"contrastive (crop+jitter)", with(base, func(o *pretrain.Options) { o.Paradigm, o.Contrastive.Augment = "contrastive", "crop,jitter" })},
				{"generative (random masking)", with(base, func(o *pretrain.Options) { o.Paradigm, o.Generative.Masking = "generative", "random" })},
				{"scratch", nil},
			}
		},
	},
	"masking-ablation": {
		Number:      2,
		Description: "generative pre-training with random, span and road-aware masking, on recovery (local) and classification (global)",
		Tasks:       []string{"recover", "classify"},
		Grids:       []string{"maskings"},
		Variants: func(base pretrain.Options, cfg Config) []Variant {
			var vs []Variant
			for _, m := range cfg.Maskings {
				vs = append(vs, Variant{m + " masking", with(base, func(o *pretrain.Options) { o.Paradigm, o.Generative.Masking = "generative", m })})
			}
			return append(vs, Variant{"scratch", nil})
		},
	},
	"hybrid-sweep": {
		Number:      3,
		Description: "hybrid pre-training with fixed λ_gen ∈ {0, 0.2, 0.5, 0.8, 1} and every adaptive balancer, on recovery (local), classification and similarity (global), with the dominant objective from the gradient norms",
		Tasks:       []string{"recover", "classify", "similarity"},
		Grids:       []string{"lambdas", "balancers"},
		Variants: func(base pretrain.Options, cfg Config) []Variant {
			var vs []Variant
			for _, l := range cfg.Lambdas {
				vs = append(vs, Variant{LambdaName(l), with(base, func(o *pretrain.Options) { o.Paradigm, o.Hybrid.Lambda, o.Hybrid.Balance = "hybrid", l, "fixed" })})
			}
			for _, b := range cfg.Balancers {
				vs = append(vs, Variant{b, with(base, func(o *pretrain.Options) { o.Paradigm, o.Hybrid.Balance = "hybrid", b })})
			}
			return append(vs, Variant{"scratch", nil})
		},
	},
}

// LambdaName names the hybrid-sweep variant of fixed λ_gen = l ("λ=0.2").
func LambdaName(l float64) string { return "λ=" + strconv.FormatFloat(l, 'g', -1, 64) }

// with returns a copy of base changed by f.
func with(base pretrain.Options, f func(o *pretrain.Options)) *pretrain.Options {
	f(&base)
	return &base
}

// Names lists the registered experiments by number, then name.
func Names() []string {
	names := make([]string, 0, len(Experiments))
	for n := range Experiments {
		names = append(names, n)
	}
	slices.SortFunc(names, func(a, b string) int {
		return cmp.Or(cmp.Compare(Experiments[a].Number, Experiments[b].Number), cmp.Compare(a, b))
	})
	return names
}

// Config sizes an experiment and holds the grids the sweeping experiments
// run over.
type Config struct {
	Seeds         []int64        // one run per seed (split, pre-training, training)
	PretrainSteps int            // pre-training steps per variant
	Encoder       encoder.Config // the architecture every variant shares
	Eval          tasks.Options  // task settings (Task is set per task)

	Modality  string    // pre-training modality of the variants × tasks experiments ("gps")
	Lambdas   []float64 // hybrid-sweep: the fixed λ_gen values, each in [0, 1]
	Balancers []string  // hybrid-sweep: adaptive balancer specs, NAME or NAME:key=value,… (pretrain.Balancers)
	Maskings  []string  // masking-ablation: masking strategies (pretrain.MaskerByName)

	// Map is the data's map (datasets.Data.Map), passed to pre-training
	// (road-aware masking, the road modality); nil when there is none.
	Map any
	// Data is the data spec the trajectories came from (continual derives
	// the new city from it); empty: "synthetic".
	Data string
	// Command is the command line that produced the run (results.json
	// records it: the tables print it as the way to regenerate them).
	Command string
	// Quick marks the quick configuration (QuickConfig) in the record.
	Quick bool
	Log   io.Writer // progress (nil: silent)
}

// DefaultLambdas is hybrid-sweep's fixed-λ_gen grid.
var DefaultLambdas = []float64{0, 0.2, 0.5, 0.8, 1}

// DefaultMaskings are masking-ablation's strategies.
var DefaultMaskings = []string{"random", "span", "road"}

// DefaultBalancers are the adaptive balancers: pretrain.Balancers but the
// fixed mix (the λ grid sweeps that).
func DefaultBalancers() []string {
	var out []string
	for _, b := range pretrain.Balancers {
		if b != "fixed" {
			out = append(out, b)
		}
	}
	return out
}

// DefaultConfig is the full size: three seeds, the default encoder, 300
// pre-training steps, 300 fine-tuning steps per trained task, the full
// grids.
func DefaultConfig() Config {
	o := tasks.DefaultOptions("")
	o.Mode = "car"
	o.FineTune.Steps = 300
	return Config{Seeds: []int64{1, 2, 3}, PretrainSteps: 300, Encoder: encoder.DefaultConfig(), Eval: o,
		Modality: "gps", Lambdas: slices.Clone(DefaultLambdas), Balancers: DefaultBalancers(), Maskings: slices.Clone(DefaultMaskings)}
}

// QuickConfig runs in about a minute or two per experiment on two cores: a
// small encoder, few steps, still three seeds and the full grids.
func QuickConfig() Config {
	c := DefaultConfig()
	c.Quick = true
	c.PretrainSteps = 150
	c.Encoder.Layers, c.Encoder.Dim, c.Encoder.Heads, c.Encoder.FFN, c.Encoder.MaxLen = 1, 32, 4, 64, 32
	c.Eval.FineTune.Steps = 200
	c.Eval.Probe.Steps = 300
	c.Eval.Queries = 500
	c.Eval.Recovery.Window = 32
	return c
}

// Validate checks the configuration's sizes and grids; the error names the
// field, the bad value and what is valid.
func (c Config) Validate() error {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	if len(c.Seeds) == 0 {
		bad("Seeds: none (want at least one)")
	}
	seen := map[int64]bool{}
	for _, s := range c.Seeds {
		if seen[s] {
			bad("Seeds: %d twice", s)
		}
		seen[s] = true
	}
	if c.PretrainSteps <= 0 {
		bad("PretrainSteps = %d: must be > 0", c.PretrainSteps)
	}
	lseen := map[float64]bool{}
	for _, l := range c.Lambdas {
		if !(l >= 0 && l <= 1) {
			bad("Lambdas: %v is not in [0, 1] (λ_gen weighs the generative loss, 1−λ_gen the contrastive)", l)
		}
		if lseen[l] {
			bad("Lambdas: %v twice", l)
		}
		lseen[l] = true
	}
	bseen := map[string]bool{}
	for _, b := range c.Balancers {
		if err := CheckBalancer(b); err != nil {
			bad("Balancers: %v", err)
		}
		if bseen[b] {
			bad("Balancers: %q twice", b)
		}
		bseen[b] = true
	}
	mseen := map[string]bool{}
	for _, m := range c.Maskings {
		if _, err := pretrain.MaskerByName(m, 0.5); err != nil {
			bad("Maskings: %v", err)
		}
		if mseen[m] {
			bad("Maskings: %q twice", m)
		}
		mseen[m] = true
	}
	if len(errs) > 0 {
		return fmt.Errorf("experiment: %s", strings.Join(errs, "; "))
	}
	return nil
}

// CheckBalancer checks an adaptive balancer spec, NAME or
// NAME:key=value,… (e.g. "dwa:window=20,temperature=2"): NAME one of
// pretrain.Balancers other than "fixed" (the λ grid sweeps the fixed mix),
// each parameter key=value with a number, a key the balancer takes
// (pretrain.BalancerParams) and in its range.
func CheckBalancer(spec string) error {
	name, params, hasParams := strings.Cut(strings.TrimSpace(spec), ":")
	adaptive := DefaultBalancers()
	switch {
	case name == "fixed":
		return fmt.Errorf("balancer %q: the fixed mix is swept by the λ grid (Lambdas, --lambdas), not listed as a balancer", spec)
	case !slices.Contains(adaptive, name):
		return fmt.Errorf("unknown balancer %q in %q%s (want one of %s)", name, spec, suggest(name, adaptive), strings.Join(adaptive, ", "))
	}
	if !hasParams {
		return nil
	}
	for _, kv := range strings.Split(params, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return fmt.Errorf("balancer %q: parameter %q is not key=value", spec, kv)
		}
		if _, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err != nil {
			return fmt.Errorf("balancer %q: parameter %s=%q is not a number", spec, k, v)
		}
	}
	// The keys and ranges each balancer accepts (pretrain.BalancerParams).
	if _, err := pretrain.BalancerByName(spec, 0.5); err != nil {
		return err
	}
	return nil
}

// suggest is " (did you mean X?)" for the name of names sharing the longest
// prefix with s (at least 2 characters), else "".
func suggest(s string, names []string) string {
	best, n := "", 1
	for _, c := range names {
		i := 0
		for i < len(s) && i < len(c) && s[i] == c[i] {
			i++
		}
		if i > n {
			best, n = c, i
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func (c Config) logf(format string, args ...any) {
	if c.Log != nil {
		fmt.Fprintf(c.Log, format+"\n", args...)
	}
}

// Row is one measured number of an experiment.
type Row struct {
	Experiment string       `json:"experiment"`
	Variant    string       `json:"variant"` // e.g. "contrastive", "scratch", "span masking"
	Seed       int64        `json:"seed"`
	Task       string       `json:"task"`
	Method     tasks.Method `json:"method"`
	Metric     string       `json:"metric"`
	Value      float64      `json:"value"`
}

// Report is the outcome of an experiment.
type Report struct {
	Name    string
	Config  Config
	Rows    []Row
	Elapsed time.Duration
	// Cores is the number of cores the run used (GOMAXPROCS; 0: not
	// recorded).
	Cores int
	// Variants describes the variants (the trade-off figure needs them).
	Variants []VariantInfo
	// Confusions keeps one confusion matrix per variant (first seed).
	Confusions map[string]*tasks.ConfusionMatrix
	// Headline holds an experiment's named headline numbers (means over
	// seeds), e.g. causal-shift's plain_shifted; the CLI's --json reports them.
	Headline map[string]float64
}

// Rows of the tasks "seconds" and "balance" are not scores: seconds holds
// each stage's wall time (pre-training, each task), balance the
// diagnosis of the hybrid balance (balanceRows).
const (
	TaskSeconds = "seconds"
	TaskBalance = "balance"
)

// Run runs the named experiment (a key of Experiments) on the trajectories
// ts. On cancellation or a failing variant it returns the rows so far with
// the error.
//
// Work shared by the variants is done once per seed: the split (the
// pre-training set is the split's train part, which tasks.Evaluate draws
// again from the same seed), the scratch baseline (one variant) and the
// classical baselines' rows. Similarity search trains nothing (it ranks
// with the frozen encoder); recovery and classification fine-tune.
func Run(ctx context.Context, name string, ts []*traj.Trajectory, cfg Config) (*Report, error) {
	runner, ok := Experiments[name]
	if !ok {
		return nil, fmt.Errorf("unknown experiment %q (want one of %s)", name, strings.Join(Names(), ", "))
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.recorded(runner)
	start := time.Now()
	if runner.Custom != nil {
		rep, err := runner.Custom(ctx, name, ts, cfg)
		if rep != nil {
			rep.Elapsed, rep.Cores = time.Since(start), runtime.GOMAXPROCS(0)
		}
		return rep, err
	}
	rep := &Report{Name: name, Config: cfg, Cores: runtime.GOMAXPROCS(0), Confusions: map[string]*tasks.ConfusionMatrix{}}
	base := pretrain.DefaultOptions()
	base.Encoder, base.Steps, base.Map = cfg.Encoder, cfg.PretrainSteps, cfg.Map
	if cfg.Modality != "" {
		base.Modality = cfg.Modality
	}
	variants := runner.Variants(base, cfg)
	for _, v := range variants {
		if v.Pretrain != nil {
			if err := v.Pretrain.Validate(); err != nil {
				return nil, fmt.Errorf("variant %s: %w", v.Name, err)
			}
		}
		rep.Variants = append(rep.Variants, v.Info())
	}
	baselineDone := map[string]bool{}
	for _, seed := range cfg.Seeds {
		train, _, err := tasks.Split(ts, cfg.Eval.TestFrac, uint64(seed))
		if err != nil {
			return nil, err
		}
		var firstModel *tfm.Model // the scratch baseline of a non-GPS modality copies its featurisation
		for _, v := range variants {
			if err := ctx.Err(); err != nil {
				return rep, err
			}
			// seconds records a stage's wall time and returns it with its CPU time for the log.
			seconds := func(stage string, t0 time.Time, cpu0 time.Duration) string {
				wall := time.Since(t0)
				rep.Rows = append(rep.Rows, Row{name, v.Name, seed, TaskSeconds, "", stage, wall.Seconds()})
				return fmt.Sprintf("%s, CPU %s", wall.Round(100*time.Millisecond), (cpuTime() - cpu0).Round(100*time.Millisecond))
			}
			var enc *tfm.Model
			if v.Pretrain != nil {
				o := *v.Pretrain
				o.Seed = seed
				cfg.logf("[%s] seed %d: pre-training %s (%d steps)", name, seed, v.Name, o.Steps)
				t0, cpu0 := time.Now(), cpuTime()
				res, err := pretrain.Train(ctx, tasks.DefaultBackend(), &traj.Dataset{Name: "train", Trajectories: train}, o)
				if err != nil {
					return rep, fmt.Errorf("pre-training %s: %w", v.Name, err)
				}
				took := seconds("pretrain", t0, cpu0)
				cfg.logf("[%s] seed %d: pre-trained %s: %.1f steps/s (%s)", name, seed, v.Name, res.StepsPerSecond, took)
				rep.Rows = append(rep.Rows, Row{name, v.Name, seed, "pretrain", "", "final_loss", res.LastLoss})
				if o.Paradigm == "hybrid" {
					for _, r := range balanceRows(res.History) {
						rep.Rows = append(rep.Rows, Row{name, v.Name, seed, TaskBalance, tasks.Method(balancerName(o.Hybrid.Balance)), r.metric, r.value})
					}
				}
				enc = res.Model
				if firstModel == nil {
					firstModel = enc
				}
			} else if firstModel != nil && base.Modality != "gps" {
				// tasks.Evaluate's own scratch baseline is GPS: copy the
				// pre-trained models' featurisation instead.
				enc = tasks.ScratchLike(firstModel, seed)
			}
			for _, task := range runner.Tasks {
				opt := cfg.Eval
				opt.Task, opt.Seed, opt.Encoder = task, seed, cfg.Encoder
				opt.Perturbation.Seed = uint64(seed)
				// Every trained task fine-tunes, so pre-trained and scratch
				// runs get the same budget and differ only in initialisation.
				opt.Finetune = true
				cfg.logf("[%s] seed %d: %s with %s", name, seed, task, v.Name)
				t0, cpu0 := time.Now(), cpuTime()
				r, err := tasks.Evaluate(enc, ts, opt)
				if err != nil {
					return rep, fmt.Errorf("%s with %s: %w", task, v.Name, err)
				}
				took := seconds(task, t0, cpu0)
				var line []string
				for _, k := range r.MetricNames() {
					rep.Rows = append(rep.Rows, Row{name, v.Name, seed, task, r.Method, k, r.Metrics[k]})
					if b, ok := r.Baseline[k]; ok {
						line = append(line, fmt.Sprintf("%s %s (baseline %s)", k, fmtNum(r.Metrics[k]), fmtNum(b)))
					} else {
						line = append(line, fmt.Sprintf("%s %s", k, fmtNum(r.Metrics[k])))
					}
				}
				cfg.logf("[%s] seed %d: %s with %s: %s (%s)", name, seed, task, v.Name, strings.Join(line, ", "), took)
				// The classical baseline is the same for every variant: record it once per seed.
				if bk := fmt.Sprint(seed, task); !baselineDone[bk] {
					baselineDone[bk] = true
					keys := make([]string, 0, len(r.Baseline))
					for k := range r.Baseline {
						keys = append(keys, k)
					}
					sort.Strings(keys)
					for _, k := range keys {
						rep.Rows = append(rep.Rows, Row{name, baselineName(task), seed, task, tasks.MethodBaseline, k, r.Baseline[k]})
					}
				}
				if r.Confusion != nil && rep.Confusions[v.Name] == nil {
					rep.Confusions[v.Name] = r.Confusion
				}
			}
		}
	}
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// recorded is the configuration as results.json records it for runner:
// the grids it does not sweep are cleared.
func (c Config) recorded(runner Runner) Config {
	if !slices.Contains(runner.Grids, "lambdas") {
		c.Lambdas = nil
	}
	if !slices.Contains(runner.Grids, "balancers") {
		c.Balancers = nil
	}
	if !slices.Contains(runner.Grids, "maskings") {
		c.Maskings = nil
	}
	if runner.Custom != nil { // its own design: no modality (or fine-tuning budget) of the config
		c.Modality = ""
		if !runner.FineTunes {
			c.Eval.FineTune.Steps = 0
		}
	}
	return c
}

// balancerName is the name part of a balancer spec ("dwa:window=20" → "dwa").
func balancerName(spec string) string {
	if isFixed(spec) {
		return "fixed"
	}
	name, _, _ := strings.Cut(spec, ":")
	return name
}

// baselineName names the classical baseline tasks.Evaluate reports for task.
func baselineName(task string) string {
	switch task {
	case "tte":
		return "average speed"
	case "similarity":
		return "resampled coordinates"
	case "classify":
		return "majority class"
	case "recover":
		return "linear interpolation"
	}
	return "baseline"
}
