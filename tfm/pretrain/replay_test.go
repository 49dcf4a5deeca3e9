package pretrain

import (
	"context"
	"slices"
	"testing"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// A replay batch has round(Ratio·B) old trips after the new ones, drawn
// per global step: the same step gives the same batch.
func TestReplayBatches(t *testing.T) {
	newTrips, old := toyCity(30, 1).Trajectories, toyCity(20, 2).Trajectories
	r := &run{opt: Options{Seed: 1, BatchSize: 8, Replay: &Replay{Buffer: old, Ratio: 0.4}}, trajs: newTrips}
	_, a := r.stepBatch(7)
	_, b := r.stepBatch(7)
	_, c := r.stepBatch(8)
	if !slices.Equal(a, b) || slices.Equal(a, c) {
		t.Fatal("replay batches not drawn per step")
	}
	for i, tr := range a {
		if inOld := slices.Contains(old, tr); inOld != (i >= 5) { // round(0.4·8) = 3 old slots
			t.Errorf("slot %d: from the buffer %v", i, inOld)
		}
	}
}

// Options.Penalty is added to the loss and logged as "penalty".
func TestPenaltyLogged(t *testing.T) {
	opt := tinyOptions("contrastive", "gps", 2)
	opt.Penalty = func(_ *model.Scope, g *Graph) *Node { return Scalar(g, dtypes.Float32, 0.25) }
	res, err := Train(context.Background(), testBackend(t), toyCity(40, 1), opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, sm := range res.History {
		if p := sm.Terms["penalty"]; p != 0.25 || sm.Loss < sm.Terms["con"]+0.25-1e-5 || sm.Loss > sm.Terms["con"]+0.25+1e-5 {
			t.Fatalf("step %d: loss %v, con %v, penalty %v", sm.Step, sm.Loss, sm.Terms["con"], p)
		}
	}
}
