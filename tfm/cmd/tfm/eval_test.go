package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// evalCapture runs `tfm NAME ARGS` and returns its stdout (read while the
// command runs, so large outputs cannot block the pipe).
func evalCapture(t *testing.T, name string, args ...string) (string, error) {
	t.Helper()
	r, w, _ := os.Pipe()
	old := os.Stdout
	os.Stdout = w
	done := make(chan []byte)
	go func() { b, _ := io.ReadAll(r); done <- b }()
	err := commands[name].Run(args)
	w.Close()
	os.Stdout = old
	return string(<-done), err
}

func evalLastJSON(t *testing.T, out string) map[string]any {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var got map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil {
		t.Fatalf("last line is not JSON: %v: %q", err, out)
	}
	return got
}

func TestEvalJSON(t *testing.T) {
	small := "synthetic:seed=3,trajectories=240"
	for task, keys := range map[string][]string{
		"similarity": {"mean_rank", "hr1", "hr5", "hr20"},
		"classify":   {"accuracy", "macro_f1"},
		"tte":        {"mae", "mape", "rmse"},
	} {
		out, err := evalCapture(t, "eval", "--task", task, "--checkpoint", "scratch", "--data", small, "--quick", "--quiet",
			"--steps", "10", "--set", "layers=1;dim=16;heads=2;ffn=32;maxlen=16", "--json")
		if err != nil {
			t.Fatalf("%s: %v", task, err)
		}
		got := evalLastJSON(t, out)
		for _, k := range append(keys, "task", "checkpoint", "train_size", "test_size") {
			if _, ok := got[k]; !ok {
				t.Errorf("%s: JSON lacks %q: %v", task, k, got)
			}
		}
		if got["task"] != task || got["checkpoint"] != "scratch" || got["test_size"].(float64) <= 0 {
			t.Errorf("%s: %v", task, got)
		}
	}
	if _, err := evalCapture(t, "eval", "--task", "nope", "--data", "synthetic:trajectories=50", "--quiet"); err == nil {
		t.Error("unknown task accepted")
	}
	if _, err := evalCapture(t, "eval", "--task", "tte", "--checkpoint", filepath.Join(t.TempDir(), "missing"), "--quiet"); err == nil {
		t.Error("missing checkpoint accepted")
	}
	if _, err := evalCapture(t, "experiment", "nope", "--quiet"); err == nil {
		t.Error("unknown experiment accepted")
	}
}
