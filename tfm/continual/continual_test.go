package continual

import (
	"context"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/tfm-course/course/datasets"
	"github.com/tfm-course/course/tfm/backend"
	"github.com/tfm-course/course/tfm/encoder"
	_ "github.com/tfm-course/course/tfm/modality/all"
	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/pretrain"
	"github.com/tfm-course/course/tfm/tasks"
	"github.com/tfm-course/course/tfm/traj"
)

func testBackend(t testing.TB) compute.Backend {
	t.Helper()
	backend.Logger = io.Discard
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func trips(n int, seed uint64) []*traj.Trajectory {
	out := make([]*traj.Trajectory, n)
	for i := range out {
		out[i] = &traj.Trajectory{ID: string(rune('a'+i%26)) + string(rune('0'+i/26%10)), UserID: "u"}
	}
	_ = seed
	return out
}

// The buffer never holds more than Size trips, and reservoir sampling keeps
// each trip with about the same probability whatever its position.
func TestReplayBufferBounded(t *testing.T) {
	all := trips(2000, 1)
	firstHalf := 0
	for seed := int64(1); seed <= 20; seed++ {
		b := NewReplayBuffer(50, seed)
		b.Add(all...)
		if b.Len() != 50 || b.Seen() != 2000 {
			t.Fatalf("len %d seen %d, want 50 and 2000", b.Len(), b.Seen())
		}
		for _, tr := range b.Trajectories() {
			if slices.Index(all, tr) < 1000 {
				firstHalf++
			}
		}
	}
	// 1000 kept trips over 20 seeds: about half from each half of the stream.
	if firstHalf < 430 || firstHalf > 570 {
		t.Errorf("%d of 1000 kept trips from the stream's first half, want about 500", firstHalf)
	}
	a, b := NewReplayBuffer(10, 3), NewReplayBuffer(10, 3)
	a.Add(all...)
	b.Add(all...)
	if !slices.Equal(a.Trajectories(), b.Trajectories()) {
		t.Error("same seed, different buffers")
	}
	s := a.Sample(rand.New(rand.NewPCG(1, 2)), 20)
	if len(s) != 10 {
		t.Errorf("sampled %d of a 10-trip buffer", len(s))
	}
}

// handStore is a model of one branch ("enc") with two variables a = [1, 2]
// and b = [[3]].
func handStore(t *testing.T) *tfm.Model {
	t.Helper()
	store := model.NewStore()
	for path, v := range map[string]*tensors.Tensor{
		"/enc/a": tensors.FromFlatDataAndDimensions([]float32{1, 2}, 2),
		"/enc/b": tensors.FromFlatDataAndDimensions([]float32{3}, 1, 1),
	} {
		if _, err := store.CreateVariable(path, v); err != nil {
			t.Fatal(err)
		}
	}
	return &tfm.Model{Store: store, Branches: []*tfm.Branch{{Scope: "enc"}}}
}

func penaltyValue(t *testing.T, be compute.Backend, m *tfm.Model, pen func(*model.Scope, *Graph) *Node) float64 {
	t.Helper()
	exec, err := model.NewExec(be, m.Store, func(scope *model.Scope, g *Graph) *Node { return pen(scope, g) })
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Call()
	if err != nil {
		t.Fatal(err)
	}
	return float64(tensors.MustCopyFlatData[float32](out[0])[0])
}

func setVar(t *testing.T, m *tfm.Model, path string, vals []float32, dims ...int) {
	t.Helper()
	v := m.Store.GetVariable(path)
	if v == nil {
		if _, err := m.Store.CreateVariable(path, tensors.FromFlatDataAndDimensions(vals, dims...)); err != nil {
			t.Fatal(err)
		}
		return
	}
	if err := v.SetValue(tensors.FromFlatDataAndDimensions(vals, dims...)); err != nil {
		t.Fatal(err)
	}
}

// L2-SP is 0 at the anchor; off it, and EWC with a known Fisher, are the
// equations' values computed by hand.
func TestPenaltiesByHand(t *testing.T) {
	be := testBackend(t)
	m := handStore(t)
	if err := StoreAnchors(m); err != nil {
		t.Fatal(err)
	}
	if got := penaltyValue(t, be, m, L2SPPenalty(2)); got != 0 {
		t.Fatalf("L2-SP at the anchor: %v", got)
	}
	// θ* = a* = [0, 0], b* = [[1]]; θ = [1, 2], [[3]]: Σ(θ−θ*)² = 1+4+4 = 9.
	setVar(t, m, AnchorScope+"/enc/a", []float32{0, 0}, 2)
	setVar(t, m, AnchorScope+"/enc/b", []float32{1}, 1, 1)
	if got := penaltyValue(t, be, m, L2SPPenalty(2)); math.Abs(got-9) > 1e-5 {
		t.Errorf("L2-SP λ=2: %v, want (2/2)·9 = 9", got)
	}
	// F = [2, 0.5], [[4]]: Σ F(θ−θ*)² = 2·1 + 0.5·4 + 4·4 = 20.
	setVar(t, m, FisherScope+"/enc/a", []float32{2, 0.5}, 2)
	setVar(t, m, FisherScope+"/enc/b", []float32{4}, 1, 1)
	if got := penaltyValue(t, be, m, EWCPenalty(0.5)); math.Abs(got-5) > 1e-5 {
		t.Errorf("EWC λ=0.5: %v, want (0.5/2)·20 = 5", got)
	}
}

func TestStrategyValidate(t *testing.T) {
	for _, c := range []struct {
		s    Strategy
		want string
	}{
		{Strategy{Name: "amnesia"}, "unknown strategy"},
		{func() Strategy { s := DefaultStrategy("replay"); s.ReplayRatio = 1; return s }(), "ReplayRatio"},
		{func() Strategy { s := DefaultStrategy("ewc"); s.EWCLambda = -1; return s }(), "EWCLambda"},
		{func() Strategy { s := DefaultStrategy("distill"); s.DistillWeight = math.NaN(); return s }(), "DistillWeight"},
		{func() Strategy { s := DefaultStrategy("distill"); s.ReplayRatio = 1; return s }(), "ReplayRatio"},
		{func() Strategy { s := DefaultStrategy("lora"); s.LoRARank = 0; return s }(), "LoRARank"},
	} {
		if err := c.s.Validate(); err == nil || !contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.s, err, c.want)
		}
	}
	for _, n := range Names {
		if err := DefaultStrategy(n).Validate(); err != nil {
			t.Errorf("default %s: %v", n, err)
		}
	}
}

func contains(s, sub string) bool {
	return len(sub) == 0 || len(s) >= len(sub) && (s[:len(sub)] == sub || contains(s[1:], sub))
}

func tinyOptions(steps int) pretrain.Options {
	o := pretrain.DefaultOptions()
	o.Paradigm, o.Modality, o.Steps, o.BatchSize = "generative", "grid", steps, 16
	o.LearningRate, o.WarmupSteps = 3e-3, 2
	if err := o.Encoder.Set("layers=1;dim=16;heads=2;ffn=32;maxlen=24"); err != nil {
		panic(err)
	}
	return o
}

func load(t *testing.T, spec string) *datasets.Data {
	t.Helper()
	d, err := datasets.Load(spec)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// distance is Σ(θ−θ*)² over the encoder weights of m from old's.
func distance(t *testing.T, m, old *tfm.Model) float64 {
	t.Helper()
	sum := 0.0
	for _, v := range encoderVars(old) {
		w := m.Store.GetVariable(v.Path())
		a := tensors.MustCopyFlatData[float32](v.MustValue())
		b := tensors.MustCopyFlatData[float32](w.MustValue())
		for i := range a {
			sum += float64(a[i]-b[i]) * float64(a[i]-b[i])
		}
	}
	return sum
}

// Continued training: naive moves the weights, frozen trains nothing, ewc
// and l2sp stay closer to the old weights than naive in the same steps;
// the anchors and Fisher are in the continued store, not trainable.
func TestStrategiesKeepWeightsClose(t *testing.T) {
	be := testBackend(t)
	oldData, newData := load(t, "synthetic:seed=2,trajectories=120"), load(t, "synthetic:seed=3,trajectories=120")
	opt := tinyOptions(10)
	opt.Map = oldData.Map
	res, err := pretrain.Train(context.Background(), be, oldData.Dataset, opt)
	if err != nil {
		t.Fatal(err)
	}
	old := res.Model
	t.Logf("old: %d steps, loss %v → %v", res.Steps, res.FirstLoss, res.LastLoss)
	dist := map[string]float64{}
	for _, name := range []string{"frozen", "naive", "ewc", "l2sp", "replay"} {
		s := DefaultStrategy(name)
		s.EWCLambda, s.L2SPLambda, s.FisherBatches, s.ReplaySize = 100, 100, 3, 40
		p, err := Prepare(old, s, opt, oldData.Trajectories, newData.Trajectories)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if tr, total := Params(p.Model); name == "frozen" && tr != 0 || name != "frozen" && (tr == 0 || tr > total) {
			t.Errorf("%s: trainable %d of %d", name, tr, total)
		}
		if name == "frozen" {
			dist[name] = distance(t, p.Model, old)
			continue
		}
		o := opt
		o.Map = newData.Map
		p.Apply(&o)
		r, err := pretrain.Train(context.Background(), be, newData.Dataset, o)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		dist[name] = distance(t, r.Model, old)
		t.Logf("%s: %d steps from %d, loss %v → %v %v", name, r.Steps, r.StartStep, r.FirstLoss, r.LastLoss, r.Terms)
		if (name == "ewc" || name == "l2sp") && r.Terms["penalty"] <= 0 {
			t.Errorf("%s: penalty term %v", name, r.Terms["penalty"])
		}
		if name == "ewc" {
			for v := range r.Model.Store.IterVariables() {
				if contains(v.Path(), Scope+"/") && v.Trainable {
					t.Errorf("%s trainable", v.Path())
				}
			}
			if !HasAnchors(r.Model) {
				t.Error("no anchors in the continued store")
			}
		}
	}
	t.Logf("Σ(θ−θ*)²: %v", dist)
	if dist["frozen"] != 0 || !(dist["naive"] > 0) {
		t.Errorf("frozen moved %v, naive %v", dist["frozen"], dist["naive"])
	}
	for _, n := range []string{"ewc", "l2sp"} {
		if !(dist[n] < dist["naive"]) {
			t.Errorf("%s moved %v, naive %v: want closer", n, dist[n], dist["naive"])
		}
	}
}

// The deployment's scores of the encoder it was built on are what
// tasks.Evaluate reports; Watch scores naive continued pre-training as it
// runs, its last score is the result's, and the deployed TTE error rises:
// forgetting, seen live.
func TestDeploymentScoresAndWatch(t *testing.T) {
	b := testBackend(t)
	old, err := datasets.Load("synthetic:trajectories=600")
	if err != nil {
		t.Fatal(err)
	}
	nw, err := datasets.Load("synthetic:trajectories=600,drift=1")
	if err != nil {
		t.Fatal(err)
	}
	o := pretrain.DefaultOptions()
	o.Encoder.Layers, o.Encoder.Dim, o.Encoder.Heads, o.Encoder.FFN, o.Encoder.MaxLen = 1, 32, 2, 64, 32
	o.Steps, o.Paradigm, o.Contrastive.Augment = 60, "contrastive", "crop,jitter"
	res, err := pretrain.Train(context.Background(), b, old.Dataset, o)
	if err != nil {
		t.Fatal(err)
	}
	eo := tasks.DefaultOptions("")
	eo.Seed, eo.Encoder = 1, o.Encoder
	dep, err := Deploy(res.Model, old.Dataset.Trajectories, eo)
	if err != nil {
		t.Fatal(err)
	}
	before, err := dep.Score(res.Model)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []struct{ key, task, metric string }{
		{DeployedTTE, "tte", "mae"}, {DeployedClassify, "classify", "accuracy"}, {DeployedSimilarity, "similarity", "mean_rank"},
	} {
		e := eo
		e.Task = k.task
		r, err := tasks.Evaluate(res.Model, old.Dataset.Trajectories, e)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := before[k.key], r.Metrics[k.metric]; math.Abs(got-want) > 1e-6*math.Max(1, math.Abs(want)) {
			t.Errorf("%s: deployed %v, tasks.Evaluate %v", k.key, got, want)
		}
	}

	co := o
	co.Map = nw.Map
	plan, err := Prepare(res.Model, DefaultStrategy("naive"), co, old.Dataset.Trajectories, nw.Dataset.Trajectories)
	if err != nil {
		t.Fatal(err)
	}
	plan.Apply(&co)
	co.Steps = 120
	var steps []int
	var last map[string]float64
	co.OnStep = dep.Watch(plan.Model, 50, co.Steps, func(step int, s map[string]float64, err error) {
		if err != nil {
			t.Fatal(err)
		}
		steps, last = append(steps, step), s
	})
	r, err := pretrain.Train(context.Background(), b, nw.Dataset, co)
	if err != nil {
		t.Fatal(err)
	}
	after, err := dep.Score(r.Model)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(steps, []int{50, 100, 120}) {
		t.Errorf("Watch scored at steps %v, want [50 100 120]", steps)
	}
	for k, v := range after {
		if last[k] != v {
			t.Errorf("%s: Watch's last score %v, the result's %v", k, last[k], v)
		}
	}
	if f := Forgetting("mae", before[DeployedTTE], after[DeployedTTE]); f <= 5 {
		t.Errorf("naive continued pre-training: deployed TTE MAE %.1f → %.1f s (%.1f %% worse), want > 5 %%", before[DeployedTTE], after[DeployedTTE], f)
	}
	t.Logf("deployed before %v, after %v", before, after)
}

// oldContrastive is a tiny contrastive gps model pre-trained for steps on
// an old city (seed 2), with a new one (seed 3) and the options.
func oldContrastive(t *testing.T, steps int) (compute.Backend, *datasets.Data, *datasets.Data, pretrain.Options, *pretrain.Result) {
	t.Helper()
	be := testBackend(t)
	oldData, newData := load(t, "synthetic:seed=2,trajectories=120"), load(t, "synthetic:seed=3,trajectories=120")
	opt := tinyOptions(steps)
	opt.Paradigm, opt.Modality = "contrastive", "gps"
	res, err := pretrain.Train(context.Background(), be, oldData.Dataset, opt)
	if err != nil {
		t.Fatal(err)
	}
	return be, oldData, newData, opt, res
}

// LoRA and adapters train their own weights and nothing else: after the
// continued run every old encoder weight is bit-identical (the layer norms
// too, which GoMLX's LayerNorm marks trainable on every graph it builds),
// and the trainable count is exactly the adaptation weights'.
func TestAdaptationTrainsOnlyItsWeights(t *testing.T) {
	be, oldData, newData, opt, res := oldContrastive(t, 5)
	for _, name := range []string{"lora", "adapter"} {
		p, err := Prepare(res.Model, DefaultStrategy(name), opt, oldData.Trajectories, newData.Trajectories)
		if err != nil {
			t.Fatal(err)
		}
		o := opt
		o.Steps = 8
		p.Apply(&o)
		r, err := pretrain.Train(context.Background(), be, newData.Dataset, o)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d := distance(t, r.Model, res.Model); d != 0 {
			t.Errorf("%s: the old encoder weights moved (Σ(θ−θ*)² = %g)", name, d)
		}
		adaptation := 0
		for v := range r.Model.Store.IterVariables() {
			if r.Model.InEncoder(v.Scope()) && encoder.IsAdaptation(v.Scope()) { // not the optimiser's moments of them
				adaptation += v.Shape().Size()
			}
		}
		if tr := r.Model.TrainableParams(); tr != adaptation || tr == 0 {
			t.Errorf("%s: %d trainable parameters, want the %d of the adaptation weights", name, tr, adaptation)
		}
	}
}

// Distillation keeps the old trips' embeddings where the old encoder put
// them: after the same continued steps, the replayed trips moved less
// under distill than under plain replay, and the penalty was logged.
func TestDistillKeepsOldEmbeddings(t *testing.T) {
	be, oldData, newData, opt, res := oldContrastive(t, 10)
	probe := oldData.Trajectories[:40]
	base, err := res.Model.Embed(probe)
	if err != nil {
		t.Fatal(err)
	}
	moved := map[string]float64{}
	for _, name := range []string{"replay", "distill"} {
		s := DefaultStrategy(name)
		s.ReplaySize, s.DistillWeight = 40, 10
		p, err := Prepare(res.Model, s, opt, oldData.Trajectories, newData.Trajectories)
		if err != nil {
			t.Fatal(err)
		}
		o := opt
		o.Steps, o.Map = 20, newData.Map
		p.Apply(&o)
		r, err := pretrain.Train(context.Background(), be, newData.Dataset, o)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if name == "distill" && !(r.Terms["penalty"] > 0) {
			t.Errorf("distill: penalty term %v, want > 0 once the encoder moved", r.Terms["penalty"])
		}
		x, err := r.Model.Embed(probe)
		if err != nil {
			t.Fatal(err)
		}
		for i := range x.Data {
			d := float64(x.Data[i] - base.Data[i])
			moved[name] += d * d / float64(len(probe))
		}
	}
	t.Logf("mean ‖h − h*‖² of old trips: %v", moved)
	if !(moved["distill"] < moved["replay"]/2) {
		t.Errorf("old trips moved %.4g under distill, %.4g under replay: want distill under half", moved["distill"], moved["replay"])
	}
}
