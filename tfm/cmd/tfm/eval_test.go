package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestEvalJSON(t *testing.T) {
	small := "synthetic:seed=3,trajectories=240"
	for task, keys := range map[string][]string{
		"similarity": {"mean_rank", "hr1", "hr5", "hr20"},
		"classify":   {"accuracy", "macro_f1"},
		"tte":        {"mae", "mape", "rmse"},
	} {
		out, err := capture(t, "eval", "--task", task, "--checkpoint", "scratch", "--data", small, "--quick", "--quiet",
			"--steps", "10", "--set", "layers=1;dim=16;heads=2;ffn=32;maxlen=16", "--grid-intensity", "100", "--json")
		if err != nil {
			t.Fatalf("%s: %v", task, err)
		}
		got := lastJSON(t, out)
		for _, k := range append(keys, "task", "checkpoint", "train_size", "test_size",
			"flops", "cpu_seconds", "energy_joules", "energy_source", "co2e_grams") {
			if _, ok := got[k]; !ok {
				t.Errorf("%s: JSON lacks %q: %v", task, k, got)
			}
		}
		if got["task"] != task || got["checkpoint"] != "scratch" || got["test_size"].(float64) <= 0 ||
			got["flops"].(float64) <= 0 || got["energy_joules"].(float64) <= 0 || got["grid_g_per_kwh"] != 100.0 {
			t.Errorf("%s: %v", task, got)
		}
	}
	if _, err := capture(t, "eval", "--task", "nope", "--data", "synthetic:trajectories=50", "--quiet"); err == nil {
		t.Error("unknown task accepted")
	}
	if _, err := capture(t, "eval", "--task", "tte", "--checkpoint", filepath.Join(t.TempDir(), "missing"), "--quiet"); err == nil {
		t.Error("missing checkpoint accepted")
	}
	if _, err := capture(t, "experiment", "nope", "--quiet"); err == nil {
		t.Error("unknown experiment accepted")
	}
}

func TestEvalGroups(t *testing.T) {
	out, err := capture(t, "eval", "--task", "tte", "--data", "synthetic:seed=3,trajectories=300,inequity=1", "--groups", "income",
		"--quick", "--quiet", "--steps", "10", "--set", "layers=1;dim=16;heads=2;ffn=32;maxlen=16", "--json")
	if err != nil {
		t.Fatal(err)
	}
	got := lastJSON(t, out)
	for _, k := range []string{"groups", "baseline_groups", "group_gap", "group_ratio", "worst_group", "worst_group_mae", "mae"} {
		if _, ok := got[k]; !ok {
			t.Errorf("JSON lacks %q: %v", k, got)
		}
	}
	g, _ := got["groups"].(map[string]any)
	if g["key"] != "income" || g["metric"] != "mae" || len(g["groups"].([]any)) != 3 {
		t.Errorf("groups %v", g)
	}
	if _, err := capture(t, "eval", "--task", "tte", "--groups", "colour", "--quiet"); err == nil || !strings.Contains(err.Error(), "--groups") {
		t.Errorf("unknown group key: %v", err)
	}
}
