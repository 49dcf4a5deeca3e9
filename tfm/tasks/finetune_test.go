package tasks

import (
	"testing"
	"time"

	"github.com/tfm-course/course/tfm/encoder"
	"github.com/tfm-course/course/tfm/traj"
)

func smallEncoderConfig() encoder.Config {
	cfg := encoder.DefaultConfig()
	cfg.Layers, cfg.Dim, cfg.Heads, cfg.FFN, cfg.MaxLen = 1, 32, 4, 64, 32
	return cfg
}

// speedClass buckets a walk's mean speed: a task the raw GPS features make
// learnable, so training from scratch must beat the majority class.
func speedClass(t *traj.Trajectory) int {
	v := t.Length() / t.Duration().Seconds()
	switch {
	case v < 7:
		return 0
	case v < 11:
		return 1
	}
	return 2
}

func TestScratchFineTuneLearns(t *testing.T) {
	ts := randomWalks(400, 11)
	tr, te := ts[:300], ts[300:]
	e, err := NewScratch(smallEncoderConfig(), tr, 1)
	if err != nil {
		t.Fatal(err)
	}
	label := func(ts []*traj.Trajectory) []int {
		out := make([]int, len(ts))
		for i, x := range ts {
			out[i] = speedClass(x)
		}
		return out
	}
	cfg := DefaultFineTuneConfig()
	cfg.Steps = 60
	start := time.Now()
	ft, err := FineTune(e, tr, nil, label(tr), 3, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d steps in %v; loss %.3f → %.3f", cfg.Steps, time.Since(start), ft.Losses[0], ft.Losses[len(ft.Losses)-1])
	pred, err := ft.PredictClasses(te)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Classification([]string{"slow", "mid", "fast"}, label(te), pred)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("accuracy %.3f (majority %.3f)\n%s", m.Accuracy, m.MajorityAccuracy, m.Confusion)
	if m.Accuracy < m.MajorityAccuracy+0.2 {
		t.Errorf("scratch fine-tuning accuracy %.3f, majority %.3f", m.Accuracy, m.MajorityAccuracy)
	}
	// The frozen embedding of the original encoder is unchanged by fine-tuning.
	z, err := e.Embed(te[:3])
	if err != nil || z.Rows != 3 || z.Cols != 32 {
		t.Fatalf("embed: %v %d×%d", err, z.Rows, z.Cols)
	}
}
