package tasks

import (
	"strings"
	"testing"

	"github.com/tfm-course/course/tfm/traj"
)

// Below MinTest test examples (or, for similarity, MinCandidates ranked
// candidates) a task's metrics mean nothing: Evaluate refuses, stating the
// minimum and the actual size, before training anything.
func TestEvaluateRefusesTinyData(t *testing.T) {
	ts := modedWalks(12, 3)
	for _, task := range Tasks {
		opt := QuickOptions(task)
		opt.Encoder = smallEncoderConfig()
		_, err := Evaluate(nil, ts, opt)
		if err == nil || !strings.Contains(err.Error(), "at least") {
			t.Errorf("%s on 12 trajectories: %v", task, err)
		}
	}
	opt := QuickOptions("similarity")
	opt.Encoder = smallEncoderConfig()
	_, err := Evaluate(nil, RandomWalks(3, 1), opt)
	if err == nil || !strings.Contains(err.Error(), "similarity: 1 queries, need at least 10") {
		t.Errorf("similarity on 3 trajectories: %v", err)
	}
}

// An unknown --mode is named, with the modes the data has.
func TestEvaluateUnknownMode(t *testing.T) {
	ts := modedWalks(20, 3)
	opt := QuickOptions("tte")
	opt.Mode = "spaceship"
	_, err := Evaluate(nil, ts, opt)
	if err == nil || !strings.Contains(err.Error(), `mode "spaceship"`) || !strings.Contains(err.Error(), "car, walk") {
		t.Fatalf("err %v", err)
	}
}

// modedWalks are RandomWalks(n, seed) labelled walk and car in turn.
func modedWalks(n int, seed uint64) []*traj.Trajectory {
	ts := RandomWalks(n, seed)
	for i, tr := range ts {
		tr.Mode = []string{"walk", "car"}[i%2]
	}
	return ts
}
