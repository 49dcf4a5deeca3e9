package main

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestPretrainJSONAndResume(t *testing.T) {
	dir := t.TempDir()
	args := []string{"--paradigm", "generative", "--modality", "grid", "--data", "synthetic:seed=2,trajectories=120",
		"--set", "layers=1;dim=16;heads=2;ffn=32;maxlen=24", "--batch", "8", "--json", "--quiet",
		"--diagnose", "60", "--checkpoint", dir, "--every", "10"}
	out, err := capture(t, "pretrain", append(args, "--steps", "20")...)
	if err != nil {
		t.Fatal(err)
	}
	got := lastJSON(t, out)
	for _, k := range []string{"paradigm", "modality", "steps", "first_loss", "last_loss", "steps_per_second", "backend", "diagnostics",
		"flops", "step_flops", "cpu_seconds", "energy_joules", "energy_source", "co2e_grams", "grid_g_per_kwh"} {
		if _, ok := got[k]; !ok {
			t.Errorf("JSON lacks %q: %v", k, got)
		}
	}
	if got["paradigm"] != "generative" || got["modality"] != "grid" || got["steps"].(float64) != 20 ||
		!(got["last_loss"].(float64) < got["first_loss"].(float64)) {
		t.Fatalf("unexpected summary %v", got)
	}
	if got["flops"].(float64) != 20*got["step_flops"].(float64) || got["energy_joules"].(float64) <= 0 ||
		!strings.Contains(got["energy_source"].(string), "RAPL") && !strings.Contains(got["energy_source"].(string), "cpu_s × 10 W per core") ||
		got["grid_g_per_kwh"].(float64) != 475 {
		t.Errorf("cost %v %v %v %v", got["flops"], got["energy_joules"], got["energy_source"], got["grid_g_per_kwh"])
	}
	if h := stepLines(t, dir); len(h) != 20 || h[19].FLOPs != got["flops"] {
		t.Errorf("metrics.jsonl: %d lines, last flops %v, want 20 and %v", len(h), h[len(h)-1].FLOPs, got["flops"])
	}
	// Same checkpoint, more steps: resumes at 20 (a new schedule phase, asked for).
	out, err = capture(t, "pretrain", append(args, "--steps", "30", "--extend")...)
	if err != nil {
		t.Fatal(err)
	}
	got = lastJSON(t, out)
	if got["start_step"].(float64) != 20 || got["steps"].(float64) != 30 {
		t.Fatalf("resume: start %v steps %v, want 20 and 30", got["start_step"], got["steps"])
	}
	// Same checkpoint, another paradigm: refused.
	if _, err := capture(t, "pretrain", "--paradigm", "contrastive", "--modality", "grid", "--checkpoint", dir, "--steps", "40",
		"--data", "synthetic:seed=2,trajectories=120", "--quiet"); err == nil || !strings.Contains(err.Error(), "generative/grid") {
		t.Fatalf("mixing paradigms in one checkpoint: %v", err)
	}
}

// --masking road on the synthetic city hides map-matched segments and says
// so in the JSON; the other maskers leave road_masking out.
func TestPretrainRoadMasking(t *testing.T) {
	for masking, want := range map[string]any{"road": "segments", "random": nil} {
		out, err := capture(t, "pretrain", "--paradigm", "generative", "--modality", "gps", "--masking", masking,
			"--data", "synthetic:seed=2,trajectories=40", "--set", "layers=1;dim=16;heads=2;ffn=32;maxlen=24",
			"--batch", "8", "--steps", "2", "--diagnose", "0", "--json", "--quiet")
		if err != nil {
			t.Fatal(err)
		}
		if got := lastJSON(t, out)["road_masking"]; got != want {
			t.Errorf("--masking %s: road_masking %v, want %v", masking, got, want)
		}
	}
}

func TestPretrainBadFlags(t *testing.T) {
	for _, c := range []struct{ args, want string }{
		{"--set layers=x", "not an integer"},
		{"--paradigm telepathy --steps 1", `--paradigm "telepathy": want one of contrastive`},
		{"--modality smell --steps 1", `"smell" is not one of gps`},
		{"--data nowhere", "data set spec"},
	} {
		args := append([]string{"--quiet", "--data", "synthetic:seed=1,trajectories=20"}, strings.Fields(c.args)...)
		_, err := capture(t, "pretrain", args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want %q", c.args, err, c.want)
		}
	}
}

// Out-of-range numbers and unknown names are refused by the flag layer,
// naming the flag and its valid range, before any work.
func TestFlagRanges(t *testing.T) {
	for _, c := range []struct{ cmd, args, want string }{
		{"pretrain", "--paradigm generative --mask-ratio -0.5", "--mask-ratio -0.5: want in (0, 1)"},
		{"pretrain", "--paradigm generative --mask-ratio 1.5", "--mask-ratio 1.5: want in (0, 1)"},
		{"pretrain", "--temperature -1", "--temperature -1: want > 0"},
		{"pretrain", "--temperature 0", "--temperature 0: want > 0"},
		{"pretrain", "--paradigm hybrid --lambda -3", "--lambda -3: want in [0, 1]"},
		{"pretrain", "--lr -0.01", "--lr -0.01: want > 0"},
		{"pretrain", "--lr NaN", "--lr NaN: want > 0"},
		{"pretrain", "--every -1", "--every -1: want ≥ 0"},
		{"pretrain", "--batch 1", "--batch 1: want ≥ 2"},
		{"pretrain", "--masking diagonal --paradigm generative", `--masking "diagonal": want one of random, span, road`},
		{"pretrain", "--extend", "--extend needs --steps"},
		{"pretrain", "--core-watts 0", "--core-watts 0: want > 0"},
		{"pretrain", "--early-stop every=10,val=2", `--early-stop "every=10,val=2": Options.EarlyStop.ValFrac = 2: must be in (0, 1)`},
		{"eval", "--task tte --grid-intensity -5", "--grid-intensity -5: want > 0"},
		{"eval", "--task tte --test 1.5", "--test 1.5: want in (0, 1)"},
		{"eval", "--task similarity --drop 2", "--drop 2: want in [0, 1), or -1 for the default"},
		{"eval", "--task similarity --noise -5", "--noise -5: want ≥ 0, or -1 for the default"},
		{"eval", "--task recover --keep 1", "--keep 1: want in [0, 1)"},
		{"experiment", "pretrain-vs-scratch --pretrain-steps -5", "--pretrain-steps -5: want ≥ 0"},
		{"data", "synth --trajectories 5 --dropout 0.7 --out " + t.TempDir(), "--dropout 0.7: want in [0, 0.5)"},
		{"distance", "pdist --format synthetic --threads -2", "--threads -2: want ≥ 0"},
		{"mapmatch", "eval --trajectories 0", "--trajectories 0: want ≥ 1"},
		{"mapmatch", "eval --sigma 0", "--sigma 0: want > 0"},
	} {
		args := strings.Fields(c.args)
		if c.cmd == "pretrain" || c.cmd == "eval" {
			args = append(args, "--quiet", "--data", "synthetic:seed=1,trajectories=20")
		}
		_, err := capture(t, c.cmd, args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %s: err %v, want %q", c.cmd, c.args, err, c.want)
		}
	}
}

// A resume takes the settings it does not give from the checkpoint, refuses
// a different one (old and new value named) unless --change'd, and
// extending a finished run is explicit and says what schedule it follows.
func TestPretrainResumeSettings(t *testing.T) {
	dir := t.TempDir()
	args := []string{"--data", "synthetic:seed=1,trajectories=40", "--set", "layers=1;dim=16;heads=2;ffn=32;maxlen=16",
		"--batch", "8", "--diagnose", "0", "--quiet", "--checkpoint", dir, "--every", "2", "--seed", "3"}
	if _, err := capture(t, "pretrain", append(args, "--steps", "4", "--json")...); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ args, want string }{
		{"--lr 0.5 --temperature 5", "lr: the checkpoint's run has 0.001, now 0.5"},
		{"--seed 1", "seed: the checkpoint's run has 3, now 1"},
		{"--set dim=32", "cannot change set"},
		{"--data synthetic:seed=2,trajectories=40", "data: the checkpoint's run has synthetic:seed=1,trajectories=40, now synthetic:seed=2"},
		{"--steps 6", "--extend"},
	} {
		_, err := capture(t, "pretrain", append(strings.Fields(c.args), "--checkpoint", dir, "--quiet", "--every", "2")...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want %q", c.args, err, c.want)
		}
	}
	// Nothing given: the recorded run, at its own horizon (finished).
	out, err := capture(t, "pretrain", "--checkpoint", dir, "--quiet", "--json", "--diagnose", "0")
	if err != nil {
		t.Fatal(err)
	}
	if got := lastJSON(t, out); got["steps"].(float64) != 4 || got["start_step"].(float64) != 4 {
		t.Fatalf("plain resume: %v", got)
	}
	// Extended on purpose, with a changed learning rate.
	out, err = capture(t, "pretrain", "--checkpoint", dir, "--quiet", "--diagnose", "0", "--steps", "8", "--extend", "--lr", "0.002", "--change", "lr")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"8 steps", "extended: steps 4–8 followed a new schedule phase (warm-up 0 steps to 0.002, cosine decay to 0.0002 at step 8)",
		"changed at step 4: --lr 0.001 → 0.002"} {
		if !strings.Contains(out, want) {
			t.Errorf("extended run's summary lacks %q:\n%s", want, out)
		}
	}
}

// A checkpoint directory with weights but no tfm.json is refused before
// anything is written (it used to be overwritten with a model of another
// shape, then fail).
func TestPretrainFailedResumeLeavesDirAlone(t *testing.T) {
	dir := t.TempDir()
	args := []string{"--data", "synthetic:seed=1,trajectories=40", "--batch", "8", "--diagnose", "0", "--quiet",
		"--checkpoint", dir, "--every", "2", "--steps", "4"}
	if _, err := capture(t, "pretrain", append(args, "--set", "layers=1;dim=16;heads=2;ffn=32;maxlen=16")...); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "tfm.json")); err != nil {
		t.Fatal(err)
	}
	before := dirBytes(t, dir)
	_, err := capture(t, "pretrain", append(args, "--set", "layers=1;dim=32;heads=2;ffn=32;maxlen=16", "--steps", "6")...)
	if err == nil || !strings.Contains(err.Error(), "no tfm.json") {
		t.Fatalf("err %v", err)
	}
	if after := dirBytes(t, dir); !reflect.DeepEqual(before, after) {
		t.Fatalf("the directory changed: %v → %v", before, after)
	}
}

// dirBytes maps each file under dir to its contents.
func dirBytes(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	if err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		out[p] = string(b)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// Two runs with one seed and the same flags log identical losses.
func TestPretrainDeterministic(t *testing.T) {
	var logs [2]string
	for i := range logs {
		dir := t.TempDir()
		if _, err := capture(t, "pretrain", "--data", "synthetic:seed=1,trajectories=40", "--set", "layers=1;dim=16;heads=2;ffn=32;maxlen=16",
			"--batch", "8", "--diagnose", "0", "--quiet", "--checkpoint", dir, "--steps", "6", "--seed", "5"); err != nil {
			t.Fatal(err)
		}
		for _, sm := range stepLines(t, dir) {
			logs[i] += fmt.Sprintf("%d %v %v %v\n", sm.Step, sm.Loss, sm.Terms, sm.LR)
		}
	}
	if logs[0] != logs[1] || logs[0] == "" {
		t.Fatalf("two runs, one seed:\n%s\nvs\n%s", logs[0], logs[1])
	}
}

func TestEvalRefusesTinyDataAndUnknownMode(t *testing.T) {
	for _, c := range []struct{ args, want string }{
		{"--task similarity --data synthetic:seed=1,trajectories=3", "need at least 10"},
		{"--task tte --mode spaceship --data synthetic:seed=1,trajectories=40", `unknown mode "spaceship" (the data's modes: `},
	} {
		_, err := capture(t, "eval", append(strings.Fields(c.args), "--quick", "--json", "--quiet", "--steps", "2",
			"--set", "layers=1;dim=16;heads=2;ffn=32;maxlen=16")...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want %q", c.args, err, c.want)
		}
	}
}

// --early-stop stops a noisy run before --steps and says where the best
// validation loss was.
func TestPretrainEarlyStop(t *testing.T) {
	out, err := capture(t, "pretrain", append(tinyRun[1:], "--quiet", "--json", "--steps", "100", "--lr", "0.03",
		"--early-stop", "every=2,patience=2,val=0.25")...)
	if err != nil {
		t.Fatal(err)
	}
	got := lastJSON(t, out)
	if got["early_stopped"] != true || got["steps"].(float64) >= 100 || got["best_step"].(float64) != got["steps"].(float64)-4 || got["val_loss"].(float64) <= 0 {
		t.Fatalf("early stop: %v", got)
	}
}
