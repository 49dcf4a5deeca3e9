package main

import (
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
	for _, k := range []string{"paradigm", "modality", "steps", "first_loss", "last_loss", "steps_per_second", "backend", "diagnostics"} {
		if _, ok := got[k]; !ok {
			t.Errorf("JSON lacks %q: %v", k, got)
		}
	}
	if got["paradigm"] != "generative" || got["modality"] != "grid" || got["steps"].(float64) != 20 ||
		!(got["last_loss"].(float64) < got["first_loss"].(float64)) {
		t.Fatalf("unexpected summary %v", got)
	}
	// Same checkpoint, more steps: resumes at 20.
	out, err = capture(t, "pretrain", append(args, "--steps", "30")...)
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

func TestPretrainBadFlags(t *testing.T) {
	for _, c := range []struct{ args, want string }{
		{"--set layers=x", "not an integer"},
		{"--paradigm telepathy --steps 1", "unknown paradigm"},
		{"--modality smell --steps 1", "not supported"},
		{"--data nowhere", "data set spec"},
	} {
		args := append([]string{"--quiet", "--data", "synthetic:seed=1,trajectories=20"}, strings.Fields(c.args)...)
		_, err := capture(t, "pretrain", args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want %q", c.args, err, c.want)
		}
	}
}
