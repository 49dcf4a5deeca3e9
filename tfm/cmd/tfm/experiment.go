package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/tfm-course/course/datasets"
	"github.com/tfm-course/course/tfm/experiment"
	"github.com/tfm-course/course/tfm/modality"
	"github.com/tfm-course/course/tfm/notebook"
)

func init() {
	register(&command{
		Name:    "experiment",
		Summary: "run an experiment end to end (" + strings.Join(experiment.Names(), ", ") + "): tables + figures",
		Run:     experimentRun,
	})
}

func experimentRun(args []string) error {
	fs := flag.NewFlagSet("experiment", flag.ContinueOnError)
	setHelp(fs, help{
		About: "Runs one experiment end to end over several seeds and writes its tables (Markdown, CSV), results.json and figures.",
		Usage: "tfm experiment NAME [flags]   (NAME: " + strings.Join(experiment.Names(), ", ") + ")\n" +
			"       tfm experiment report DIR   (tables and figures again from DIR/results.json)\n" +
			"       tfm experiment tables [--check]   (the documents' generated result blocks, see tfm experiment tables --help)",
		Example: "tfm experiment hybrid-sweep --quick --seeds 1 --out /tmp/exp",
		Notes: "Grids: --lambdas and --balancers (hybrid-sweep), --maskings (masking-ablation); --modality for both.\n" +
			"A balancer is NAME or NAME:key=value,… (e.g. dwa:window=20). TFM_QUICK=1 in the environment is --quick.\n" +
			"results.json records the configuration and this command line; committed results live in " + experiment.ResultsRoot + "/NAME.",
	})
	d := experiment.DefaultConfig()
	quick := fs.Bool("quick", false, "small encoder and few steps (about a minute or two per experiment and seed); also TFM_QUICK=1")
	out := fs.String("out", "", "output folder (default out/experiments/NAME)")
	data := fs.String("data", "synthetic", "data set: synthetic, synthetic:seed=S,trajectories=N, or FORMAT:PATH")
	seeds := fs.String("seeds", "1,2,3", "comma-separated run seeds")
	steps := fs.Int("pretrain-steps", 0, "pre-training steps per variant (0 = default)")
	lambdas := fs.String("lambdas", joinFloats(d.Lambdas), "hybrid-sweep: comma-separated fixed λ_gen values in [0, 1] (empty: none)")
	balancers := fs.String("balancers", strings.Join(d.Balancers, ","), "hybrid-sweep: comma-separated adaptive balancers, NAME or NAME:key=value (empty: none; "+strings.Join(d.Balancers, "|")+")")
	maskings := fs.String("maskings", strings.Join(d.Maskings, ","), "masking-ablation: comma-separated maskings (random|span|road)")
	modalityFlag := fs.String("modality", d.Modality, "pre-training modality of masking-ablation and hybrid-sweep ("+strings.Join(modality.Names(), "|")+")")
	asJSON := fs.Bool("json", false, "print one JSON line (files and headline numbers) on stdout")
	quiet := fs.Bool("quiet", false, "no progress on stderr")
	force := fs.Bool("force", false, "replace result files in --out that are not an earlier, unchanged run's")
	// Accept NAME before or after the flags.
	var name string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if name == "tables" { // its own flags
		return experimentTables(args)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if name == "report" { // tfm experiment report DIR: the tables and figures again, from DIR/results.json
		return experimentReport(fs.Args(), *asJSON)
	}
	if name == "" && fs.NArg() > 0 {
		name = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if err := validateFlags(fs, atLeast("pretrain-steps", 0), oneOf("modality", modality.Names()...)); err != nil {
		return err
	}
	if name == "" {
		fs.Usage()
		return fmt.Errorf("missing experiment name (%s)", strings.Join(experiment.Names(), ", "))
	}
	runner, ok := experiment.Experiments[name]
	if !ok {
		return unknownName("experiment", name, experiment.Names())
	}
	// A grid flag given to an experiment that does not sweep it is a mistake.
	given := explicitFlags(fs)
	for flagName, grid := range map[string]string{"lambdas": "lambdas", "balancers": "balancers", "maskings": "maskings"} {
		if given[flagName] && !slices.Contains(runner.Grids, grid) {
			return fmt.Errorf("--%s: %s does not sweep it (%s does)", flagName, name, sweepers(grid))
		}
	}
	if given["modality"] && (runner.Custom != nil || name == "pretrain-vs-scratch") {
		return fmt.Errorf("--modality: %s has its own modality (masking-ablation and hybrid-sweep take --modality)", name)
	}
	cfg := experiment.DefaultConfig()
	if *quick || notebook.Quick() {
		if !*quick && !*quiet {
			fmt.Fprintf(os.Stderr, "experiment: quick mode (%s=1)\n", notebook.QuickEnv)
		}
		cfg = experiment.QuickConfig()
	}
	var err error
	if cfg.Seeds, err = parseInts("seeds", *seeds); err != nil {
		return err
	}
	if cfg.Lambdas, err = parseFloats("lambdas", *lambdas); err != nil {
		return err
	}
	cfg.Balancers, cfg.Maskings, cfg.Modality = splitSpecs(*balancers), splitList(*maskings), *modalityFlag
	for _, b := range cfg.Balancers {
		if err := experiment.CheckBalancer(b); err != nil {
			return fmt.Errorf("--balancers %q: %v", *balancers, err)
		}
	}
	if err := checkList("maskings", strings.Join(cfg.Maskings, ","), experiment.DefaultMaskings); len(cfg.Maskings) > 0 && err != nil {
		return err
	}
	if name == "hybrid-sweep" && len(cfg.Lambdas)+len(cfg.Balancers) == 0 {
		return fmt.Errorf("--lambdas and --balancers are both empty: hybrid-sweep has no variant to pre-train")
	}
	if name == "masking-ablation" && len(cfg.Maskings) == 0 {
		return fmt.Errorf("--maskings is empty: masking-ablation has no variant to pre-train")
	}
	if *steps > 0 {
		cfg.PretrainSteps = *steps
	} else if runner.Steps > 0 && !cfg.Quick {
		cfg.PretrainSteps = runner.Steps
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	cfg.Command = commandLine(append([]string{"tfm", "experiment", name}, args...))
	if !*quiet {
		cfg.Log = os.Stderr
	}
	if *out == "" {
		*out = filepath.Join("out", "experiments", name)
	}
	if err := experiment.CheckOut(*out, *force); err != nil { // before the run, not after
		return err
	}
	ds, err := datasets.Load(*data)
	if err != nil {
		return err
	}
	if ds.Map != nil {
		cfg.Map = ds.Map
	}
	cfg.Data = *data
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := experiment.Run(ctx, name, ds.Trajectories, cfg)
	if err != nil {
		return err
	}
	files, err := rep.WriteDir(*out, *force)
	if err != nil {
		return err
	}
	if *asJSON {
		headline := map[string]any{}
		for _, s := range rep.Summaries() {
			headline[s.Variant+"/"+s.Task+"/"+s.Metric] = map[string]float64{"mean": s.Mean, "std": s.Std}
		}
		for k, v := range rep.Headline {
			headline[k] = v
		}
		return printJSON(map[string]any{"experiment": name, "data": *data, "seeds": cfg.Seeds, "files": files,
			"seconds": rep.Elapsed.Seconds(), "cores": rep.Cores, "command": cfg.Command, "results": headline})
	}
	fmt.Print(rep.Markdown())
	fmt.Printf("wrote %s\n", strings.Join(files, ", "))
	return nil
}

// sweepers lists the experiments that sweep grid.
func sweepers(grid string) string {
	var names []string
	for _, n := range experiment.Names() {
		if slices.Contains(experiment.Experiments[n].Grids, grid) {
			names = append(names, n)
		}
	}
	return strings.Join(names, ", ")
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// splitSpecs splits --balancers: a comma starts a new spec unless the
// item is a key=value of the spec before (dwa:window=20,temperature=2,gradnorm).
func splitSpecs(s string) []string {
	var out []string
	for _, item := range splitList(s) {
		if len(out) > 0 && strings.Contains(out[len(out)-1], ":") && strings.Contains(item, "=") && !strings.Contains(item, ":") {
			out[len(out)-1] += "," + item
			continue
		}
		out = append(out, item)
	}
	return out
}

func parseInts(flagName, s string) ([]int64, error) {
	var out []int64
	for _, item := range splitList(s) {
		n, err := strconv.ParseInt(item, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("--%s %q: %q is not an integer", flagName, s, item)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--%s %q: no values", flagName, s)
	}
	return out, nil
}

func parseFloats(flagName, s string) ([]float64, error) {
	var out []float64
	for _, item := range splitList(s) {
		v, err := strconv.ParseFloat(item, 64)
		if err != nil {
			return nil, fmt.Errorf("--%s %q: %q is not a number", flagName, s, item)
		}
		if !(v >= 0 && v <= 1) {
			return nil, fmt.Errorf("--%s %q: %v is not in [0, 1]", flagName, s, v)
		}
		out = append(out, v)
	}
	return out, nil
}

func joinFloats(xs []float64) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.FormatFloat(x, 'g', -1, 64)
	}
	return strings.Join(s, ",")
}

// commandLine joins args as a shell would read them back (single-quoting
// an argument with spaces or shell characters).
func commandLine(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\n'\"\\$`!*?[](){}<>|&;#~") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[i] = a
	}
	return strings.Join(out, " ")
}

// experimentReport rewrites the tables and figures of a results folder
// from its results.json (experiment.ReadReport).
func experimentReport(args []string, asJSON bool) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: tfm experiment report DIR (a folder with %s)", experiment.ResultsFile)
	}
	rep, err := experiment.ReadReport(args[0])
	if err != nil {
		return err
	}
	files, err := rep.WriteTables(args[0])
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(map[string]any{"experiment": rep.Name, "files": files, "results": rep.Headline})
	}
	fmt.Printf("wrote %s\n", strings.Join(files, ", "))
	return nil
}
