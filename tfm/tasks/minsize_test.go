package tasks

import (
	"strings"
	"testing"
)

// Below MinTest test examples (or, for similarity, MinCandidates ranked
// candidates) a task's metrics mean nothing: Evaluate refuses, stating the
// minimum and the actual size, before training anything.
func TestEvaluateRefusesTinyData(t *testing.T) {
	ts := RandomWalks(12, 3)
	for i, tr := range ts {
		tr.Mode = []string{"walk", "car"}[i%2]
	}
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
	ts := RandomWalks(20, 3)
	for i, tr := range ts {
		tr.Mode = []string{"walk", "car"}[i%2]
	}
	opt := QuickOptions("tte")
	opt.Mode = "spaceship"
	_, err := Evaluate(nil, ts, opt)
	if err == nil || !strings.Contains(err.Error(), `mode "spaceship"`) || !strings.Contains(err.Error(), "car, walk") {
		t.Fatalf("err %v", err)
	}
}
