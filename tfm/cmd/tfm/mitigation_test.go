package main

import (
	"strings"
	"testing"
)

// eval --mitigation runs fine-tuning with the mitigation (dro reports its
// q as group_weights); a bad value or a missing key names the flag.
func TestEvalMitigationFlags(t *testing.T) {
	small := "synthetic:seed=3,trajectories=240"
	tiny := "layers=1;dim=16;heads=2;ffn=32;maxlen=16"
	out, err := capture(t, "eval", "--task", "tte", "--data", small, "--quick", "--quiet", "--steps", "10", "--set", tiny,
		"--mitigation", "dro", "--mitigation-groups", "mode", "--json")
	if err != nil {
		t.Fatal(err)
	}
	got := lastJSON(t, out)
	q, ok := got["group_weights"].(map[string]any)
	if got["mitigation"] != "dro" || got["mitigation_groups"] != "mode" || !ok || len(q) < 2 {
		t.Errorf("JSON %v, want mitigation dro over mode with group_weights", got)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--mitigation", "fair", "--mitigation-groups", "mode"}, `--mitigation "fair": want one of none, balanced, reweight, dro`},
		{[]string{"--mitigation", "reweight"}, "--mitigation reweight needs --mitigation-groups"},
		{[]string{"--mitigation", "balanced", "--mitigation-groups", "nope"}, `--mitigation-groups) "nope": fairness: trajectory`},
	} {
		args := append([]string{"--task", "tte", "--data", small, "--quick", "--quiet", "--steps", "1", "--set", tiny}, c.args...)
		if _, err := capture(t, "eval", args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}
}

// pretrain --group-balance records the key; a key the data lacks is
// refused naming the flag and a trajectory.
func TestPretrainGroupBalanceFlag(t *testing.T) {
	args := []string{"--paradigm", "generative", "--modality", "gps", "--data", "synthetic:seed=2,trajectories=40",
		"--set", "layers=1;dim=16;heads=2;ffn=32;maxlen=24", "--batch", "8", "--steps", "2", "--diagnose", "0", "--json", "--quiet"}
	if _, err := capture(t, "pretrain", append(args, "--group-balance", "mode")...); err != nil {
		t.Fatal(err)
	}
	_, err := capture(t, "pretrain", append(args, "--group-balance", "nope")...)
	if err == nil || !strings.Contains(err.Error(), `(--group-balance) "nope": fairness: trajectory`) {
		t.Errorf("--group-balance nope: %v", err)
	}
}
