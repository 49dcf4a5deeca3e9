package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// tfm pretrain --paradigm align --modality gps+road with fusion and pairs
// through --set, then tfm eval --task crossmodal: the JSON keys, retrieval
// above chance on held-out trips, the fused checkpoint on a downstream
// task (also with a view missing), and clear errors for what cannot work.
func TestAlignPretrainAndCrossModalEval(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "align")
	data := "synthetic:seed=4,trajectories=240"
	out, err := capture(t, "pretrain", "--paradigm", "align", "--modality", "gps+road", "--data", data, "--steps", "60",
		"--batch", "32", "--set", "layers=1;dim=32;heads=2;ffn=64;maxlen=32;fusion=mean;pairs=gps-road;modality_dropout=0.2",
		"--checkpoint", dir, "--diagnose", "0", "--json", "--quiet")
	if err != nil {
		t.Fatal(err)
	}
	res := lastJSON(t, out)
	if res["modality"] != "gps,road" || !(res["last_loss"].(float64) < res["first_loss"].(float64)) {
		t.Fatalf("pretrain JSON: modality %v, loss %v → %v", res["modality"], res["first_loss"], res["last_loss"])
	}
	if set := res["settings"]; set != nil && !strings.Contains(set.(map[string]any)["set"].(string), "fusion=mean") {
		t.Errorf("the run record's set %v lacks fusion=mean", set)
	}
	out, err = capture(t, "eval", "--task", "crossmodal", "--from", "road", "--to", "gps", "--checkpoint", dir, "--data", data, "--test", "0.25", "--desync", "swap", "--json", "--quiet")
	if err != nil {
		t.Fatal(err)
	}
	cm := lastJSON(t, out)
	for _, k := range []string{"recall_at_1", "recall_at_10", "mean_rank", "candidates", "chance_at_10", "misalignment_auc"} {
		if _, ok := cm[k]; !ok {
			t.Errorf("crossmodal JSON lacks %s: %v", k, cm)
		}
	}
	if cm["candidates"].(float64) < 50 || !(cm["recall_at_10"].(float64) > 3*cm["chance_at_10"].(float64)) {
		t.Errorf("road → gps retrieval: recall@10 %v over %v candidates (chance %v)", cm["recall_at_10"], cm["candidates"], cm["chance_at_10"])
	}
	for _, only := range []string{"", "gps"} {
		args := []string{"--task", "classify", "--checkpoint", dir, "--data", data, "--quick", "--steps", "30", "--json", "--quiet"}
		if only != "" {
			args = append(args, "--only", only)
		}
		out, err = capture(t, "eval", args...)
		if err != nil {
			t.Fatalf("classify with the fused checkpoint (only %q): %v", only, err)
		}
		if acc := lastJSON(t, out)["accuracy"].(float64); !(acc > 0.3) {
			t.Errorf("classify (only %q): accuracy %v", only, acc)
		}
	}
	// Errors that name what is wrong.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--task", "crossmodal", "--from", "text", "--to", "gps", "--checkpoint", dir, "--data", data}, "no text branch"},
		{[]string{"--task", "crossmodal", "--data", data}, "needs a --checkpoint"},
		{[]string{"--task", "crossmodal", "--from", "road", "--to", "gps", "--checkpoint", dir, "--data", data, "--desync", "scramble"}, "desync kind"},
		{[]string{"--task", "classify", "--checkpoint", dir, "--data", data, "--only", "image"}, "no image branch"},
	} {
		if _, err := capture(t, "eval", append(c.args, "--quiet")...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("eval %v: err %v, want %q", c.args, err, c.want)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--paradigm", "align", "--modality", "gps"}, "two or more modalities"},
		{[]string{"--paradigm", "align", "--modality", "gps+road", "--set", "fusion=attention"}, "fusion"},
		{[]string{"--paradigm", "align", "--modality", "gps+road", "--set", "pairs=gps-text"}, "does not read"},
	} {
		args := append(c.args, "--data", "synthetic:seed=4,trajectories=40", "--steps", "2", "--quiet", "--diagnose", "0")
		if _, err := capture(t, "pretrain", args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("pretrain %v: err %v, want %q", c.args, err, c.want)
		}
	}
}
