// Package experiment runs the course's experiments end to end (pre-training
// variants against the scratch baseline, over seeds, on downstream tasks)
// and reports them as tables (Markdown, CSV) and SVG figures.
package experiment

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
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

// Runner describes one experiment: the variants it compares and the tasks
// it measures them on. Run pre-trains every variant and evaluates it on
// every task, once per seed.
type Runner struct {
	Number      int    // the course's experiment number (orders Names)
	Description string // one line
	Tasks       []string
	// Variants derives the variants from base, the default pre-training
	// options with the configuration's encoder and step count.
	Variants func(base pretrain.Options) []Variant
	// Custom, when set, runs the experiment instead of the variants × tasks
	// loop (an experiment of its own design, e.g. causal-shift).
	Custom func(ctx context.Context, name string, ts []*traj.Trajectory, cfg Config) (*Report, error)
}

// Experiments is the registry of experiments by name (what Run and
// `tfm experiment NAME` accept):
//
//   - pretrain-vs-scratch (seed experiment 1): contrastive pre-training with
//     crop + jitter, and generative (masked reconstruction) pre-training, vs
//     the scratch baseline, on similarity search and TTE, over three seeds;
//   - masking-ablation (experiment 2): generative pre-training with random,
//     span and road-aware masking, on recovery and classification;
//   - hybrid-sweep (experiment 3): hybrid pre-training with λ_gen ∈ {0.2,
//     0.5, 0.8} and the adaptive balancers, on recovery and classification.
var Experiments = map[string]Runner{
	"pretrain-vs-scratch": {
		Number:      1,
		Description: "contrastive (crop + jitter) and generative pre-training vs scratch, on similarity and TTE",
		Tasks:       []string{"similarity", "tte"},
		Variants: func(base pretrain.Options) []Variant {
			return []Variant{
				{"contrastive (crop+jitter)", with(base, func(o *pretrain.Options) { o.Paradigm, o.Contrastive.Augment = "contrastive", "crop,jitter" })},
				{"generative (random masking)", with(base, func(o *pretrain.Options) { o.Paradigm, o.Generative.Masking = "generative", "random" })},
				{"scratch", nil},
			}
		},
	},
	"masking-ablation": {
		Number:      2,
		Description: "generative pre-training with random, span and road-aware masking, on recovery and classification",
		Tasks:       []string{"recover", "classify"},
		Variants: func(base pretrain.Options) []Variant {
			var vs []Variant
			for _, m := range []string{"random", "span", "road"} {
				vs = append(vs, Variant{m + " masking", with(base, func(o *pretrain.Options) { o.Paradigm, o.Generative.Masking = "generative", m })})
			}
			return append(vs, Variant{"scratch", nil})
		},
	},
	"hybrid-sweep": {
		Number:      3,
		Description: "hybrid pre-training with λ_gen ∈ {0.2, 0.5, 0.8} and the adaptive balancers, on recovery and classification",
		Tasks:       []string{"recover", "classify"},
		Variants: func(base pretrain.Options) []Variant {
			var vs []Variant
			for _, l := range []float64{0.2, 0.5, 0.8} {
				vs = append(vs, Variant{fmt.Sprintf("hybrid λ=%.1f", l), with(base, func(o *pretrain.Options) { o.Paradigm, o.Hybrid.Lambda, o.Hybrid.Balance = "hybrid", l, "fixed" })})
			}
			for _, b := range []string{"uncertainty", "gradnorm", "dwa"} {
				vs = append(vs, Variant{"hybrid " + b, with(base, func(o *pretrain.Options) { o.Paradigm, o.Hybrid.Balance = "hybrid", b })})
			}
			return append(vs, Variant{"scratch", nil})
		},
	},
}

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

// Config sizes an experiment.
type Config struct {
	Seeds         []int64        // one run per seed (split, pre-training, training)
	PretrainSteps int            // pre-training steps per variant
	Encoder       encoder.Config // the architecture every variant shares
	Eval          tasks.Options  // task settings (Task is set per task)
	Log           io.Writer      // progress (nil: silent)
}

// DefaultConfig is the full size: three seeds, the default encoder, 300
// pre-training steps.
func DefaultConfig() Config {
	o := tasks.DefaultOptions("")
	o.Mode = "car"
	o.FineTune.Steps = 300
	return Config{Seeds: []int64{1, 2, 3}, PretrainSteps: 300, Encoder: encoder.DefaultConfig(), Eval: o}
}

// QuickConfig runs in about a minute or two per experiment on two cores: a
// small encoder, few steps, still three seeds.
func QuickConfig() Config {
	c := DefaultConfig()
	c.PretrainSteps = 150
	c.Encoder.Layers, c.Encoder.Dim, c.Encoder.Heads, c.Encoder.FFN, c.Encoder.MaxLen = 1, 32, 4, 64, 32
	c.Eval.FineTune.Steps = 200
	c.Eval.Probe.Steps = 300
	c.Eval.Queries = 500
	c.Eval.Recovery.Window = 32
	return c
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
	// Confusions keeps one confusion matrix per variant (first seed).
	Confusions map[string]*tasks.ConfusionMatrix
	// Headline holds an experiment's named headline numbers (means over
	// seeds), e.g. causal-shift's plain_shifted; the CLI's --json reports them.
	Headline map[string]float64
}

// Run runs the named experiment (a key of Experiments) on the trajectories
// ts. On cancellation or a failing variant it returns the rows so far with
// the error.
func Run(ctx context.Context, name string, ts []*traj.Trajectory, cfg Config) (*Report, error) {
	runner, ok := Experiments[name]
	if !ok {
		return nil, fmt.Errorf("unknown experiment %q (want one of %s)", name, strings.Join(Names(), ", "))
	}
	start := time.Now()
	if runner.Custom != nil {
		rep, err := runner.Custom(ctx, name, ts, cfg)
		if rep != nil {
			rep.Elapsed = time.Since(start)
		}
		return rep, err
	}
	rep := &Report{Name: name, Config: cfg, Confusions: map[string]*tasks.ConfusionMatrix{}}
	base := pretrain.DefaultOptions()
	base.Encoder, base.Steps = cfg.Encoder, cfg.PretrainSteps
	variants := runner.Variants(base)
	baselineDone := map[string]bool{}
	for _, seed := range cfg.Seeds {
		train, _, err := tasks.Split(ts, cfg.Eval.TestFrac, uint64(seed))
		if err != nil {
			return nil, err
		}
		for _, v := range variants {
			if err := ctx.Err(); err != nil {
				return rep, err
			}
			var enc *tfm.Model
			if v.Pretrain != nil {
				o := *v.Pretrain
				o.Seed = seed
				cfg.logf("[%s] seed %d: pre-training %s (%d steps)", name, seed, v.Name, o.Steps)
				res, err := pretrain.Train(ctx, tasks.DefaultBackend(), &traj.Dataset{Name: "train", Trajectories: train}, o)
				if err != nil {
					return rep, fmt.Errorf("pre-training %s: %w", v.Name, err)
				}
				rep.Rows = append(rep.Rows, Row{name, v.Name, seed, "pretrain", "", "final_loss", res.LastLoss})
				enc = res.Model
			}
			for _, task := range runner.Tasks {
				opt := cfg.Eval
				opt.Task, opt.Seed, opt.Encoder = task, seed, cfg.Encoder
				opt.Perturbation.Seed = uint64(seed)
				// Every trained task fine-tunes, so pre-trained and scratch
				// runs get the same budget and differ only in initialisation.
				opt.Finetune = true
				cfg.logf("[%s] seed %d: %s with %s", name, seed, task, v.Name)
				r, err := tasks.Evaluate(enc, ts, opt)
				if err != nil {
					return rep, fmt.Errorf("%s with %s: %w", task, v.Name, err)
				}
				var line []string
				for _, k := range r.MetricNames() {
					rep.Rows = append(rep.Rows, Row{name, v.Name, seed, task, r.Method, k, r.Metrics[k]})
					if b, ok := r.Baseline[k]; ok {
						line = append(line, fmt.Sprintf("%s %s (baseline %s)", k, fmtNum(r.Metrics[k]), fmtNum(b)))
					} else {
						line = append(line, fmt.Sprintf("%s %s", k, fmtNum(r.Metrics[k])))
					}
				}
				cfg.logf("[%s] seed %d: %s with %s: %s", name, seed, task, v.Name, strings.Join(line, ", "))
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
