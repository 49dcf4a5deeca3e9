package chapter

import (
	"testing"

	"github.com/tfm-course/course/tfm/notebook"
)

func TestQuickSizes(t *testing.T) {
	t.Setenv(notebook.QuickEnv, "1")
	d := City(2000, 30)
	if len(d.Trajectories) != 30 || d.Map == nil || d.Map.Network == nil {
		t.Fatalf("quick city: %d trips, map %v", len(d.Trajectories), d.Map != nil)
	}
	train, test := Split(d.Trajectories)
	if len(train) != 24 || len(test) != 6 {
		t.Fatalf("split %d/%d", len(train), len(test))
	}
	opt := Options("generative")
	if opt.Steps != 25 || opt.Encoder.Dim != 32 || opt.Paradigm != "generative" {
		t.Fatalf("quick options: %+v", opt)
	}
}

// Pretrained trains once, then loads the cached checkpoint: the same model.
func TestPretrainedCaches(t *testing.T) {
	t.Setenv(notebook.QuickEnv, "1")
	t.Setenv("TMPDIR", t.TempDir())
	d := City(2000, 40)
	opt := Options("contrastive")
	opt.Steps = 3
	a := Pretrained("test", d.Trajectories, opt)
	b := Pretrained("test", d.Trajectories, opt)
	ea, eb := Must(a.Embed(d.Trajectories[:4])), Must(b.Embed(d.Trajectories[:4]))
	for i := range ea.Data {
		if ea.Data[i] != eb.Data[i] {
			t.Fatalf("cached model embeds differently at %d: %v vs %v", i, ea.Data[i], eb.Data[i])
		}
	}
}

// A changed setting or data set is a different run: not the cached model.
func TestPretrainedKeyedBySettings(t *testing.T) {
	t.Setenv(notebook.QuickEnv, "1")
	d := City(2000, 40)
	opt := Options("contrastive")
	key := runKey(d.Trajectories, opt)
	other := opt
	other.Seed++
	if runKey(d.Trajectories, other) == key {
		t.Fatal("another seed has the same cache key")
	}
	other = opt
	other.LearningRate *= 2
	if runKey(d.Trajectories, other) == key {
		t.Fatal("another learning rate has the same cache key")
	}
	if runKey(d.Trajectories[1:], opt) == key {
		t.Fatal("other data has the same cache key")
	}
	if runKey(d.Trajectories, opt) != key {
		t.Fatal("the cache key is not deterministic")
	}
}
