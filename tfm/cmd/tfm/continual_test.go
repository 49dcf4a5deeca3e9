package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/tfm-course/course/tfm/continual"
	tfm "github.com/tfm-course/course/tfm/model"
)

// dirFiles reads every file of dir.
func dirFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		out[p] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// weights reads the encoder variables of a checkpoint.
func weights(t *testing.T, dir string) map[string][]float32 {
	t.Helper()
	m, err := tfm.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]float32{}
	for v := range m.Store.IterVariables() {
		if strings.HasPrefix(v.Path(), "/"+tfm.EncoderScope+"/") {
			out[v.Path()] = tensors.MustCopyFlatData[float32](v.MustValue())
		}
	}
	return out
}

// tfm pretrain --continue-from: every strategy continues a tiny checkpoint
// into its own directory, the JSON names strategy and parameter counts,
// the old checkpoint stays byte-identical, and a run killed after a
// checkpoint resumes to the uninterrupted run's weights.
func TestPretrainContinue(t *testing.T) {
	root := t.TempDir()
	old := filepath.Join(root, "old")
	base := []string{"--paradigm", "generative", "--modality", "grid", "--set", "layers=1;dim=16;heads=2;ffn=32;maxlen=24",
		"--batch", "8", "--json", "--quiet", "--diagnose", "0"}
	if _, err := capture(t, "pretrain", append(base, "--data", "synthetic:seed=2,trajectories=120", "--steps", "6", "--checkpoint", old)...); err != nil {
		t.Fatal(err)
	}
	before := dirFiles(t, old)
	cont := []string{"--json", "--quiet", "--diagnose", "0", "--continue-from", old, "--data", "synthetic:seed=3,trajectories=120", "--every", "5"}
	for _, s := range continual.Names {
		out := filepath.Join(root, s)
		args := append(cont, "--strategy", s, "--checkpoint", out, "--steps", "10", "--replay-size", "40", "--fisher-batches", "2")
		o, err := capture(t, "pretrain", args...)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		got := lastJSON(t, o)
		if got["strategy"] != s || got["continue_from"] != old || got["trainable_params"] == nil || got["total_params"] == nil {
			t.Fatalf("%s: JSON %v", s, got)
		}
		tr, total := got["trainable_params"].(float64), got["total_params"].(float64)
		if s == "frozen" && (tr != 0 || got["steps"].(float64) != 0) || s != "frozen" && (tr <= 0 || tr > total || got["steps"].(float64) != 10) {
			t.Errorf("%s: trainable %v of %v, steps %v", s, tr, total, got["steps"])
		}
		if (s == "lora" || s == "adapter") && !(tr < total/4) {
			t.Errorf("%s trains %v of %v parameters: want only its few adaptation weights", s, tr, total)
		}
		if (s == "ewc" || s == "distill") && got["terms"].(map[string]any)["penalty"] == nil {
			t.Errorf("%s: no penalty term in %v", s, got["terms"])
		}
		if len(before) < 3 || !reflect.DeepEqual(before, dirFiles(t, old)) {
			t.Fatalf("%s: --continue-from's checkpoint was written to", s)
		}
	}
	// Kill after the step-5 checkpoint: drop the step-10 one, run again
	// (ewc: the Fisher and anchors from the store; distill: the anchors, and
	// the replay buffer drawn again).
	for _, strategy := range []string{"ewc", "distill"} {
		full := filepath.Join(root, strategy)
		killed := filepath.Join(root, "killed-"+strategy)
		if err := os.CopyFS(killed, os.DirFS(full)); err != nil {
			t.Fatal(err)
		}
		last, _ := filepath.Glob(filepath.Join(killed, "checkpoint-*-step-00000010.*"))
		if len(last) != 2 {
			t.Fatalf("step-10 checkpoint files: %v", last)
		}
		for _, f := range last {
			_ = os.Remove(f)
		}
		o, err := capture(t, "pretrain", append(cont, "--strategy", strategy, "--checkpoint", killed, "--steps", "10", "--replay-size", "40", "--fisher-batches", "2")...)
		if err != nil {
			t.Fatal(err)
		}
		if got := lastJSON(t, o); got["start_step"].(float64) != 5 || got["steps"].(float64) != 10 {
			t.Fatalf("resume: start %v steps %v", got["start_step"], got["steps"])
		}
		if w := weights(t, full); len(w) == 0 || !reflect.DeepEqual(w, weights(t, killed)) {
			t.Errorf("%s: a killed and resumed continued run ends with other weights than the uninterrupted one", strategy)
		}
	}
	// The record refuses another strategy on resume.
	if _, err := capture(t, "pretrain", append(cont, "--strategy", "l2sp", "--checkpoint", filepath.Join(root, "killed-ewc"))...); err == nil || !strings.Contains(err.Error(), "strategy") {
		t.Errorf("resume with another strategy: %v", err)
	}
}

// Bad continue flags are refused before anything is trained, each error
// naming the flag.
func TestPretrainContinueBadFlags(t *testing.T) {
	root := t.TempDir()
	old := filepath.Join(root, "old")
	base := []string{"--set", "layers=1;dim=16;heads=2;ffn=32;maxlen=24", "--batch", "8", "--json", "--quiet", "--diagnose", "0",
		"--data", "synthetic:seed=2,trajectories=60"}
	if _, err := capture(t, "pretrain", append(base, "--steps", "2", "--checkpoint", old)...); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(root, "out")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--strategy", "lora", "--checkpoint", out}, "--strategy needs --continue-from"},
		{[]string{"--continue-from", old}, "--continue-from needs --checkpoint"},
		{[]string{"--continue-from", old, "--checkpoint", old}, "is --continue-from's directory"},
		{[]string{"--continue-from", filepath.Join(root, "nothing"), "--checkpoint", out}, "not a checkpoint directory"},
		{[]string{"--continue-from", old, "--checkpoint", out, "--strategy", "forget"}, "unknown strategy"},
		{[]string{"--continue-from", old, "--checkpoint", out, "--strategy", "distill", "--distill-weight", "-1"}, "DistillWeight = -1"},
		{[]string{"--distill-weight", "2", "--checkpoint", out}, "--distill-weight needs --continue-from"},
	} {
		if _, err := capture(t, "pretrain", append(base, c.args...)...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("pretrain %v: %v, want an error with %q", c.args, err, c.want)
		}
	}
}
