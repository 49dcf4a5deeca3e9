package experiment

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tfm-course/course/tfm/continual"

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
	if continual.LowerIsBetter(metric) { // the tasks' errors and ranks
		return true
	}
	switch metric {
	case "final_loss", "gap_s", "ratio", "worst_mae", "mean_desynced",
		"tte_mae", "similarity_mean_rank", "recover_error_m", "worst": // continual
		return true
	}
	if strings.HasSuffix(metric, "_deployed") || strings.HasSuffix(metric, "_reprobed") { // continual's forgetting
		return true
	}
	return strings.HasPrefix(metric, "mae_")
}

// noDirection says which tasks' metrics are descriptions, not scores
// (causal-shift's prediction rates and context probe, the run times, the
// balance diagnosis).
func noDirection(task string) bool {
	switch task {
	case "bias_shifted", "context_probe", TaskSeconds, TaskBalance, TaskEnergy, TaskCost, TaskGradients:
		return true
	}
	return false
}

// describes says which metrics describe the setting rather than score a
// variant (cross-modal retrieval's candidates and chance levels).
func describes(metric string) bool {
	switch metric {
	case "candidates", "chance_at_1", "chance_at_10":
		return true
	}
	return false
}

// Markdown renders a heading (the configuration) and one table per task:
// variants as rows, metrics as columns, mean ± std over the seeds.
func (r *Report) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Experiment %s\n\n", r.Name)
	b.WriteString(r.Heading())
	b.WriteString("\n\n")
	for _, task := range r.TaskNames() {
		fmt.Fprintf(&b, "## %s\n\n", task)
		b.WriteString(r.Table(task))
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

// Heading is the configuration line under the title: seeds, sizes, the
// grids, the elapsed time (and cores, when recorded), the command.
func (r *Report) Heading() string {
	c := r.Config
	var b strings.Builder
	fmt.Fprintf(&b, "Seeds %v; pre-training %d steps; encoder `%s`", c.Seeds, c.PretrainSteps, c.Encoder)
	if c.Modality != "" {
		fmt.Fprintf(&b, "; modality %s", c.Modality)
	}
	if c.Eval.FineTune.Steps > 0 {
		fmt.Fprintf(&b, "; fine-tuning %d steps", c.Eval.FineTune.Steps)
	}
	if len(c.Lambdas) > 0 {
		ls := make([]string, len(c.Lambdas))
		for i, l := range c.Lambdas {
			ls[i] = strconv.FormatFloat(l, 'g', -1, 64)
		}
		fmt.Fprintf(&b, "; fixed λ_gen %s", strings.Join(ls, ", "))
	}
	if len(c.Balancers) > 0 {
		fmt.Fprintf(&b, "; balancers %s", strings.Join(c.Balancers, ", "))
	}
	if len(c.Maskings) > 0 {
		fmt.Fprintf(&b, "; maskings %s", strings.Join(c.Maskings, ", "))
	}
	if c.Quick {
		b.WriteString("; quick")
	}
	fmt.Fprintf(&b, "; %s", r.Elapsed.Round(time.Second))
	if r.Cores > 0 {
		fmt.Fprintf(&b, " on %d cores", r.Cores)
	}
	b.WriteString(".")
	if c.Command != "" {
		fmt.Fprintf(&b, " Command: `%s`.", c.Command)
	}
	return b.String()
}

// TaskNames lists the tasks of the rows in order of first appearance, the
// costs (TaskEnergy, then the run times TaskSeconds) last.
func (r *Report) TaskNames() []string {
	var names []string
	seen := map[string]bool{}
	for _, row := range r.Rows {
		if !seen[row.Task] {
			seen[row.Task] = true
			names = append(names, row.Task)
		}
	}
	for _, last := range []string{TaskEnergy, TaskCost, TaskSeconds} { // costs close the report
		if i := slices.Index(names, last); i >= 0 {
			names = append(slices.Delete(names, i, i+1), last)
		}
	}
	return names
}

// Table renders one task's table (Markdown; empty when the task has no
// rows): a variant per row, a metric per column (sorted; ↑ or ↓ says which
// way is better), mean ± sd over the seeds. The balance diagnosis adds the
// dominant objective (Dominant).
func (r *Report) Table(task string) string {
	var b strings.Builder
	var metrics, variants []string
	mseen, vseen := map[string]bool{}, map[string]bool{}
	cell := map[[2]string]Summary{}
	for _, s := range r.Summaries() {
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
	if len(variants) == 0 {
		return ""
	}
	// The classical baselines close the table, after the learnt variants.
	isBaseline := func(v string) bool {
		for _, m := range metrics {
			if s, ok := cell[[2]string{v, m}]; ok && s.Method == tasks.MethodBaseline {
				return true
			}
		}
		return false
	}
	sort.SliceStable(variants, func(i, j int) bool { return !isBaseline(variants[i]) && isBaseline(variants[j]) })
	sort.Strings(metrics)
	balance := task == TaskBalance
	b.WriteString("| variant | method |")
	for _, m := range metrics {
		arrow := "↑"
		if lowerIsBetter(m) {
			arrow = "↓"
		}
		if noDirection(task) || describes(m) {
			arrow = ""
		}
		fmt.Fprintf(&b, " %s |", strings.TrimSpace(m+" "+arrow))
	}
	if balance {
		b.WriteString(" dominant objective |")
	}
	b.WriteString("\n|---|---|")
	for range metrics {
		b.WriteString("---:|")
	}
	if balance {
		b.WriteString("---|")
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
		if balance {
			share, ratio := cell[[2]string{v, BalanceGenShare}], cell[[2]string{v, BalanceGradRatio}]
			_, hasRatio := cell[[2]string{v, BalanceGradRatio}]
			fmt.Fprintf(&b, " %s |", Dominant(share.Mean, ratio.Mean, hasRatio))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func fmtNum(x float64) string {
	a := math.Abs(x)
	switch {
	case a >= 1e6: // FLOPs, parameter counts
		return strconv.FormatFloat(x, 'g', 3, 64)
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

// Figures returns one bar chart per (task, headline metric), the mean over
// seeds of each variant with ± sd error bars, and, when the report has
// recovery and a global task, the trade-off figures (Tradeoff), keyed by a
// file-friendly name.
func (r *Report) Figures() map[string]viz.Figure {
	headline := map[string][]string{
		"similarity": {"mean_rank", "hr1"},
		"tte":        {"mae"},
		"classify":   {"accuracy", "macro_f1"},
		"recover":    {"recovery_error_m", "recovery_accuracy"},
		"pretrain":   {"final_loss"},
		TaskBalance:  {BalanceGenShareLast, BalanceGradRatio, BalanceGradCos},
		// causal-shift
		"accuracy":      {"iid", "shifted"},
		"context_probe": {"district_type"},
		TaskFairness:    {"gap_s", "worst_mae"},
		// multimodal
		TaskCrossModal:   {"recall_at_10"},
		TaskMisalignment: {"auc"},
		TaskAblation:     {"classify_accuracy", "tte_mae"},
	}
	figs := map[string]viz.Figure{}
	sums := r.Summaries()
	for task, metrics := range headline {
		for _, m := range metrics {
			var names []string
			var vals, sds []float64
			for _, s := range sums {
				if s.Task == task && s.Metric == m {
					names = append(names, s.Variant)
					vals = append(vals, s.Mean)
					sds = append(sds, s.Std)
				}
			}
			if len(vals) == 0 {
				continue
			}
			dir := "higher is better; "
			if lowerIsBetter(m) {
				dir = "lower is better; "
			}
			if noDirection(task) {
				dir = ""
			}
			figs[task+"_"+m] = viz.BarErr(fmt.Sprintf("%s: %s (%smean ± sd over %s)", r.Name, task, dir, seedsWord(len(r.Config.Seeds))), metricLabel(task, m), names, vals, sds).
				Size(math.Max(640, 170*float64(len(names))), 400)
		}
	}
	for _, global := range []struct{ task, metric string }{{"classify", "accuracy"}, {"similarity", "mean_rank"}} {
		if f, ok := r.Tradeoff(global.task, global.metric); ok {
			figs["tradeoff_"+global.task+"_"+global.metric] = f
		}
	}
	if f, ok := r.ForgettingGain(); ok {
		figs["forgetting_gain"] = f
	}
	if f, ok := r.ByGroup(); ok {
		figs["tte_by_income"] = f
	}
	for _, g := range []struct{ task, metric string }{{"tte", "mae"}, {"similarity", "mean_rank"}} {
		if f, ok := r.Pareto(g.task, g.metric); ok {
			figs["pareto_"+g.task+"_"+g.metric] = f
		}
	}
	return figs
}

// Tradeoff is the local-versus-global figure: x = recovery error (local
// detail, lower is better), y = the global task's metric, one point per
// variant at its mean over seeds with ± sd error bars on both axes. The
// fixed-λ_gen variants are one series joined in λ order, every other
// variant (a balancer, a masking, scratch) its own labelled marker, the
// classical baselines dashed reference lines. ok is false when the report
// lacks either task.
func (r *Report) Tradeoff(task, metric string) (viz.Figure, bool) {
	type pt struct {
		info VariantInfo
		p    viz.ErrPoint
	}
	var pts []pt
	infos := map[string]VariantInfo{}
	for _, v := range r.Variants {
		infos[v.Name] = v
	}
	baseline := map[string]bool{}
	for _, row := range r.Rows {
		if row.Method == tasks.MethodBaseline {
			baseline[row.Variant] = true
		}
	}
	for _, x := range r.Summaries() {
		if x.Task != "recover" || x.Metric != "recovery_error_m" || baseline[x.Variant] {
			continue
		}
		y, ok := r.Get(x.Variant, task, metric)
		if !ok {
			continue
		}
		info, ok := infos[x.Variant]
		if !ok {
			info = VariantInfo{Name: x.Variant}
		}
		pts = append(pts, pt{info, viz.ErrPoint{Label: x.Variant, X: x.Mean, Y: y.Mean, XErr: x.Std, YErr: y.Std}})
	}
	if len(pts) == 0 {
		return nil, false
	}
	var fixed []pt
	var series []viz.ErrSeries
	for _, p := range pts {
		if p.info.Balance == "fixed" {
			fixed = append(fixed, p)
		}
	}
	if len(fixed) > 0 {
		sort.SliceStable(fixed, func(i, j int) bool { return fixed[i].info.Lambda < fixed[j].info.Lambda })
		s := viz.ErrSeries{Name: "fixed λ_gen (sweep)", Line: true}
		for _, p := range fixed {
			s.Points = append(s.Points, p.p)
		}
		series = append(series, s)
	}
	for _, p := range pts {
		if p.info.Balance != "fixed" {
			series = append(series, viz.ErrSeries{Name: p.info.Name, Points: []viz.ErrPoint{p.p}})
		}
	}
	var refs []viz.RefLine
	if s, ok := r.Get(baselineName("recover"), "recover", "recovery_error_m"); ok {
		refs = append(refs, viz.RefLine{Name: baselineName("recover") + " (recovery)", Value: s.Mean, Vertical: true})
	}
	if s, ok := r.Get(baselineName(task), task, metric); ok {
		refs = append(refs, viz.RefLine{Name: baselineName(task) + " (" + task + ")", Value: s.Mean})
	}
	dir := "higher is better"
	if lowerIsBetter(metric) {
		dir = "lower is better"
	}
	title := fmt.Sprintf("%s: local detail vs global transfer\n(mean ± sd over %s)", r.Name, seedsWord(len(r.Config.Seeds)))
	ylabel := fmt.Sprintf("%s %s (%s)", task, metricLabel(task, metric), dir)
	switch task + "/" + metric {
	case "classify/accuracy":
		ylabel = "classification accuracy (share correct; higher is better)"
	case "similarity/mean_rank":
		ylabel = "similarity: mean rank of the true match (1 = best; lower is better)"
	}
	return viz.ErrorScatter(title, "recovery error of the dropped points (m; lower is better)", ylabel, series, refs...).
		Size(900, 560), true
}

// seedsWord is "3 seeds", "1 seed".
func seedsWord(n int) string {
	if n == 1 {
		return "1 seed"
	}
	return fmt.Sprintf("%d seeds", n)
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
	"pretrain_joules":   "energy of pre-training (J)",
	"total_joules":      "energy of pre-training + the task (J)",
	"gap_s":             "gap between the worst and the best group's MAE (s)",
	"worst_mae":         "the worst group's mean absolute error (s)",
	BalanceGenShareLast: "generative share w_gen/(w_gen+w_con), last fifth of steps",
	BalanceGradRatio:    "weighted gradient-norm ratio gen/con (1 = balanced)",
	BalanceGradCos:      "cosine between the two gradients",
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
