package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Bad names and arguments fail before any data is loaded, naming the
// registered experiments.
func TestExperimentBadArgs(t *testing.T) {
	for _, args := range [][]string{
		{"--quiet"},
		{"nope", "--quiet"},
		{"hybrid-sweep", "extra", "--quiet"},
		{"masking-ablation", "--seeds", "1,x", "--quiet"},
	} {
		_, err := capture(t, "experiment", args...)
		if err == nil {
			t.Errorf("%q accepted", args)
			continue
		}
		if args[0] != "hybrid-sweep" && args[0] != "masking-ablation" && !strings.Contains(err.Error(), "pretrain-vs-scratch, masking-ablation, hybrid-sweep") {
			t.Errorf("%q: error %q does not list the experiments", args, err)
		}
	}
}

// A quick run on a small city writes the table, the CSV and the figures and
// reports them, with every variant's numbers, in one JSON line.
func TestExperimentJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("pre-trains three encoders (about 20 s)")
	}
	dir := t.TempDir()
	out, err := capture(t, "experiment", "masking-ablation", "--quick", "--seeds", "1", "--pretrain-steps", "2",
		"--data", "synthetic:seed=2,trajectories=160", "--out", dir, "--json", "--quiet")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Experiment string
		Seeds      []int64
		Files      []string
		Results    map[string]struct{ Mean, Std float64 }
	}
	lastJSONInto(t, out, &got)
	if got.Experiment != "masking-ablation" || len(got.Seeds) != 1 || len(got.Files) < 5 {
		t.Errorf("JSON: %+v", got)
	}
	for _, k := range []string{"span masking/recover/recovery_error_m", "scratch/classify/accuracy", "linear interpolation/recover/recovery_error_m"} {
		if _, ok := got.Results[k]; !ok {
			t.Errorf("results lack %q: %v", k, got.Results)
		}
	}
	if !slices.Contains(got.Files, filepath.Join(dir, "results.md")) || !slices.Contains(got.Files, filepath.Join(dir, "results.csv")) {
		t.Errorf("files: %v", got.Files)
	}
}
