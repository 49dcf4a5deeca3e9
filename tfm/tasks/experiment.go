package tasks

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tfm-course/course/tfm/encoder"
	"github.com/tfm-course/course/tfm/pretrain"
	"github.com/tfm-course/course/tfm/traj"
	"github.com/tfm-course/course/tfm/viz"
)

// Experiments lists the names RunExperiment accepts:
//
//   - pretrain-vs-scratch (seed experiment 1): contrastive pre-training with
//     crop + jitter, and generative (masked reconstruction) pre-training, vs
//     the scratch baseline, on similarity search and TTE, over three seeds;
//   - masking-ablation (experiment 2): generative pre-training with random,
//     span and road-aware masking, on recovery and classification;
//   - hybrid-sweep (experiment 3): hybrid pre-training with λ_gen ∈ {0.2,
//     0.5, 0.8} and the adaptive balancers, on recovery and classification.
var Experiments = []string{"pretrain-vs-scratch", "masking-ablation", "hybrid-sweep"}

// ExperimentConfig sizes an experiment.
type ExperimentConfig struct {
	Seeds         []int64        // one run per seed (split, pre-training, training)
	PretrainSteps int            // pre-training steps per variant
	Encoder       encoder.Config // the architecture every variant shares
	Eval          Options        // task settings (Task is set per task)
	Log           io.Writer      // progress (nil: silent)
}

// DefaultExperimentConfig is the full size: three seeds, the default
// encoder, 300 pre-training steps.
func DefaultExperimentConfig() ExperimentConfig {
	o := DefaultOptions("")
	o.Mode = "car"
	o.FineTune.Steps = 300
	return ExperimentConfig{Seeds: []int64{1, 2, 3}, PretrainSteps: 300, Encoder: encoder.DefaultConfig(), Eval: o}
}

// QuickExperimentConfig runs in about a minute or two per experiment on
// two cores: a small encoder, few steps, still three seeds.
func QuickExperimentConfig() ExperimentConfig {
	c := DefaultExperimentConfig()
	c.PretrainSteps = 150
	c.Encoder.Layers, c.Encoder.Dim, c.Encoder.Heads, c.Encoder.FFN, c.Encoder.MaxLen = 1, 32, 4, 64, 32
	c.Eval.FineTune.Steps = 200
	c.Eval.Probe.Steps = 300
	c.Eval.Queries = 500
	c.Eval.Recovery.Window = 32
	return c
}

// Row is one measured number of an experiment.
type Row struct {
	Experiment string  `json:"experiment"`
	Variant    string  `json:"variant"` // e.g. "contrastive", "scratch", "span masking"
	Seed       int64   `json:"seed"`
	Task       string  `json:"task"`
	Method     Method  `json:"method"`
	Metric     string  `json:"metric"`
	Value      float64 `json:"value"`
}

// Report is the outcome of an experiment.
type Report struct {
	Name    string
	Config  ExperimentConfig
	Rows    []Row
	Elapsed time.Duration
	// Confusions keeps one confusion matrix per variant (first seed).
	Confusions map[string]*ConfusionMatrix
}

func (c ExperimentConfig) logf(format string, args ...any) {
	if c.Log != nil {
		fmt.Fprintf(c.Log, format+"\n", args...)
	}
}

// variant is one pre-training setting of an experiment (nil Options: the
// scratch baseline).
type variant struct {
	name string
	opt  *pretrain.Options
}

// RunExperiment runs the named experiment on the trajectories ts.
func RunExperiment(ctx context.Context, name string, ts []*traj.Trajectory, cfg ExperimentConfig) (*Report, error) {
	start := time.Now()
	rep := &Report{Name: name, Config: cfg, Confusions: map[string]*ConfusionMatrix{}}
	base := pretrain.DefaultOptions()
	base.Encoder, base.Steps = cfg.Encoder, cfg.PretrainSteps
	with := func(f func(o *pretrain.Options)) *pretrain.Options {
		o := base
		f(&o)
		return &o
	}
	var variants []variant
	var taskNames []string
	switch name {
	case "pretrain-vs-scratch":
		variants = []variant{
			{"contrastive (crop+jitter)", with(func(o *pretrain.Options) { o.Paradigm, o.Augment = "contrastive", "crop,jitter" })},
			{"generative (random masking)", with(func(o *pretrain.Options) { o.Paradigm, o.Masking = "generative", "random" })},
			{"scratch", nil},
		}
		taskNames = []string{"similarity", "tte"}
	case "masking-ablation":
		for _, m := range []string{"random", "span", "road"} {
			variants = append(variants, variant{m + " masking", with(func(o *pretrain.Options) { o.Paradigm, o.Masking = "generative", m })})
		}
		variants = append(variants, variant{"scratch", nil})
		taskNames = []string{"recover", "classify"}
	case "hybrid-sweep":
		for _, l := range []float64{0.2, 0.5, 0.8} {
			variants = append(variants, variant{fmt.Sprintf("hybrid λ=%.1f", l), with(func(o *pretrain.Options) { o.Paradigm, o.Lambda, o.Balance = "hybrid", l, "fixed" })})
		}
		for _, b := range []string{"uncertainty", "gradnorm", "dwa"} {
			variants = append(variants, variant{"hybrid " + b, with(func(o *pretrain.Options) { o.Paradigm, o.Balance = "hybrid", b })})
		}
		variants = append(variants, variant{"scratch", nil})
		taskNames = []string{"recover", "classify"}
	default:
		return nil, fmt.Errorf("unknown experiment %q (want one of %s)", name, strings.Join(Experiments, ", "))
	}
	baselineDone := map[string]bool{}
	for _, seed := range cfg.Seeds {
		train, _, err := Split(ts, cfg.Eval.TestFrac, uint64(seed))
		if err != nil {
			return nil, err
		}
		for _, v := range variants {
			if err := ctx.Err(); err != nil {
				return rep, err
			}
			var enc *Encoder
			if v.opt != nil {
				o := *v.opt
				o.Seed = seed
				cfg.logf("[%s] seed %d: pre-training %s (%d steps)", name, seed, v.name, o.Steps)
				res, err := pretrain.Train(ctx, DefaultBackend(), &traj.Dataset{Name: "train", Trajectories: train}, o)
				if err != nil {
					return rep, fmt.Errorf("pre-training %s: %w", v.name, err)
				}
				rep.Rows = append(rep.Rows, Row{name, v.name, seed, "pretrain", "", "final_loss", res.LastLoss})
				enc = FromPretrained(res.Model, v.name)
			}
			for _, task := range taskNames {
				opt := cfg.Eval
				opt.Task, opt.Seed, opt.Encoder = task, seed, cfg.Encoder
				opt.Perturbation.Seed = uint64(seed)
				// Every trained task fine-tunes, so pre-trained and scratch
				// runs get the same budget and differ only in initialisation.
				opt.Finetune = true
				cfg.logf("[%s] seed %d: %s with %s", name, seed, task, v.name)
				r, err := Evaluate(enc, ts, opt)
				if err != nil {
					return rep, fmt.Errorf("%s with %s: %w", task, v.name, err)
				}
				var line []string
				for _, k := range r.MetricNames() {
					rep.Rows = append(rep.Rows, Row{name, v.name, seed, task, r.Method, k, r.Metrics[k]})
					if b, ok := r.Baseline[k]; ok {
						line = append(line, fmt.Sprintf("%s %s (baseline %s)", k, fmtNum(r.Metrics[k]), fmtNum(b)))
					} else {
						line = append(line, fmt.Sprintf("%s %s", k, fmtNum(r.Metrics[k])))
					}
				}
				cfg.logf("[%s] seed %d: %s with %s: %s", name, seed, task, v.name, strings.Join(line, ", "))
				// The classical baseline is the same for every variant: record it once per seed.
				if bk := fmt.Sprint(seed, task); !baselineDone[bk] {
					baselineDone[bk] = true
					keys := make([]string, 0, len(r.Baseline))
					for k := range r.Baseline {
						keys = append(keys, k)
					}
					sort.Strings(keys)
					for _, k := range keys {
						rep.Rows = append(rep.Rows, Row{name, baselineName(task), seed, task, MethodBaseline, k, r.Baseline[k]})
					}
				}
				if r.Confusion != nil && rep.Confusions[v.name] == nil {
					rep.Confusions[v.name] = r.Confusion
				}
			}
		}
	}
	rep.Elapsed = time.Since(start)
	return rep, nil
}

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

// Summary is a metric's mean and sample standard deviation over seeds.
type Summary struct {
	Variant, Task string
	Method        Method
	Metric        string
	Mean, Std     float64
	Min, Max      float64
	Seeds         []int64
}

// Summaries aggregates the rows over seeds, in order of first appearance.
func (r *Report) Summaries() []Summary {
	type key struct{ v, t, m string }
	var order []key
	vals := map[key][]float64{}
	seeds := map[key][]int64{}
	method := map[key]Method{}
	for _, row := range r.Rows {
		k := key{row.Variant, row.Task, row.Metric}
		if _, ok := vals[k]; !ok {
			order = append(order, k)
		}
		vals[k] = append(vals[k], row.Value)
		seeds[k] = append(seeds[k], row.Seed)
		method[k] = row.Method
	}
	out := make([]Summary, 0, len(order))
	for _, k := range order {
		v := vals[k]
		s := Summary{Variant: k.v, Task: k.t, Method: method[k], Metric: k.m, Seeds: seeds[k], Min: math.Inf(1), Max: math.Inf(-1)}
		for _, x := range v {
			s.Mean += x / float64(len(v))
			s.Min, s.Max = math.Min(s.Min, x), math.Max(s.Max, x)
		}
		if len(v) > 1 {
			for _, x := range v {
				s.Std += (x - s.Mean) * (x - s.Mean)
			}
			s.Std = math.Sqrt(s.Std / float64(len(v)-1))
		}
		out = append(out, s)
	}
	return out
}

// Get returns the summary of (variant, task, metric).
func (r *Report) Get(variant, task, metric string) (Summary, bool) {
	for _, s := range r.Summaries() {
		if s.Variant == variant && s.Task == task && s.Metric == metric {
			return s, true
		}
	}
	return Summary{}, false
}

// lowerIsBetter says which direction wins for a metric.
func lowerIsBetter(metric string) bool {
	switch metric {
	case "mae", "mape", "rmse", "mean_rank", "recovery_error_m", "final_loss":
		return true
	}
	return false
}

// Markdown renders one table per task: variants as rows, metrics as
// columns, mean ± std over the seeds.
func (r *Report) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Experiment %s\n\n", r.Name)
	fmt.Fprintf(&b, "Seeds %v; pre-training %d steps; encoder `%s`; %s.\n\n", r.Config.Seeds, r.Config.PretrainSteps, r.Config.Encoder, r.Elapsed.Round(time.Second))
	sums := r.Summaries()
	var tasks []string
	seen := map[string]bool{}
	for _, s := range sums {
		if !seen[s.Task] {
			seen[s.Task] = true
			tasks = append(tasks, s.Task)
		}
	}
	for _, task := range tasks {
		var metrics, variants []string
		mseen, vseen := map[string]bool{}, map[string]bool{}
		cell := map[[2]string]Summary{}
		for _, s := range sums {
			if s.Task != task {
				continue
			}
			if !mseen[s.Metric] {
				mseen[s.Metric] = true
				metrics = append(metrics, s.Metric)
			}
			if !vseen[s.Variant] {
				vseen[s.Variant] = true
				variants = append(variants, s.Variant)
			}
			cell[[2]string{s.Variant, s.Metric}] = s
		}
		sort.Strings(metrics)
		fmt.Fprintf(&b, "## %s\n\n| variant | method |", task)
		for _, m := range metrics {
			arrow := "↑"
			if lowerIsBetter(m) {
				arrow = "↓"
			}
			fmt.Fprintf(&b, " %s %s |", m, arrow)
		}
		b.WriteString("\n|---|---|")
		for range metrics {
			b.WriteString("---:|")
		}
		b.WriteString("\n")
		for _, v := range variants {
			var method Method
			for _, m := range metrics {
				if s, ok := cell[[2]string{v, m}]; ok {
					method = s.Method
				}
			}
			fmt.Fprintf(&b, "| %s | %s |", v, method)
			for _, m := range metrics {
				s, ok := cell[[2]string{v, m}]
				switch {
				case !ok:
					b.WriteString(" – |")
				case len(s.Seeds) > 1:
					fmt.Fprintf(&b, " %s ± %s |", fmtNum(s.Mean), fmtNum(s.Std))
				default:
					fmt.Fprintf(&b, " %s |", fmtNum(s.Mean))
				}
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	if len(r.Confusions) > 0 {
		names := make([]string, 0, len(r.Confusions))
		for n := range r.Confusions {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(&b, "### Confusion matrix: %s (seed %d)\n\n%s\n", n, r.Config.Seeds[0], r.Confusions[n])
		}
	}
	return b.String()
}

func fmtNum(x float64) string {
	a := math.Abs(x)
	switch {
	case a >= 100:
		return strconv.FormatFloat(x, 'f', 1, 64)
	case a >= 1:
		return strconv.FormatFloat(x, 'f', 2, 64)
	}
	return strconv.FormatFloat(x, 'f', 3, 64)
}

// WriteCSV writes every row (long format).
func (r *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"experiment", "variant", "seed", "task", "method", "metric", "value"}); err != nil {
		return err
	}
	for _, row := range r.Rows {
		if err := cw.Write([]string{row.Experiment, row.Variant, strconv.FormatInt(row.Seed, 10), row.Task, string(row.Method), row.Metric,
			strconv.FormatFloat(row.Value, 'g', 8, 64)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Figures returns one bar chart per (task, headline metric): the mean over
// seeds of each variant, keyed by a file-friendly name.
func (r *Report) Figures() map[string]viz.Figure {
	headline := map[string][]string{
		"similarity": {"mean_rank", "hr1"},
		"tte":        {"mae"},
		"classify":   {"accuracy", "macro_f1"},
		"recover":    {"recovery_error_m", "recovery_accuracy"},
		"pretrain":   {"final_loss"},
	}
	figs := map[string]viz.Figure{}
	sums := r.Summaries()
	for task, metrics := range headline {
		for _, m := range metrics {
			var names []string
			var vals []float64
			for _, s := range sums {
				if s.Task == task && s.Metric == m {
					names = append(names, s.Variant)
					vals = append(vals, s.Mean)
				}
			}
			if len(vals) == 0 {
				continue
			}
			dir := "higher is better"
			if lowerIsBetter(m) {
				dir = "lower is better"
			}
			figs[task+"_"+m] = viz.Bar(fmt.Sprintf("%s: %s (%s; mean of %d seeds)", r.Name, task, dir, len(r.Config.Seeds)), m, names, vals).
				Size(math.Max(640, 170*float64(len(names))), 400)
		}
	}
	return figs
}

// Write saves results.md, results.csv and the figures (SVG) into dir.
func (r *Report) Write(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var files []string
	md := filepath.Join(dir, "results.md")
	if err := os.WriteFile(md, []byte(r.Markdown()), 0o644); err != nil {
		return nil, err
	}
	files = append(files, md)
	csvPath := filepath.Join(dir, "results.csv")
	f, err := os.Create(csvPath)
	if err != nil {
		return nil, err
	}
	if err := r.WriteCSV(f); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	files = append(files, csvPath)
	names := make([]string, 0)
	figs := r.Figures()
	for n := range figs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := filepath.Join(dir, n+".svg")
		if err := viz.Save(figs[n], p); err != nil {
			return files, fmt.Errorf("figure %s: %w", n, err)
		}
		files = append(files, p)
	}
	return files, nil
}
