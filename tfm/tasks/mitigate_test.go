package tasks

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/tfm-course/course/tfm/encoder"
	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/traj"
)

func tinyEncoderConfig() encoder.Config {
	cfg := encoder.DefaultConfig()
	if err := cfg.Set("layers=1;dim=16;heads=2;ffn=32;maxlen=16"); err != nil {
		panic(err)
	}
	return cfg
}

// w_i = N/(G·n_g): on 3 a's and 1 b, a weighs 4/6 and b 4/2; each group's
// weights sum to N/G = 2.
func TestReweightWeightsExact(t *testing.T) {
	names, idx := groupIndex([]string{"b", "a", "a", "a"})
	if strings.Join(names, ",") != "a,b" || idx[0] != 1 || idx[1] != 0 {
		t.Fatalf("groupIndex: %v %v", names, idx)
	}
	w := reweightWeights(idx, len(names))
	want := []float64{2, 4.0 / 6, 4.0 / 6, 4.0 / 6}
	for i := range w {
		if math.Abs(w[i]-want[i]) > 1e-12 {
			t.Errorf("w[%d] = %g, want %g", i, w[i], want[i])
		}
	}
}

// Balanced sampling fills each group's share 1/G of the batch slots,
// however imbalanced the groups, and is deterministic under its seed.
func TestBalancedSamplerShares(t *testing.T) {
	groups := make([]string, 200)
	for i := range groups {
		groups[i] = map[bool]string{true: "car", false: "walk"}[i < 180]
	}
	groups[199], groups[198] = "bike", "bike" // 180 car, 18 walk, 2 bike
	names, idx := groupIndex(groups)
	a, b := newBalancedSampler(idx, len(names), 3), newBalancedSampler(idx, len(names), 3)
	count := make([]int, len(names))
	const draws = 6000
	for range draws {
		i := a.next()
		if j := b.next(); i != j {
			t.Fatal("same seed, different draws")
		}
		count[idx[i]]++
	}
	for g, c := range count {
		if share := float64(c) / draws; math.Abs(share-1.0/3) > 0.03 {
			t.Errorf("group %s: share %.3f of the slots, want ≈ 1/3", names[g], share)
		}
	}
}

// One DRO step on a toy: L̂ = (1, 3) from losses (1, 1, 3, 3) of groups
// (0, 0, 1, 1); q = (½, ½) becomes ∝ (e^η, e^{3η}), the loss Σ q_g·L̂_g;
// the next step starts from the updated q (the state persists).
func TestDROStepToy(t *testing.T) {
	store := model.NewStore()
	const eta = 0.5
	_, err := mitigatedLoss(store, "dro", true, 2, eta)
	if err != nil {
		t.Fatal(err)
	}
	qVar := store.GetVariable(droScope + "/q")
	fn := func(_ *model.Scope, l, group *graph.Node) []*graph.Node {
		return []*graph.Node{droLoss(qVar, l, group, 2, eta), qVar.NodeValue(l.Graph())}
	}
	q := []float64{0.5, 0.5}
	for step := range 2 {
		// A fresh executor per step (as in pretrain's balancer tests): a
		// plain Exec keeps reading the value its graph was compiled with;
		// the trainer reads each step's.
		res := model.MustNewExec(DefaultBackend(), store, fn).MustExec([]float32{1, 1, 3, 3}, []int32{0, 0, 1, 1})
		a, b := q[0]*math.Exp(eta*1), q[1]*math.Exp(eta*3)
		q = []float64{a / (a + b), b / (a + b)}
		got := tensors.MustCopyFlatData[float32](res[1])
		loss := float64(tensors.MustCopyFlatData[float32](res[0])[0])
		if math.Abs(float64(got[0])-q[0]) > 1e-5 || math.Abs(loss-(q[0]+3*q[1])) > 1e-5 {
			t.Errorf("step %d: q = %v loss %g, want q = %v loss %g", step, got, loss, q, q[0]+3*q[1])
		}
	}
	w, err := droWeights(store, []string{"easy", "hard"})
	if err != nil || math.Abs(w["hard"]-q[1]) > 1e-5 {
		t.Errorf("GroupWeights %v (%v), want hard %g", w, err, q[1])
	}
}

// mitigationData is a regression task (mean speed, learnable from the GPS
// features) over an imbalanced pair of groups: 80% "major", 20% "minor",
// the minor group's targets noisy (its loss stays higher).
func mitigationData() (ts []*traj.Trajectory, y []float64, groups []string) {
	ts = RandomWalks(150, 5)
	rng := rand.New(rand.NewPCG(5, 9))
	for i, tr := range ts {
		v := tr.Length() / tr.Duration().Seconds()
		g := "major"
		if i%5 == 0 {
			g = "minor"
			v += rng.NormFloat64() * 6
		}
		y, groups = append(y, v), append(groups, g)
	}
	return ts, y, groups
}

func TestFineTuneMitigationsRun(t *testing.T) {
	ts, y, groups := mitigationData()
	m, err := NewScratch(tinyEncoderConfig(), ts, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, mit := range []string{"balanced", "reweight", "dro"} {
		cfg := DefaultFineTuneConfig()
		cfg.Steps, cfg.BatchSize, cfg.LearningRate = 40, 16, 3e-3
		cfg.Mitigation, cfg.Groups = mit, groups
		ft, err := FineTune(m, ts, y, nil, 0, cfg)
		if err != nil {
			t.Fatalf("%s: %v", mit, err)
		}
		l := ft.Losses
		first, last := mean(l[:8]), mean(l[len(l)-8:])
		t.Logf("%s: loss %.3f → %.3f, GroupWeights %v", mit, first, last, ft.GroupWeights)
		if !(last < first) {
			t.Errorf("%s: loss %.3f → %.3f, want it to fall", mit, first, last)
		}
		if mit == "dro" {
			q := ft.GroupWeights
			if math.Abs(q["major"]+q["minor"]-1) > 1e-4 || !(q["minor"] > 0.55) {
				t.Errorf("dro: q = %v, want it moved toward the noisy minor group", q)
			}
		} else if ft.GroupWeights != nil {
			t.Errorf("%s: GroupWeights %v, want nil", mit, ft.GroupWeights)
		}
		if _, err := ft.PredictRegression(ts[:3]); err != nil {
			t.Error(err)
		}
	}
}

func TestFineTuneMitigationErrors(t *testing.T) {
	ts, y, groups := mitigationData()
	m, err := NewScratch(tinyEncoderConfig(), ts, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		mit    string
		groups []string
		key    string
		step   float64
		want   string
	}{
		{"fair", groups, "", 0, `Mitigation "fair": want one of [none balanced reweight dro]`},
		{"dro", nil, "", 0, "Mitigation \"dro\" needs FineTuneConfig.Groups"},
		{"reweight", groups[:10], "", 0, "Groups has 10 entries for 150 training examples"},
		{"balanced", nil, "income", 0, `GroupKey: fairness: trajectory "w0" has no group for key "income"`},
		{"dro", groups, "", -1, "DROStep -1: want ≥ 0"},
	} {
		cfg := DefaultFineTuneConfig()
		cfg.Steps, cfg.Mitigation, cfg.Groups, cfg.GroupKey, cfg.DROStep = 1, c.mit, c.groups, c.key, c.step
		_, err := FineTune(m, ts, y, nil, 0, cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.mit, err, c.want)
		}
	}
}

// Evaluate passes the train split's groups to fine-tuning and reports
// group DRO's q; a mitigation it cannot apply is refused naming the field.
func TestEvaluateMitigation(t *testing.T) {
	ts := RandomWalks(120, 8)
	for i, tr := range ts {
		tr.Mode = []string{"car", "car", "car", "walk"}[i%4]
	}
	opt := QuickOptions("tte")
	opt.Encoder, opt.FineTune.Steps = tinyEncoderConfig(), 10
	opt.Mitigation, opt.MitigationGroups = "dro", "mode"
	res, err := Evaluate(nil, ts, opt)
	if err != nil {
		t.Fatal(err)
	}
	q, ok := res.Extra["group_weights"].(map[string]float64)
	if !ok || len(q) != 2 || math.Abs(q["car"]+q["walk"]-1) > 1e-4 || res.Extra["mitigation"] != "dro" {
		t.Errorf("Extra %v, want dro's q over car and walk", res.Extra)
	}
	enc, err := NewScratch(tinyEncoderConfig(), ts, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		task, mit, key string
		enc            bool
		want           string
	}{
		{"tte", "fair", "mode", false, `Options.Mitigation "fair": want one of`},
		{"tte", "reweight", "", false, "needs Options.MitigationGroups"},
		{"similarity", "balanced", "mode", false, "only tte and classify"},
		{"tte", "balanced", "mode", true, "set Finetune (--finetune)"},
		{"tte", "balanced", "income", false, `MitigationGroups (--mitigation-groups) "income": fairness: trajectory`},
	} {
		o := QuickOptions(c.task)
		o.Encoder, o.FineTune.Steps, o.Probe.Steps = tinyEncoderConfig(), 1, 1
		o.Mitigation, o.MitigationGroups = c.mit, c.key
		var e *tfm.Model
		if c.enc {
			e = enc
		}
		if _, err := Evaluate(e, ts, o); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %s %q: %v, want %q", c.task, c.mit, c.key, err, c.want)
		}
	}
}
