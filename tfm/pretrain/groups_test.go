package pretrain

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
)

// With GroupBalance each group fills ≈ 1/G of the batch slots however
// imbalanced the groups (here 90% / 8% / 2%), batches are deterministic
// in (seed, step), and a group's trips are distinct within a batch while
// it has enough.
func TestGroupBalancedBatches(t *testing.T) {
	ds := toyCity(200, 3)
	for i, tr := range ds.Trajectories {
		tr.Labels["grp"] = "big"
		if i%50 < 4 {
			tr.Labels["grp"] = "small"
		} else if i%50 == 4 {
			tr.Labels["grp"] = "tiny"
		}
	}
	groups, err := groupMembers(ds.Trajectories, "grp")
	if err != nil {
		t.Fatal(err)
	}
	r := &run{opt: Options{Seed: 1, BatchSize: 16}, trajs: ds.Trajectories, groups: groups}
	count := map[string]int{}
	const steps = 300
	for step := range steps {
		_, sel := r.stepBatch(step)
		_, again := r.stepBatch(step)
		if !slices.Equal(sel, again) {
			t.Fatalf("step %d: two draws differ", step)
		}
		seen := map[string]int{}
		for _, tr := range sel {
			count[tr.Labels["grp"]]++
			seen[tr.ID]++
			if seen[tr.ID] > 1 && tr.Labels["grp"] == "big" {
				t.Errorf("step %d: %s twice, its group has 180 trips", step, tr.ID)
			}
		}
	}
	for g, c := range count {
		if share := float64(c) / (steps * 16); math.Abs(share-1.0/3) > 0.03 {
			t.Errorf("group %s: share %.3f of the slots, want ≈ 1/3 (counts %v)", g, share, count)
		}
	}
	r.groups = nil // uniform: the big group dominates
	big := 0
	for step := range 50 {
		_, sel := r.stepBatch(step)
		for _, tr := range sel {
			if tr.Labels["grp"] == "big" {
				big++
			}
		}
	}
	if share := float64(big) / (50 * 16); share < 0.8 {
		t.Errorf("uniform sampling: big group's share %.3f, want ≈ 0.9", share)
	}
}

// Train records the key (settings "group-balance") and refuses a
// trajectory without the group, naming it and the key.
func TestGroupBalanceTrain(t *testing.T) {
	be := testBackend(t)
	ds := toyCity(60, 2)
	opt := tinyOptions("generative", "gps", 3)
	opt.GroupBalance = "mode"
	res, err := Train(context.Background(), be, ds, opt)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Model.Meta.Run.Settings["group-balance"]; got != "mode" {
		t.Errorf("settings group-balance = %q, want mode", got)
	}
	ds.Trajectories[7].Mode = ""
	_, err = Train(context.Background(), be, ds, opt)
	if err == nil || !strings.Contains(err.Error(), `GroupBalance (--group-balance) "mode": fairness: trajectory "t007" has no group for key "mode"`) {
		t.Errorf("trajectory without a mode: %v", err)
	}
	if s := tinyOptions("generative", "gps", 3).Settings("toy", 60); s["group-balance"] != "" {
		t.Errorf("uniform run records group-balance %q", s["group-balance"])
	}
}
