package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tfm-course/course/tfm/experiment"
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

// The grid flags are checked before any data is loaded: values, balancer
// specs (with a suggestion), maskings, and a grid given to an experiment
// that does not sweep it.
func TestExperimentGridFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"hybrid-sweep", "--lambdas", "0,1.5"}, "--lambdas \"0,1.5\": 1.5 is not in [0, 1]"},
		{[]string{"hybrid-sweep", "--lambdas", "0,x"}, `"x" is not a number`},
		{[]string{"hybrid-sweep", "--balancers", "uncertainty,gradnrom"}, `unknown balancer "gradnrom"`},
		{[]string{"hybrid-sweep", "--balancers", "uncert"}, `did you mean "uncertainty"?`},
		{[]string{"hybrid-sweep", "--balancers", "dwa:window"}, "is not key=value"},
		{[]string{"hybrid-sweep", "--lambdas", "", "--balancers", ""}, "no variant to pre-train"},
		{[]string{"masking-ablation", "--maskings", "random,spam"}, `"spam" is not one of random, span, road`},
		{[]string{"masking-ablation", "--lambdas", "0.5"}, "--lambdas: masking-ablation does not sweep it (hybrid-sweep does)"},
		{[]string{"hybrid-sweep", "--maskings", "span"}, "--maskings: hybrid-sweep does not sweep it (masking-ablation does)"},
		{[]string{"hybrid-sweep", "--modality", "gsp"}, `--modality "gsp": want one of`},
		{[]string{"causal-shift", "--modality", "grid"}, "causal-shift has its own modality"},
		{[]string{"hybrid-sweep", "--seeds", "1,1"}, "Seeds: 1 twice"},
	} {
		_, err := capture(t, "experiment", append(c.args, "--quiet", "--out", t.TempDir())...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.args, err, c.want)
		}
	}
	if got := splitSpecs("dwa:window=20,temperature=2,gradnorm, uncertainty"); strings.Join(got, " ") != "dwa:window=20,temperature=2 gradnorm uncertainty" {
		t.Errorf("splitSpecs = %q", got)
	}
	if got := commandLine([]string{"tfm", "experiment", "hybrid-sweep", "--balancers", "dwa:window=20", "--out", "a b"}); got != "tfm experiment hybrid-sweep --balancers dwa:window=20 --out 'a b'" {
		t.Errorf("commandLine = %q", got)
	}
}

// A tiny hybrid sweep (one λ, one balancer, two pre-training steps) runs
// end to end: its results.json records the grid and the command line, the
// balance diagnosis and the trade-off figures are written.
func TestExperimentHybridSweepQuick(t *testing.T) {
	if testing.Short() {
		t.Skip("pre-trains two encoders")
	}
	dir := t.TempDir()
	out, err := capture(t, "experiment", "hybrid-sweep", "--quick", "--seeds", "1", "--pretrain-steps", "2", "--lambdas", "0.5",
		"--balancers", "uncertainty", "--data", "synthetic:seed=2,trajectories=160", "--out", dir, "--json", "--quiet")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Command string
		Files   []string
		Results map[string]struct{ Mean, Std float64 }
	}
	lastJSONInto(t, out, &got)
	if !strings.HasPrefix(got.Command, "tfm experiment hybrid-sweep --quick --seeds 1") {
		t.Errorf("command %q", got.Command)
	}
	for _, k := range []string{"λ=0.5/balance/gen_share", "uncertainty/balance/gen_share_last", "scratch/similarity/mean_rank", "λ=0.5/seconds/pretrain"} {
		if _, ok := got.Results[k]; !ok {
			t.Errorf("results lack %q", k)
		}
	}
	for _, f := range []string{"tradeoff_classify_accuracy.svg", "tradeoff_similarity_mean_rank.svg", "results.json"} {
		if !slices.Contains(got.Files, filepath.Join(dir, f)) {
			t.Errorf("files lack %s: %v", f, got.Files)
		}
	}
	js, _ := os.ReadFile(filepath.Join(dir, "results.json"))
	for _, want := range []string{`"Lambdas": [`, `"Balancers": [`, `"Modality": "gps"`, `"Quick": true`, `"Command": "tfm experiment hybrid-sweep`, `"balance": "uncertainty"`} {
		if !strings.Contains(string(js), want) {
			t.Errorf("results.json lacks %s", want)
		}
	}
}

// `experiment tables` rewrites a stale generated block from its results
// file; --check fails on a stale block and passes once it is rewritten.
func TestExperimentTables(t *testing.T) {
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "go.mod"), []byte("module x\n"), 0o644)
	rep := &experiment.Report{Name: "masking-ablation", Cores: 2}
	rep.Config.Seeds = []int64{1}
	rep.Rows = []experiment.Row{{Experiment: rep.Name, Variant: "span masking", Seed: 1, Task: "classify", Method: "finetune", Metric: "accuracy", Value: 0.75}}
	if _, err := rep.Write(filepath.Join(root, experiment.ResultsRoot, "masking-ablation")); err != nil {
		t.Fatal(err)
	}
	doc := "Span: <!-- tfm:results tfm/experiment/results/masking-ablation mean \"span masking\" classify accuracy -->0.5<!-- /tfm:results -->.\n"
	os.WriteFile(filepath.Join(root, "README.md"), []byte(doc), 0o644)
	out, err := capture(t, "experiment", "tables", "--check", "--root", root)
	if err == nil || !strings.Contains(out, "stale README.md:1") {
		t.Errorf("--check on a stale block: %v\n%s", err, out)
	}
	out, err = capture(t, "experiment", "tables", "--root", root, "--json")
	if err != nil {
		t.Fatal(err)
	}
	if got := lastJSON(t, out); got["blocks"] != 1.0 || len(got["changed"].([]any)) != 1 {
		t.Errorf("JSON: %v", got)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "README.md")); !strings.Contains(string(b), "-->0.750<!--") {
		t.Errorf("README.md not rewritten: %s", b)
	}
	if _, err := capture(t, "experiment", "tables", "--check", "--root", root); err != nil {
		t.Errorf("--check after the rewrite: %v", err)
	}
	if _, err := capture(t, "experiment", "tables", "extra"); err == nil {
		t.Error("extra argument accepted")
	}
	if _, err := capture(t, "experiment", "tables", "--help"); err != errHelp {
		t.Errorf("tables --help: %v", err)
	}
}
