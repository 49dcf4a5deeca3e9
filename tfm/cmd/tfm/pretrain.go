package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"slices"
	"sort"
	"strings"
	"syscall"

	"github.com/tfm-course/course/datasets"
	"github.com/tfm-course/course/datasets/stream"
	"github.com/tfm-course/course/tfm/backend"
	"github.com/tfm-course/course/tfm/continual"
	"github.com/tfm-course/course/tfm/diagnose"
	"github.com/tfm-course/course/tfm/encoder"
	"github.com/tfm-course/course/tfm/modality"
	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/pretrain"
	"github.com/tfm-course/course/tfm/traj"
)

func init() {
	register(&command{
		Name:    "pretrain",
		Summary: "self-supervised pre-training (contrastive, generative, hybrid, causal) with checkpoints and resume",
		Run:     pretrainRun,
	})
}

// pretrainResult is the --json line: the run summary plus diagnostics.
type pretrainResult struct {
	*pretrain.Result
	Data        string                `json:"data"`
	Diagnostics *diagnose.Diagnostics `json:"diagnostics,omitempty"`
	// RoadMasking is what --masking road hid (pretrain.RoadMasking):
	// segments (map-matched), turns (the fallback without a road network),
	// straight-roads (road tokens) or steps.
	RoadMasking string `json:"road_masking,omitempty"`
	// With --continue-from: the old checkpoint, the strategy, and the
	// parameters it trained of the model's total.
	ContinueFrom    string `json:"continue_from,omitempty"`
	Strategy        string `json:"strategy,omitempty"`
	TrainableParams *int   `json:"trainable_params,omitempty"`
	TotalParams     *int   `json:"total_params,omitempty"`
}

func pretrainRun(args []string) error {
	d := pretrain.DefaultOptions()
	fs := flag.NewFlagSet("pretrain", flag.ContinueOnError)
	paradigm := fs.String("paradigm", d.Paradigm, strings.Join(pretrain.ParadigmNames, "|"))
	modalityFlag := fs.String("modality", d.Modality, strings.Join(modality.Names(), "|")+" (several joined by + or commas: a multi-modal model, e.g. gps+road+text)")
	data := fs.String("data", "synthetic", "data set: synthetic, synthetic:seed=S,trajectories=N, or FORMAT:PATH")
	steps := fs.Int("steps", d.Steps, "train to this global step: the end of the learning-rate schedule (a resumed run: its schedule's end unless given; past it needs --extend)")
	extend := fs.Bool("extend", false, "resume a run past its schedule's end: --steps ends a new schedule phase (warm-up, cosine decay) starting at the checkpoint's step")
	change := fs.String("change", "", "resume with these settings changed on purpose, comma-separated flag names (e.g. lr,batch); logged in metrics.jsonl and the JSON")
	warmup := fs.Int("warmup", d.WarmupSteps, "learning-rate warm-up steps")
	batch := fs.Int("batch", d.BatchSize, "trajectories per step")
	devices := fs.Int("devices", 1, "data-parallel over N devices of the backend (e.g. GOMLX_BACKEND=xla:cuda with N GPUs): the batch axis sharded, parameters replicated; --batch must divide by N")
	lr := fs.Float64("lr", d.LearningRate, "peak learning rate (warmup then cosine decay)")
	wd := fs.Float64("weight-decay", d.WeightDecay, "AdamW weight decay")
	clip := fs.Float64("clip", d.ClipNorm, "gradient clipping by global norm (0 = off)")
	seed := fs.Int64("seed", d.Seed, "seed for initialisation, batches, augmentations and masks")
	set := fs.String("set", "", `encoder hyperparameters, e.g. "layers=2;dim=128;heads=4" (keys: `+strings.Join(encoder.Keys(), ", ")+")")
	ckpt := fs.String("checkpoint", "", "checkpoint directory (resumes when it holds a run)")
	every := fs.Int("every", d.CheckpointEvery, "checkpoint every N steps (and on exit)")
	temp := fs.Float64("temperature", d.Contrastive.Temperature, "contrastive: NT-Xent temperature τ")
	aug := fs.String("augment", d.Contrastive.Augment, "contrastive: default, or a list of crop,jitter,mask,downsample,shift,simplify")
	queue := fs.Int("queue", 0, "contrastive: MoCo queue of this many negatives with a momentum encoder (0 = in-batch SimCLR)")
	momentum := fs.Float64("momentum", d.Contrastive.Momentum, "contrastive with --queue: key-encoder momentum")
	masking := fs.String("masking", d.Generative.Masking, "generative: random|span|road (road: whole map-matched road segments where the data has a road network, else stretches between turns > 30°)")
	ratio := fs.Float64("mask-ratio", d.Generative.MaskRatio, "generative: fraction of steps hidden")
	lambda := fs.Float64("lambda", d.Hybrid.Lambda, "hybrid: weight of the generative loss (balance=fixed)")
	balance := fs.String("balance", d.Hybrid.Balance, "hybrid: "+strings.Join(pretrain.Balancers, "|")+", with settings as NAME:key=value,… (e.g. dwa:window=20,temperature=2)")
	label := fs.String("label", d.Causal.Label, "causal: label to predict (mode or a label key)")
	confounder := fs.String("confounder", d.Causal.Confounder, "causal: confounder label key")
	network := fs.String("network", "", "road network (.osm, .osm.bz2, .osm.gz, .osm.pbf) for the road modality on data without a map")
	groupBalance := fs.String("group-balance", "", "group-balanced batches: each slot draws a group of this key uniformly, then a trip (district_type, income, mode, user or a label key; empty = uniform)")
	limit := fs.Int("limit", 0, "use only the first K trajectories (0 = all)")
	streamFlag := fs.Bool("stream", false, "stream --data porto:PATH from disk through a shuffle buffer instead of loading it (corpora larger than memory); the model is fitted on the file's first 2,000 trips")
	shuffleBuffer := fs.Int("shuffle-buffer", 10000, "--stream: trips held in the shuffle buffer (memory is bounded by it)")
	diag := fs.Int("diagnose", 512, "embed this many trajectories afterwards for the diagnostics (0 = skip)")
	asJSON := fs.Bool("json", false, "print one JSON summary line on stdout")
	quiet := fs.Bool("quiet", false, "no progress on stderr")
	cpuProfile := fs.String("cpuprofile", "", "write a pprof CPU profile of the run to this file")
	earlyStop := fs.String("early-stop", "", "stop when a held-out validation loss stops improving: every=N,patience=P,val=FRAC (patience 3, val 0.1 unless given; empty: off)")
	energyOpt := energyFlags(fs)
	cont := addContinueFlags(fs)
	setHelp(fs, help{
		About:   "Pre-trains a trajectory encoder self-supervised (contrastive, generative, hybrid, causal, or cross-modal alignment), with checkpoints and resume.",
		Usage:   "tfm pretrain [--paradigm P] [--modality M[+M…]] [--data SPEC] [--steps N] [--checkpoint DIR] [--json]",
		Example: "tfm pretrain --paradigm contrastive --modality gps --steps 200 --checkpoint /tmp/ckpt --json",
		Notes: "Losses: the progress line shows each step's loss; the summary and the JSON give first_loss (step 1),\n" +
			"last_step_loss (the last step, as on the last progress line) and last_loss = the mean over the last\n" +
			"last_loss_steps steps (⌈steps/10⌉, at most 20: smoother than one step's loss).\n" +
			"Cost: the JSON has flops (counted from the model, see step_flops), cpu_seconds, energy_joules with its\n" +
			"energy_source (measured: RAPL; else estimated: cpu_s × --core-watts) and co2e_grams at --grid-intensity;\n" +
			"metrics.jsonl has the cumulative flops, cpu_seconds and energy_joules of every step.\n" +
			"Green training: --early-stop every=50,patience=3,val=0.1 holds out 10% of the trajectories, computes the\n" +
			"objective's loss on them every 50 steps (val_loss in metrics.jsonl) and stops after 3 evaluations without\n" +
			"improvement (early_stopped, best_step, val_loss in the JSON; the last weights are kept).\n" +
			"Multi-modal: --modality gps+road+text --paradigm align aligns each pair of views (CLIP's symmetric InfoNCE) and\n" +
			"trains the fused representation under modality dropout; --set keys fusion=concat|mean|gated|cross,\n" +
			"pairs=gps-road,gps-text (default: the first modality with each other), align_temperature, modality_dropout,\n" +
			"fuse_weight; the terms align_A_B and grad_A (per-modality gradient norms) are logged per step.\n" +
			"Continued pre-training: --continue-from CKPT --strategy frozen|naive|replay|distill|ewc|l2sp|lora|adapter --data NEW\n" +
			"--checkpoint OUT trains the old model on new data into OUT (CKPT is never written to); the JSON adds\n" +
			"strategy, trainable_params, total_params; the same command again resumes OUT.",
	})
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *ckpt != "" {
		// A resumed run takes the settings it does not give from the
		// checkpoint's record; those it gives must match (or be --change'd).
		if err := inheritSettings(fs, *ckpt, steps, *quiet); err != nil {
			return err
		}
	}
	resumedContinue, err := cont.inherit(fs, *ckpt, *quiet)
	if err != nil {
		return err
	}
	if err := validateFlags(fs,
		above("steps", 0), atLeast("batch", 2), above("lr", 0), atLeast("weight-decay", 0), atLeast("clip", 0),
		atLeast("warmup", 0), atLeast("every", 0), above("temperature", 0), atLeast("queue", 0),
		between("momentum", 0, 1, false, true), between("mask-ratio", 0, 1, true, true), between("lambda", 0, 1, false, false),
		atLeast("limit", 0), atLeast("diagnose", 0), atLeast("shuffle-buffer", 1),
		oneOf("paradigm", pretrain.ParadigmNames...), oneOf("masking", "random", "span", "road"), specOf("balance", pretrain.Balancers, func(s string) error { _, err := pretrain.BalancerByName(s, *lambda); return err }),
		coreWattsRule, gridIntensityRule, parsed("early-stop", func(s string) error { _, err := pretrain.ParseEarlyStop(s); return err }),
	); err != nil {
		return err
	}
	if *extend && !explicitFlags(fs)["steps"] {
		return fmt.Errorf("--extend needs --steps: the step the new schedule phase ends at")
	}
	opt := d
	opt.Paradigm, opt.Modality, opt.Steps, opt.BatchSize = *paradigm, *modalityFlag, *steps, *batch
	opt.LearningRate, opt.WeightDecay, opt.ClipNorm, opt.Seed = *lr, *wd, *clip, *seed
	opt.CheckpointDir, opt.CheckpointEvery = *ckpt, *every
	opt.Devices = *devices
	opt.WarmupSteps, opt.Extend, opt.Data, opt.GroupBalance = *warmup, *extend, *data, *groupBalance
	if *change != "" {
		for _, c := range strings.Split(*change, ",") {
			opt.Change = append(opt.Change, strings.TrimSpace(c))
		}
	}
	opt.Contrastive.Temperature, opt.Contrastive.Augment, opt.Contrastive.Queue, opt.Contrastive.Momentum = *temp, *aug, *queue, *momentum
	opt.Generative.Masking, opt.Generative.MaskRatio = *masking, *ratio
	opt.Hybrid.Lambda, opt.Hybrid.Balance = *lambda, *balance
	opt.Causal.Label, opt.Causal.Confounder = *label, *confounder
	opt.Energy = energyOpt()
	opt.EarlyStop, _ = pretrain.ParseEarlyStop(*earlyStop) // validated above
	encSet, err := opt.SetModel(*set)                      // fusion, pairs, …: the multi-modal model's keys
	if err != nil {
		return err
	}
	if err := checkSetKeys(encSet, append(encoder.Keys(), pretrain.ModelKeys...)); err != nil {
		return err
	}
	if err := opt.Encoder.Set(encSet); err != nil {
		return err
	}
	if *aug != "default" && *aug != "" {
		if err := checkList("augment", *aug, augmentNames); err != nil {
			return err
		}
	}
	opt.Modality = strings.Join(pretrain.ModalityNames(opt.Modality), ",") // gps+road+text
	if err := checkList("modality", opt.Modality, modality.Names()); err != nil {
		return fmt.Errorf("%w (or several joined by + or commas)", err)
	}
	if !*quiet {
		opt.Progress = os.Stderr
	}
	var ds *datasets.Data
	if *streamFlag {
		if *limit > 0 || *network != "" {
			return fmt.Errorf("--stream reads the whole file as it goes: not with --limit or --network")
		}
		ds, err = streamData(&opt, *data, *shuffleBuffer, *seed)
	} else {
		ds, err = datasets.LoadWithNetwork(*data, *network)
	}
	if err != nil {
		return err
	}
	if *limit > 0 && len(ds.Trajectories) > *limit {
		ds.Trajectories = ds.Trajectories[:*limit]
	}
	opt.Map = ds.Map // the road and text modalities read it
	be, err := backend.New()
	if err != nil {
		return err
	}
	var plan *continual.Plan
	if *cont.from != "" {
		if plan, err = cont.prepare(be, &opt, resumedContinue, *network, ds.Trajectories); err != nil {
			return err
		}
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var res *pretrain.Result
	if plan != nil && plan.Strategy.Name == "frozen" {
		res, err = frozen(be, plan, opt, *data, len(ds.Trajectories))
	} else {
		res, err = pretrain.Train(ctx, be, ds.Dataset, opt)
	}
	if errors.Is(err, pretrain.ErrInterrupted) {
		if res.Checkpoint != "" {
			fmt.Fprintf(os.Stderr, "\ninterrupted at step %d; checkpoint saved in %s (run again to resume)\n", res.Steps, res.Checkpoint)
		} else {
			fmt.Fprintf(os.Stderr, "\ninterrupted at step %d; nothing was saved (no --checkpoint)\n", res.Steps)
		}
	} else if err != nil {
		return err
	}
	if c, err := backend.Choose(); err == nil {
		res.Backend = c.Config // "go", "xla:cpu", "xla:cuda"
	}
	out := pretrainResult{Result: res, Data: *data}
	if plan != nil && res.Model != nil {
		tr, total := continual.Params(res.Model)
		out.ContinueFrom, out.Strategy, out.TrainableParams, out.TotalParams = *cont.from, plan.Strategy.Name, &tr, &total
	}
	if (opt.Paradigm == "generative" || opt.Paradigm == "hybrid") && opt.Generative.Masking == "road" && res.Model != nil {
		out.RoadMasking = pretrain.RoadMasking(res.Model.Primary().Modality)
	}
	if *diag > 0 && !res.Interrupted {
		if out.Diagnostics, err = diagnose.Evaluate(res.Model, ds.Trajectories, *diag, uint64(opt.Seed)); err != nil {
			return fmt.Errorf("diagnostics: %w", err)
		}
	}
	if *asJSON {
		if err := printJSON(out); err != nil {
			return err
		}
		if res.Interrupted {
			return pretrain.ErrInterrupted // interrupted is not finished: exit non-zero
		}
		return nil
	}
	fmt.Printf("%s/%s on %s: %d steps, loss %.4f (step 1) → %.4f (mean of the last %d steps; step %d alone: %.4f), %.2f steps/s (%s)\n",
		res.Paradigm, res.Modality, *data, res.Steps, res.FirstLoss, res.LastLoss, res.LastLossSteps, res.Steps, res.LastStepLoss,
		res.StepsPerSecond, res.Backend)
	if p := res.Schedule; res.Extended {
		fmt.Printf("extended: steps %d–%d followed a new schedule phase (warm-up %d steps to %g, cosine decay to %g at step %d)\n",
			p.Start, p.End, p.Warmup, p.LR, p.MinLR, p.End)
	}
	for _, c := range res.Changes {
		fmt.Printf("changed at step %d: --%s %s → %s\n", c.Step, c.Setting, c.From, c.To)
	}
	if res.BestStep > 0 {
		fmt.Printf("validation: best loss %.4f at step %d%s\n", res.ValLoss, res.BestStep, map[bool]string{true: " (stopped early)"}[res.EarlyStopped])
	}
	printCost(res.Reading)
	if dg := out.Diagnostics; dg != nil {
		fmt.Printf("collapse: mean std %.3f, effective rank %.1f/%d; alignment %.3f uniformity %.3f\n",
			dg.Collapse.MeanStd, dg.Collapse.EffectiveRank, dg.Collapse.Dim, dg.Alignment, dg.Uniformity)
		if p := dg.ModeProbe; p != nil {
			fmt.Printf("mode probe: %.3f (majority %.3f)\n", p.Accuracy, p.Majority)
		}
		if p := dg.ContextProbe; p != nil {
			fmt.Printf("district-type probe (contextual bias): %.3f (majority %.3f)\n", p.Accuracy, p.Majority)
		}
	}
	if res.Interrupted {
		return pretrain.ErrInterrupted
	}
	return nil
}

// inheritSettings fills the flags not given on the command line from the
// settings record of the checkpoint in dir (when it has one), and --steps
// from its schedule's end, so `tfm pretrain --checkpoint DIR` resumes the
// run as it was; the flags given are compared by pretrain.Train.
func inheritSettings(fs *flag.FlagSet, dir string, steps *int, quiet bool, skip ...string) error {
	md, ok, err := tfm.ReadMeta(dir)
	if err != nil || !ok || md.Run == nil {
		return err
	}
	given := explicitFlags(fs)
	var took []string
	keys := make([]string, 0, len(md.Run.Settings))
	for k := range md.Run.Settings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f := fs.Lookup(k)
		if f == nil || given[k] || slices.Contains(skip, k) {
			continue
		}
		v := md.Run.Settings[k]
		if f.Value.String() == v {
			continue
		}
		if err := fs.Set(k, v); err != nil {
			return fmt.Errorf("checkpoint %s: its setting %s=%q: %w", dir, k, v, err)
		}
		took = append(took, fmt.Sprintf("--%s %s", k, v))
	}
	if s := md.Run.Schedule; steps != nil && !given["steps"] && len(s) > 0 {
		*steps = s[len(s)-1].End
		took = append(took, fmt.Sprintf("--steps %d", *steps))
	}
	if len(took) > 0 && !quiet {
		fmt.Fprintf(os.Stderr, "resuming %s with its recorded %s\n", dir, strings.Join(took, " "))
	}
	return nil
}

// augmentNames are the views pretrain.AugmentationByName composes.
var augmentNames = []string{"crop", "jitter", "mask", "downsample", "shift", "simplify"}

// checkSetKeys refuses an unknown key of a --set "k=v;k=v" list with a
// suggestion (encoder.Config.Set checks the values).
func checkSetKeys(set string, keys []string) error {
	for _, kv := range strings.FieldsFunc(set, func(r rune) bool { return r == ';' || r == ',' }) {
		k, _, _ := strings.Cut(kv, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		if k != "" && !slices.Contains(keys, k) {
			return fmt.Errorf("--set: unknown encoder setting %q%s (known: %s)", k, didYouMean(k, keys), strings.Join(keys, ", "))
		}
	}
	return nil
}

// streamData sets up --stream: opt.Stream reads data (porto:PATH) through
// a shuffle buffer of buffer trips, in epochs without end, and the returned
// data set, which the model is fitted on, is the file's first
// pretrain.FitTrips trips in file order.
func streamData(opt *pretrain.Options, data string, buffer int, seed int64) (*datasets.Data, error) {
	format, path, ok := strings.Cut(data, ":")
	if !ok || format != "porto" || path == "" {
		return nil, fmt.Errorf("--stream reads --data porto:PATH (Porto's CSV, optionally .gz), got %q", data)
	}
	first, err := stream.New(stream.Porto(path, nil), stream.Options{Buffer: 1, Epochs: 1})
	if err != nil {
		return nil, err
	}
	defer first.Close()
	ds := &datasets.Data{Dataset: &traj.Dataset{Name: data}}
	for len(ds.Trajectories) < pretrain.FitTrips {
		t, err := first.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		ds.Trajectories = append(ds.Trajectories, t)
	}
	r, err := stream.New(stream.Porto(path, nil), stream.Options{Buffer: buffer, Seed: uint64(seed)})
	if err != nil {
		return nil, err
	}
	opt.Stream = r
	return ds, nil
}
