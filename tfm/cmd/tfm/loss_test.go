package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"testing"
)

// The JSON names its losses: last_step_loss is the last step's (the last
// progress line's), last_loss the mean over the last last_loss_steps steps
// of metrics.jsonl; stderr says which is which.
func TestPretrainLossFieldsNamed(t *testing.T) {
	dir := t.TempDir()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stderr
	os.Stderr = w
	done := make(chan []byte)
	go func() { b, _ := io.ReadAll(r); done <- b }()
	out, runErr := capture(t, "pretrain", append(tinyRun[1:], "--steps", "30", "--checkpoint", dir, "--json")...)
	w.Close()
	os.Stderr = old
	stderr := string(<-done)
	if runErr != nil {
		t.Fatal(runErr)
	}
	var got struct {
		Steps         int     `json:"steps"`
		LastLoss      float64 `json:"last_loss"`
		LastLossSteps int     `json:"last_loss_steps"`
		LastStepLoss  float64 `json:"last_step_loss"`
	}
	lastJSONInto(t, out, &got)
	h := stepLines(t, dir)
	if len(h) != 30 || got.Steps != 30 {
		t.Fatalf("%d metrics lines, %d steps; want 30", len(h), got.Steps)
	}
	if got.LastLossSteps != 3 {
		t.Errorf("last_loss_steps %d, want ⌈30/10⌉ = 3", got.LastLossSteps)
	}
	mean := 0.0
	for _, sm := range h[len(h)-3:] {
		mean += sm.Loss / 3
	}
	if math.Abs(got.LastLoss-mean) > 1e-9 || got.LastStepLoss != h[len(h)-1].Loss {
		t.Errorf("last_loss %v last_step_loss %v; metrics: mean of the last 3 %v, last %v", got.LastLoss, got.LastStepLoss, mean, h[len(h)-1].Loss)
	}
	progress := fmt.Sprintf("30/30 loss=%.4f", got.LastStepLoss)
	summary := fmt.Sprintf("loss: step 30 %.4f; mean of the last 3 steps %.4f (the summary's last_loss)", got.LastStepLoss, got.LastLoss)
	if !strings.Contains(stderr, progress) || !strings.Contains(stderr, summary) {
		t.Errorf("stderr lacks %q or %q:\n%s", progress, summary, stderr)
	}
}
