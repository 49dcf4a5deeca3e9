package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/tfm-course/course/tfm/experiment"
	"github.com/tfm-course/course/tfm/notebook"
)

// experimentTables is `tfm experiment tables [--check]`: it regenerates
// every generated result block of the course's documents from the
// committed results.json files (experiment.RewriteBlocks), or with
// --check only reports the stale ones and fails.
func experimentTables(args []string) error {
	fs := flag.NewFlagSet("experiment tables", flag.ContinueOnError)
	setHelp(fs, help{
		About:   "Rewrites every generated result block of the course's documents (README.md, tfm/**/README.md, notebooks' markdown cells) from the committed results.json files.",
		Usage:   "tfm experiment tables [--check] [--root DIR] [--json]",
		Example: "tfm experiment tables --check",
		Notes: "A block is <!-- " + strings.TrimSpace(strings.TrimPrefix(experiment.BlockOpen, "<!--")) + " DIR KIND ARGS… --> … " + experiment.BlockClose + ",\n" +
			"DIR = " + experiment.ResultsRoot + "/NAME and KIND one of: table TASK | figure NAME | run | mean VARIANT TASK METRIC |\n" +
			"meansd VARIANT TASK METRIC (quote arguments with spaces). A table carries the results file, seeds, run time,\n" +
			"cores and the command that measures it again. --check changes nothing and fails on a stale block\n" +
			"(TestCommittedBlocksAreGenerated in tfm/experiment does the same).",
	})
	check := fs.Bool("check", false, "change nothing: list the stale blocks and fail if there is one")
	root := fs.String("root", "", "repository root (default: the folder holding go.mod above the current one)")
	asJSON := fs.Bool("json", false, "print one JSON line (blocks, stale, changed files) on stdout")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *root == "" {
		wd, err := os.Getwd()
		if err != nil {
			return err
		}
		if *root, err = notebook.RepoRoot(wd); err != nil {
			return err
		}
	}
	var blocks []experiment.Block
	var changed []string
	var err error
	if *check {
		blocks, err = experiment.Blocks(*root)
	} else {
		blocks, changed, err = experiment.RewriteBlocks(*root)
	}
	if err != nil {
		return err
	}
	var stale []string
	for _, b := range blocks {
		if b.Stale() {
			stale = append(stale, b.Where()+": "+b.Spec)
		}
	}
	if *asJSON {
		if err := printJSON(map[string]any{"blocks": len(blocks), "stale": stale, "changed": changed, "check": *check}); err != nil {
			return err
		}
	} else {
		for _, s := range stale {
			verb := "rewrote"
			if *check {
				verb = "stale"
			}
			fmt.Printf("%s %s\n", verb, s)
		}
		fmt.Printf("%d generated blocks, %d stale; changed %d files\n", len(blocks), len(stale), len(changed))
	}
	if *check && len(stale) > 0 {
		return fmt.Errorf("%d generated blocks differ from their results files: run `tfm experiment tables`", len(stale))
	}
	return nil
}
