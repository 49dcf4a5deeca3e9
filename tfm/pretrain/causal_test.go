package pretrain

import (
	"context"
	"testing"

	"github.com/tfm-course/course/datasets/synth"
	"github.com/tfm-course/course/tfm/traj"
)

// The planted-bias demo: in training the label "motorised" equals the
// start-district group 90 % of the time, in test 50 %. The backdoor-adjusted
// model must not do worse on test than the plain one.
func TestCausalPlantedBias(t *testing.T) {
	if testing.Short() {
		t.Skip("trains two models")
	}
	cfg := synth.DefaultConfig()
	cfg.Trajectories = 600
	city, err := synth.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ds, rep, err := city.SpuriousDataset(synth.SpuriousOptions{P: 0.95, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var test []*traj.Trajectory
	for _, tr := range ds.Trajectories {
		if tr.Labels[synth.SplitKey] == "test" {
			test = append(test, tr)
		}
	}
	acc := map[bool]float64{}
	for _, plain := range []bool{true, false} {
		opt := tinyOptions("causal", "gps", 150)
		opt.Causal.Label, opt.Causal.Plain = synth.LabelKey, plain
		opt.Filter = func(tr *traj.Trajectory) bool { return tr.Labels[synth.SplitKey] == "train" }
		res, err := Train(context.Background(), testBackend(t), ds, opt)
		if err != nil {
			t.Fatal(err)
		}
		pred, err := Classify(res.Model, test)
		if err != nil {
			t.Fatal(err)
		}
		for i, tr := range test {
			if pred[i] == tr.Labels[synth.LabelKey] {
				acc[plain] += 1 / float64(len(test))
			}
		}
		t.Logf("plain=%v: train loss %.3f→%.3f, train acc %.3f, test acc %.3f (train %d, test %d)",
			plain, res.FirstLoss, res.LastLoss, res.Terms["accuracy"], acc[plain], rep.Train, rep.Test)
	}
	if acc[false] < acc[true]-0.02 {
		t.Errorf("backdoor-adjusted test accuracy %.3f below the plain model's %.3f", acc[false], acc[true])
	}
}
