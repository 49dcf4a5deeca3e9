package pretrain

import (
	"context"
	"math"
	"testing"

	. "github.com/gomlx/gomlx/core/graph"

	"github.com/tfm-course/course/datasets/synth"
	"github.com/tfm-course/course/tfm/traj"
)

// contextShare by hand: one dimension where the context explains part of
// the variance, one where it explains none; then weights that change it.
func TestContextShareByHand(t *testing.T) {
	z := [][]float32{{0, 1}, {2, -1}, {4, 1}, {6, -1}}
	c := []int32{0, 0, 1, 1}
	ones := []float32{1, 1, 1, 1}
	// Dimension 0: mean 3, context means 1 and 5: between 4·4 = 16, total 9+1+1+9 = 20.
	// Dimension 1: both context means 0: between 0. Mean over dimensions: 0.4.
	share := func(z [][]float32, c []int32, w []float32) float64 {
		return run1(t, func(z, c, w *Node) *Node { return contextShare(z, c, w, 2) }, z, c, w)
	}
	if got := share(z, c, ones); math.Abs(got-0.4) > 1e-5 {
		t.Fatalf("contextShare = %.6f, want 0.4", got)
	}
	// Weights 3,1,1,3: dimension 0 mean 3, context means 0.5 and 5.5:
	// between 8·6.25 = 50, total 3·9+1+1+3·9 = 56; dimension 1: context
	// means 0.5 and -0.5, between 8·0.25 = 2, total 8. Mean (50/56 + 1/4)/2.
	if got, want := share(z, c, []float32{3, 1, 1, 3}), (50.0/56+0.25)/2; math.Abs(got-want) > 1e-5 {
		t.Fatalf("weighted contextShare = %.6f, want %.6f", got, want)
	}
	// Equal context means: 0.
	if got := share([][]float32{{0, 1}, {2, -1}, {2, 1}, {0, -1}}, c, ones); math.Abs(got) > 1e-6 {
		t.Fatalf("contextShare = %.6f with equal context means, want 0", got)
	}
}

// The inverse-propensity weights make label and context independent in
// the weighted data: Σ_{y,c} w(y,c)·n(y,c) splits as P(y)·P(c).
func TestReweightBalances(t *testing.T) {
	var trajs []*traj.Trajectory
	add := func(y, c string, n int) {
		for range n {
			trajs = append(trajs, &traj.Trajectory{Labels: map[string]string{"y": y, "c": c}})
		}
	}
	add("0", "a", 45)
	add("1", "a", 5)
	add("0", "b", 5)
	add("1", "b", 45)
	cs := &Causal{CausalHead: CausalHead{Label: "y", Confounder: "c", Plain: true, Reweight: true}}
	if err := cs.Fit(trajs, nil, nil); err != nil {
		t.Fatal(err)
	}
	// Weighted share of y=1 within context a must be ≈ P(y=1) = 0.5 .
	wa1, wa0 := 5*cs.weight[1][0], 45*cs.weight[0][0]
	if r := wa1 / (wa0 + wa1); math.Abs(r-0.5) > 1e-9 {
		t.Errorf("weighted P(y=1 | c=a) = %.3f, want ≈ 0.5 (weights %v)", r, cs.weight)
	}
}

// The planted-bias intervention (flipped link, scored against the true
// label): the backdoor-adjusted model beats the plain one where the
// shortcut fails.
func TestCausalPlantedBias(t *testing.T) {
	if testing.Short() {
		t.Skip("trains two models")
	}
	city, err := synth.Generate(synth.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	ds, rep, err := city.SpuriousDataset(synth.SpuriousOptions{P: 0.9, TestAgreement: 0.1, Seed: 1})
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
			if pred[i] == tr.Labels[synth.TrueLabelKey] {
				acc[plain] += 1 / float64(len(test))
			}
		}
		t.Logf("plain=%v: train loss %.3f→%.3f, train acc %.3f, flipped-test acc %.3f (train %d, test %d)",
			plain, res.FirstLoss, res.LastLoss, res.Terms["accuracy"], acc[plain], rep.Train, rep.Test)
	}
	if acc[false] < acc[true]+0.05 {
		t.Errorf("backdoor-adjusted accuracy %.3f on the flipped split, not 5 points above the plain model's %.3f", acc[false], acc[true])
	}
}
