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
		About:   "Runs one experiment end to end over several seeds and writes its tables (Markdown, CSV) and figures.",
		Usage:   "tfm experiment NAME [flags]   (NAME: " + strings.Join(experiment.Names(), ", ") + ")",
		Example: "tfm experiment " + experiment.Names()[0] + " --quick --seeds 1 --out /tmp/exp",
	})
	quick := fs.Bool("quick", false, "small encoder and few steps (about a minute or two)")
	out := fs.String("out", "", "output folder (default out/experiments/NAME)")
	data := fs.String("data", "synthetic", "data set: synthetic, synthetic:seed=S,trajectories=N, or FORMAT:PATH")
	seeds := fs.String("seeds", "1,2,3", "comma-separated run seeds")
	steps := fs.Int("pretrain-steps", 0, "pre-training steps per variant (0 = default)")
	asJSON := fs.Bool("json", false, "print one JSON line (files and headline numbers) on stdout")
	quiet := fs.Bool("quiet", false, "no progress on stderr")
	// Accept NAME before or after the flags.
	var name string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return err
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
	files, err := rep.Write(*out)
	if err != nil {
		return err
	}
	if *asJSON {
		headline := map[string]any{}
		for _, s := range rep.Summaries() {
			headline[s.Variant+"/"+s.Task+"/"+s.Metric] = map[string]float64{"mean": s.Mean, "std": s.Std}
		}
		return printJSON(map[string]any{"experiment": name, "data": *data, "seeds": cfg.Seeds, "files": files,
			"seconds": rep.Elapsed.Seconds(), "results": headline})
	}
	fmt.Print(rep.Markdown())
	fmt.Printf("wrote %s\n", strings.Join(files, ", "))
	return nil
}
