package pretrain

import (
	"context"
	"testing"

	tfm "github.com/tfm-course/course/tfm/model"
)

// A loaded model trained further in place embeds with its new weights, not
// with the graph Embed compiled before the training (Model.Recompile).
func TestTrainLoadedModelEmbedsNewWeights(t *testing.T) {
	be := testBackend(t)
	ds := toyCity(60, 5)
	opt := tinyOptions("contrastive", "gps", 10)
	dir := t.TempDir()
	first := opt
	first.CheckpointDir = dir
	if _, err := Train(context.Background(), be, ds, first); err != nil {
		t.Fatal(err)
	}
	for _, ckpt := range []bool{false, true} {
		loaded, err := tfm.LoadOn(be, dir)
		if err != nil {
			t.Fatal(err)
		}
		probe := toyCity(6, 10).Trajectories
		before, err := loaded.Embed(probe)
		if err != nil {
			t.Fatal(err)
		}
		o := opt
		o.Model, o.Extend, o.Steps = loaded, true, 20
		if ckpt {
			o.CheckpointDir = t.TempDir()
		}
		if _, err := Train(context.Background(), be, ds, o); err != nil {
			t.Fatal(err)
		}
		after, err := loaded.Embed(probe)
		if err != nil {
			t.Fatal(err)
		}
		fresh, _ := loaded.Clone(1)
		want, _ := fresh.Embed(probe)
		same, stale := true, true
		for i := range after.Data {
			same = same && after.Data[i] == want.Data[i]
			stale = stale && after.Data[i] == before.Data[i]
		}
		if stale || !same {
			t.Errorf("checkpoint dir %v: the trained model embeds its loaded weights (unchanged %v, equal to a fresh copy's %v)", ckpt, stale, same)
		}
	}
}
