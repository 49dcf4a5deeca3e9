package experiment

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tfm-course/course/tfm/output"
	"github.com/tfm-course/course/tfm/tasks"
	"github.com/tfm-course/course/tfm/viz"
)

// Summary is a metric's mean and sample standard deviation over seeds.
type Summary struct {
	Variant, Task string
	Method        tasks.Method
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
	method := map[key]tasks.Method{}
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

// noDirection says which tasks' metrics are descriptions, not scores
// (causal-shift's prediction rates and context probe).
func noDirection(task string) bool { return task == "bias_shifted" || task == "context_probe" }

// Markdown renders one table per task: variants as rows, metrics as
// columns, mean ± std over the seeds.
func (r *Report) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Experiment %s\n\n", r.Name)
	fmt.Fprintf(&b, "Seeds %v; pre-training %d steps; encoder `%s`; %s.\n\n", r.Config.Seeds, r.Config.PretrainSteps, r.Config.Encoder, r.Elapsed.Round(time.Second))
	sums := r.Summaries()
	var taskNames []string
	seen := map[string]bool{}
	for _, s := range sums {
		if !seen[s.Task] {
			seen[s.Task] = true
			taskNames = append(taskNames, s.Task)
		}
	}
	for _, task := range taskNames {
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
			if noDirection(task) {
				arrow = ""
			}
			fmt.Fprintf(&b, " %s |", strings.TrimSpace(m+" "+arrow))
		}
		b.WriteString("\n|---|---|")
		for range metrics {
			b.WriteString("---:|")
		}
		b.WriteString("\n")
		for _, v := range variants {
			var method tasks.Method
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
		// causal-shift
		"accuracy":      {"iid", "shifted"},
		"context_probe": {"district_type"},
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
			figs[task+"_"+m] = viz.Bar(fmt.Sprintf("%s: %s (%s; mean of %d seeds)", r.Name, task, dir, len(r.Config.Seeds)), metricLabel(task, m), names, vals).
				Size(math.Max(640, 170*float64(len(names))), 400)
		}
	}
	return figs
}

// metricLabels name the headline metrics on a chart's axis, with units.
var metricLabels = map[string]string{
	"mean_rank":         "mean rank of the true match (1 = best)",
	"hr1":               "hit rate @1 (share of queries)",
	"mae":               "mean absolute error (s)",
	"accuracy":          "accuracy (share correct)",
	"macro_f1":          "macro F1",
	"recovery_error_m":  "recovery error (m)",
	"recovery_accuracy": "recovery accuracy (share of points)",
	"final_loss":        "final pre-training loss",
	"iid":               "accuracy, i.i.d. split (share correct)",
	"shifted":           "accuracy, shifted split (share correct)",
	"district_type":     "district-type probe accuracy (share correct)",
}

// metricLabel is the axis label of metric m of task.
func metricLabel(task, m string) string {
	if l, ok := metricLabels[m]; ok {
		return l
	}
	return task + " " + strings.ReplaceAll(m, "_", " ")
}

// ResultFiles are the files WriteDir writes before the figures.
var ResultFiles = []string{"results.md", "results.csv", ResultsFile}

// CheckOut refuses, before an experiment runs, an output folder whose
// results files WriteDir could not replace (see WriteDir).
func CheckOut(dir string, force bool) error {
	d, err := output.OpenDir(dir, force)
	if err != nil {
		return err
	}
	return d.Check(ResultFiles...)
}

// Write saves results.md, results.csv, results.json and the figures (SVG)
// into dir (see WriteDir, without force).
func (r *Report) Write(dir string) ([]string, error) { return r.WriteDir(dir, false) }

// WriteDir saves results.json (ResultsFile, the record the tables are
// generated from), results.md, results.csv and the figures (SVG) into dir,
// each atomically. A file of the same name that is not an earlier,
// unchanged output of WriteDir is not replaced unless force (tfm/output).
func (r *Report) WriteDir(dir string, force bool) ([]string, error) {
	d, err := output.OpenDir(dir, force)
	if err != nil {
		return nil, err
	}
	if err := d.Check(ResultFiles...); err != nil {
		return nil, err
	}
	js, err := r.JSON()
	if err != nil {
		return nil, err
	}
	if err := d.WriteFile(ResultsFile, js); err != nil {
		return nil, err
	}
	tables, err := r.writeTables(dir, d.WriteWith)
	return append([]string{filepath.Join(dir, ResultsFile)}, tables...), err
}

// WriteTables regenerates the tables and figures of dir (results.md,
// results.csv, *.svg) from the report, leaving results.json as it is:
// what `tfm experiment report DIR` does. They are derived files, so they
// are replaced (atomically, with no output record: a committed results
// folder stays as committed); a hand edit of them is what this undoes.
func (r *Report) WriteTables(dir string) ([]string, error) {
	return r.writeTables(dir, func(name string, write func(io.Writer) error) error {
		return output.WriteWith(filepath.Join(dir, name), true, write)
	})
}

// writeTables writes the tables and figures through put.
func (r *Report) writeTables(dir string, put func(name string, write func(io.Writer) error) error) ([]string, error) {
	bytes := func(b []byte) func(io.Writer) error {
		return func(w io.Writer) error { _, err := w.Write(b); return err }
	}
	var files []string
	if err := put("results.md", bytes([]byte(r.Markdown()))); err != nil {
		return nil, err
	}
	files = append(files, filepath.Join(dir, "results.md"))
	if err := put("results.csv", r.WriteCSV); err != nil {
		return files, err
	}
	files = append(files, filepath.Join(dir, "results.csv"))
	names := make([]string, 0)
	figs := r.Figures()
	for n := range figs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		svg, err := figs[n].SVG()
		if err != nil {
			return files, fmt.Errorf("figure %s: %w", n, err)
		}
		if err := put(n+".svg", bytes(svg)); err != nil {
			return files, fmt.Errorf("figure %s: %w", n, err)
		}
		files = append(files, filepath.Join(dir, n+".svg"))
	}
	return files, nil
}
