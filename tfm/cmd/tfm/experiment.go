package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/tfm-course/course/datasets"
	"github.com/tfm-course/course/tfm/experiment"
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
		About: "Runs one experiment end to end over several seeds and writes its tables (Markdown, CSV) and figures.",
		Usage: "tfm experiment NAME [flags]   (NAME: " + strings.Join(experiment.Names(), ", ") + ")\n" +
			"       tfm experiment report DIR   (tables and figures again from DIR/results.json)",
		Example: "tfm experiment " + experiment.Names()[0] + " --quick --seeds 1 --out /tmp/exp",
	})
	quick := fs.Bool("quick", false, "small encoder and few steps (about a minute or two)")
	out := fs.String("out", "", "output folder (default out/experiments/NAME)")
	data := fs.String("data", "synthetic", "data set: synthetic, synthetic:seed=S,trajectories=N, or FORMAT:PATH")
	seeds := fs.String("seeds", "1,2,3", "comma-separated run seeds")
	steps := fs.Int("pretrain-steps", 0, "pre-training steps per variant (0 = default)")
	asJSON := fs.Bool("json", false, "print one JSON line (files and headline numbers) on stdout")
	quiet := fs.Bool("quiet", false, "no progress on stderr")
	force := fs.Bool("force", false, "replace result files in --out that are not an earlier, unchanged run's")
	// Accept NAME before or after the flags.
	var name string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
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
	if err := validateFlags(fs, atLeast("pretrain-steps", 0)); err != nil {
		return err
	}
	if name == "" {
		fs.Usage()
		return fmt.Errorf("missing experiment name (%s)", strings.Join(experiment.Names(), ", "))
	}
	if _, ok := experiment.Experiments[name]; !ok {
		return unknownName("experiment", name, experiment.Names())
	}
	cfg := experiment.DefaultConfig()
	if *quick {
		cfg = experiment.QuickConfig()
	}
	cfg.Seeds = nil
	for _, s := range strings.Split(*seeds, ",") {
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return fmt.Errorf("--seeds %q: %q is not an integer", *seeds, s)
		}
		cfg.Seeds = append(cfg.Seeds, n)
	}
	if *steps > 0 {
		cfg.PretrainSteps = *steps
	}
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
			"seconds": rep.Elapsed.Seconds(), "results": headline})
	}
	fmt.Print(rep.Markdown())
	fmt.Printf("wrote %s\n", strings.Join(files, ", "))
	return nil
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
