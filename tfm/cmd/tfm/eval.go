package main

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/tfm-course/course/datasets"
	"github.com/tfm-course/course/tfm/diagnose"
	"github.com/tfm-course/course/tfm/fairness"
	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/pretrain"
	"github.com/tfm-course/course/tfm/tasks"
	"github.com/tfm-course/course/tfm/traj"
)

func init() {
	register(&command{
		Name:    "eval",
		Summary: "downstream task (tte, similarity, classify, recover) with a checkpoint or the scratch baseline; cross-modal retrieval",
		Run:     evalRun,
	})
}

func evalRun(args []string) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	task := fs.String("task", "", "task: "+strings.Join(evalTasks, "|"))
	from := fs.String("from", "text", "crossmodal: the query modality (text, road, …)")
	to := fs.String("to", "gps", "crossmodal: the candidate modality")
	desync := fs.String("desync", "", "crossmodal: also plant a misalignment in 30% of the --from views (swap: another trip's; shift: half the trip later) and report the alignment score's AUC")
	only := fs.String("only", "", "a multi-modal checkpoint: read only these modalities (joined by +), the others fed as missing views")
	ckpt := fs.String("checkpoint", "scratch", "pretrain checkpoint directory, or scratch (same architecture, random init, trained on the task only)")
	data := fs.String("data", "synthetic", "data set: synthetic, synthetic:seed=S,trajectories=N[,inequity=1], or FORMAT:PATH")
	finetune := fs.Bool("finetune", false, "fine-tune the encoder (default: frozen encoder + probe)")
	seed := fs.Int64("seed", 1, "seed of the split, initialisation and training")
	quick := fs.Bool("quick", false, "small training budgets (tests, demos)")
	steps := fs.Int("steps", 0, "training steps of the head / fine-tuning (0 = default)")
	testFrac := fs.Float64("test", 0.2, "share of trajectories held out for testing (crossmodal: 1 ranks every trip)")
	trainLimit := fs.Int("train-limit", 0, "use at most N labelled training trajectories (0 = all)")
	label := fs.String("label", "mode", "classify: label key (mode, user, or a Labels key such as district_type_to)")
	splitModes := fs.Bool("split-modes", false, "classify: cut trajectories at per-point mode changes (GeoLife labels)")
	mode := fs.String("mode", "", "tte: only trips of this transport mode")
	queries := fs.Int("queries", 0, "similarity: number of queries (0 = default)")
	drop := fs.Float64("drop", -1, "similarity: drop rate applied to both halves (-1 = default 0.5)")
	noise := fs.Float64("noise", -1, "similarity: Gaussian noise in metres on both halves (-1 = default 30)")
	keep := fs.Float64("keep", 0, "recover: keep rate (0 = default 0.25)")
	mitigation := fs.String("mitigation", "none", "tte, classify (fine-tuned or scratch): fairness mitigation "+strings.Join(tasks.Mitigations, "|")+" over the --mitigation-groups groups")
	mitigationGroups := fs.String("mitigation-groups", "", "group key of --mitigation: district_type, income, mode, user or a label key (default: --groups)")
	groups := fs.String("groups", "", "report the test metrics per group: "+strings.Join(fairness.Keys, "|")+" (\"\" = off)")
	set := fs.String("set", "", `scratch: encoder hyperparameters, e.g. "layers=2;dim=64"`)
	limitN := fs.Int("limit", 0, "use only the first K trajectories (0 = all)")
	asJSON := fs.Bool("json", false, "print one JSON line with the metrics on stdout")
	quiet := fs.Bool("quiet", false, "no progress on stderr")
	energyOpt := energyFlags(fs)
	setHelp(fs, help{
		About:   "Trains and scores one downstream task (tte, similarity, classify, recover) on a pre-trained checkpoint or the scratch baseline.",
		Usage:   "tfm eval --task " + strings.Join(evalTasks, "|") + " [--checkpoint DIR|scratch] [--finetune] [--data SPEC] [--groups KEY] [--json]",
		Example: "tfm eval --task classify --checkpoint scratch --quick --json",
		Notes: "Cross-modal retrieval: --task crossmodal --from text --to gps --checkpoint DIR (a multi-modal align checkpoint)\n" +
			"ranks every held-out trip's --to view for each trip's --from view (--test 1: every trip) and reports recall_at_1,\n" +
			"recall_at_10, mean_rank, median_rank, candidates and chance_at_1/chance_at_10. The other tasks use a multi-modal\n" +
			"model's fused embedding; --only gps feeds the other views as missing. --desync swap|shift plants a misalignment in\n" +
			"30% of the --from views and reports misalignment_auc, how well the alignment score tells desynced pairs from intact.\n" +
			"Cost: the JSON has flops (the encoder's, counted from the model: rows trained ×3, rows run forward),\n" +
			"cpu_seconds, energy_joules with its energy_source (measured: RAPL; else estimated: cpu_s × --core-watts)\n" +
			"and co2e_grams at --grid-intensity.\n" +
			"Fairness mitigations (tte, classify; --finetune or scratch): --mitigation balanced draws each batch slot's\n" +
			"group uniformly, reweight weighs example i by N/(G·n_g), dro is online group DRO (the JSON's group_weights\n" +
			"is its final q); --mitigation-groups names the groups (e.g. mode, income, district_type).\n" +
			"--groups KEY (" + strings.Join(fairness.Keys, ", ") + ") adds the per-group metrics of the model and of the baseline\n" +
			"(groups, baseline_groups) and the gap between the best and the worst group (group_gap, group_ratio, worst_group,\n" +
			"worst_group_METRIC; classify: demographic_parity_diff, equalized_odds_diff). With --data synthetic:…,inequity=1 the\n" +
			"city records low-income trips less often, more sparsely and noisier (cheap phones), and fixes in dense districts are noisier.",
	})
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *task == "" {
		return fmt.Errorf("--task is required (%s)", strings.Join(evalTasks, "|"))
	}
	testRule := between("test", 0, 1, true, true)
	if *task == "crossmodal" {
		testRule = between("test", 0, 1, true, false) // 1: rank every trip
	}
	if err := validateFlags(fs, oneOf("task", evalTasks...), atLeast("steps", 0), testRule,
		atLeast("train-limit", 0), atLeast("queries", 0), orDefault(between("drop", 0, 1, false, true), -1),
		orDefault(atLeast("noise", 0), -1), between("keep", 0, 1, false, true), atLeast("limit", 0),
		coreWattsRule, gridIntensityRule, oneOf("mitigation", tasks.Mitigations...), orEmpty(oneOf("groups", fairness.Keys...))); err != nil {
		return err
	}
	if *mitigation != "none" && *mitigationGroups == "" && *groups != "" {
		*mitigationGroups = *groups // mitigate over the groups reported
	}
	if *mitigation != "none" && *mitigationGroups == "" {
		return fmt.Errorf("--mitigation %s needs --mitigation-groups KEY or --groups KEY (district_type, income, mode, user or a label key)", *mitigation)
	}
	opt := tasks.DefaultOptions(*task)
	if *quick {
		opt = tasks.QuickOptions(*task)
	}
	opt.Finetune, opt.Seed, opt.TestFrac, opt.TrainLimit = *finetune, *seed, *testFrac, *trainLimit
	opt.Label, opt.SplitByMode, opt.Mode, opt.Groups = *label, *splitModes, *mode, *groups
	if *mitigation != "none" || *mitigationGroups != "" {
		opt.Mitigation, opt.MitigationGroups = *mitigation, *mitigationGroups
	}
	opt.Perturbation.Seed = uint64(*seed)
	opt.Energy = energyOpt()
	if *steps > 0 {
		opt.Probe.Steps, opt.FineTune.Steps = *steps, *steps
	}
	if *queries > 0 {
		opt.Queries = *queries
	}
	if *drop >= 0 {
		opt.Perturbation.DropRate = *drop
	}
	if *noise >= 0 {
		opt.Perturbation.NoiseM = *noise
	}
	if *keep > 0 {
		opt.Recovery.KeepRate = *keep
	}
	if err := opt.Encoder.Set(*set); err != nil {
		return err
	}
	if !*quiet {
		opt.Log = os.Stderr
		opt.FineTune.Log = func(step int, loss float64) { fmt.Fprintf(os.Stderr, "  step %d loss %.4f\n", step, loss) }
	}
	ds, err := datasets.Load(*data)
	if err != nil {
		return err
	}
	if *limitN > 0 && len(ds.Trajectories) > *limitN {
		ds.Trajectories = ds.Trajectories[:*limitN]
	}
	var enc *tfm.Model
	if *ckpt != "scratch" {
		if enc, err = tasks.LoadModel(*ckpt); err != nil {
			return err
		}
		if *only != "" {
			if enc, err = enc.Only(pretrain.ModalityNames(*only)...); err != nil {
				return fmt.Errorf("--only: %w", err)
			}
		}
	} else if *only != "" {
		return fmt.Errorf("--only reads some modalities of a multi-modal --checkpoint, not of scratch")
	}
	if *task == "crossmodal" {
		return crossmodalRun(enc, ds.Trajectories, *ckpt, *data, *from, *to, *desync, *testFrac, *seed, *asJSON)
	}
	res, err := tasks.Evaluate(enc, ds.Trajectories, opt)
	if err != nil {
		return err
	}
	res.Extra["data"] = *data
	if *only != "" {
		res.Extra["only"] = *only
	}
	if *asJSON {
		return printJSON(res)
	}
	fmt.Printf("%s with %s (%s) on %s: train %d, test %d\n", res.Task, res.Checkpoint, res.Method, *data, res.Train, res.Test)
	for _, k := range res.MetricNames() {
		if b, ok := res.Baseline[k]; ok {
			fmt.Printf("  %-18s %10.4f   (baseline %.4f)\n", k, res.Metrics[k], b)
		} else {
			fmt.Printf("  %-18s %10.4f\n", k, res.Metrics[k])
		}
	}
	if res.Confusion != nil {
		fmt.Printf("\nconfusion matrix (rows = truth):\n%s", res.Confusion)
	}
	printCost(res.Cost)
	if g := res.Groups; g != nil {
		printGroups(g, res.BaselineGroups)
	}
	return nil
}

// evalTasks are the downstream tasks and cross-modal retrieval.
var evalTasks = append(slices.Clone(tasks.Tasks), "crossmodal")

// crossmodalRun is `tfm eval --task crossmodal`: each held-out trip's from
// view queries every held-out trip's to view (test 1: every trip).
func crossmodalRun(m *tfm.Model, ts []*traj.Trajectory, ckpt, data, from, to, desync string, testFrac float64, seed int64, asJSON bool) error {
	if m == nil {
		return fmt.Errorf("--task crossmodal needs a --checkpoint of a multi-modal model (tfm pretrain --paradigm align --modality gps+road+text)")
	}
	test := ts
	if testFrac < 1 {
		var err error
		if _, test, err = tasks.Split(ts, testFrac, uint64(seed)); err != nil {
			return err
		}
	}
	r, err := tasks.CrossModalRetrieval(m, test, from, to)
	if err != nil {
		return err
	}
	out := map[string]any{"task": "crossmodal", "checkpoint": ckpt, "data": data, "from": from, "to": to, "fusion": m.Fusion()}
	for k, v := range r.Metrics() {
		out[k] = v
	}
	out["candidates"] = r.Candidates
	var mis diagnose.Misalignment
	if desync != "" {
		if mis, err = diagnose.DetectMisalignment(m, r.Trips, to, from, desync, diagnose.DefaultDesyncShare, uint64(seed)); err != nil {
			return err
		}
		out["desync"], out["desync_share"], out["misalignment_auc"] = desync, diagnose.DefaultDesyncShare, mis.AUC
		out["mean_intact"], out["mean_desynced"] = mis.MeanIntact, mis.MeanDesynced
	}
	if asJSON {
		return printJSON(out)
	}
	fmt.Printf("crossmodal %s → %s with %s on %s: %d candidates\n", from, to, ckpt, data, r.Candidates)
	fmt.Printf("  recall@1   %.4f   (chance %.4f)\n  recall@10  %.4f   (chance %.4f)\n  mean rank  %.1f   (chance %.1f)\n  median rank %.1f\n",
		r.RecallAt1, r.ChanceAt1, r.RecallAt10, r.ChanceAt10, r.MeanRank, float64(r.Candidates+1)/2, r.MedianRank)
	if desync != "" {
		fmt.Printf("  planted misalignment (%s, %.0f%% of the %s views): alignment score AUC %.3f (intact %.3f, desynced %.3f)\n",
			desync, 100*diagnose.DefaultDesyncShare, from, mis.AUC, mis.MeanIntact, mis.MeanDesynced)
	}
	return nil
}

// printGroups prints the per-group primary metric of the model and the
// baseline, then the gap.
func printGroups(g, b *fairness.Report) {
	fmt.Printf("\nper %s (%s; * = fewer than %d examples, not compared):\n", g.Key, g.Metric, fairness.MinGroup)
	for _, gr := range g.Groups {
		small := " "
		if gr.Small {
			small = "*"
		}
		line := fmt.Sprintf("  %-18s%s n %5d  %10.4f", gr.Name, small, gr.N, gr.Metrics[g.Metric])
		if b != nil {
			if bg := b.Group(gr.Name); bg != nil {
				line += fmt.Sprintf("   (baseline %.4f)", bg.Metrics[b.Metric])
			}
		}
		fmt.Println(line)
	}
	fmt.Printf("  worst %s, best %s: gap %.4f, ratio %.3f\n", g.Worst, g.Best, g.Gap, g.Ratio)
	if g.DemographicParity > 0 || g.EqualizedOdds > 0 {
		fmt.Printf("  demographic parity difference %.4f, equalised odds difference %.4f\n", g.DemographicParity, g.EqualizedOdds)
	}
}
