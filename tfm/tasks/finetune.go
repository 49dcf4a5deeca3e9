package tasks

import (
	"fmt"
	"iter"
	"math"
	"math/rand/v2"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train"
	"github.com/gomlx/gomlx/ml/train/optimizer"

	"github.com/tfm-course/course/tfm/encoder"
	"github.com/tfm-course/course/tfm/modality"
	_ "github.com/tfm-course/course/tfm/modality/all" // every modality, for LoadModel and NewScratch
	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/traj"
)

// A task uses a *tfm.Model (pre-trained: tfm.Load, a pretrain.Train result;
// or NewScratch) frozen (Embed, for probes and similarity search),
// fine-tuned with a head (FineTune), or trained from scratch on the task
// (FineTune on a NewScratch model).

// LoadModel loads a pre-training checkpoint directory.
func LoadModel(dir string) (*tfm.Model, error) { return tfm.Load(dir) }

// NewScratch is the scratch baseline when there is no checkpoint: the
// architecture cfg with freshly initialised (seeded) variables, over the
// GPS modality fitted on train exactly as pre-training fits it.
func NewScratch(cfg encoder.Config, train []*traj.Trajectory, seed int64) (*tfm.Model, error) {
	return tfm.Fit(DefaultBackend(), cfg, seed, modality.Source{Trajectories: train}, "gps")
}

// ScratchLike is the scratch baseline of a pre-trained model: the same
// architecture and featurisation with freshly initialised (seeded) variables.
func ScratchLike(m *tfm.Model, seed int64) *tfm.Model { return m.Fresh(seed) }

// FineTuneConfig configures training the encoder together with a head.
type FineTuneConfig struct {
	Hidden       []int // head hidden widths
	Steps        int
	BatchSize    int
	LearningRate float64
	Seed         int64
	// Freeze keeps the encoder's variables fixed and trains the head only
	// (a probe trained through the featuriser, e.g. for recovery).
	Freeze bool
	// Log, when set, receives the loss every LogEvery steps.
	Log      func(step int, loss float64)
	LogEvery int
	// Mitigation is the fairness mitigation over the training examples'
	// groups (Mitigations: none, balanced, reweight, dro; "" = none; see
	// mitigate.go). Groups gives each example's group (len = the
	// examples'), or GroupKey reads it from each training trajectory
	// (district_type, income, mode, user or a label key) when Groups is
	// nil; one of them is required unless Mitigation is none.
	Mitigation string
	Groups     []string
	GroupKey   string
	// DROStep is group DRO's step size η (0 = DefaultDROStep).
	DROStep float64
}

// DefaultFineTuneConfig trains 300 steps of 32 trajectories at 1e-3.
func DefaultFineTuneConfig() FineTuneConfig {
	return FineTuneConfig{Hidden: []int{64}, Steps: 300, BatchSize: 32, LearningRate: 1e-3, Seed: 1, LogEvery: 50}
}

// taskCopy is the model a task trains: a clone of m's variables with fresh
// optimiser state, the encoders frozen when cfg.Freeze.
func taskCopy(m *tfm.Model, cfg FineTuneConfig) (*tfm.Model, error) {
	c, err := m.Clone(cfg.Seed)
	if err != nil {
		return nil, err
	}
	if cfg.Freeze {
		c.Freeze()
	}
	return c, nil
}

// fitLoop is the one training path of every head (probes, fine-tuning,
// recovery): GoMLX's train.Loop over next, one batch a step, with the loss
// logged through cfg.Log every cfg.LogEvery steps. It runs exactly steps
// steps, whatever global step the store (e.g. a pre-trained model's clone)
// starts at.
func fitLoop(trainer *train.Trainer, steps int, next func(step int) (train.Batch, error), log func(int, float64), every int) ([]float64, error) {
	loop := train.NewLoop(trainer)
	var losses []float64
	loop.OnStep("tfm-task-loss", 0, func(l *train.Loop, metrics []*tensors.Tensor) error {
		v := float64(tensors.MustCopyFlatData[float32](metrics[0])[0])
		losses = append(losses, v)
		if step := l.LoopStep; log != nil && every > 0 && step%every == 0 {
			log(step, v)
		}
		return nil
	})
	if _, err := loop.RunSteps(stepsDataset(next), steps); err != nil {
		return losses, err
	}
	return losses, nil
}

// countTrained counts rows trained through m's encoders in m.Work (run
// forward only when they are frozen: the gradient stops at the head).
func countTrained(m *tfm.Model, rows int, frozen bool) {
	if frozen {
		m.Work.Forward(rows)
	} else {
		m.Work.Trained(rows)
	}
}

// stepsDataset adapts a batch function to train.Dataset.
type stepsDataset func(step int) (train.Batch, error)

func (stepsDataset) Name() string { return "task" }
func (d stepsDataset) Iter() iter.Seq2[train.Batch, error] {
	return func(yield func(train.Batch, error) bool) {
		for step := 0; ; step++ {
			b, err := d(step)
			if !yield(b, err) || err != nil {
				return
			}
		}
	}
}

// shuffler cycles through n indices in seeded random order.
type shuffler struct {
	rng       *rand.Rand
	perm      []int
	pos, size int
}

func newShuffler(n int, seed uint64, stream uint64) *shuffler {
	rng := rand.New(rand.NewPCG(seed, stream))
	return &shuffler{rng: rng, perm: rng.Perm(n), size: n}
}

func (s *shuffler) next() int {
	if s.pos == s.size {
		s.perm, s.pos = s.rng.Perm(s.size), 0
	}
	s.pos++
	return s.perm[s.pos-1]
}

// FineTuned is an encoder trained end to end with a task head.
type FineTuned struct {
	Model      *tfm.Model // the trained copy
	exec       *tfm.Exec
	outputs    int
	regression bool
	yMean      float64
	yStd       float64
	Losses     []float64 // training loss every step
	// GroupWeights is group DRO's final q by group (Mitigation dro; nil
	// otherwise): the weight each group's loss had at the end.
	GroupWeights map[string]float64
}

// FineTune trains a copy of m's variables together with a head on the task:
// regression when classes is nil (targets y, standardised), else softmax
// classification over numClasses. For the scratch baseline, pass a model
// from NewScratch or ScratchLike: the same architecture, trained only on
// the task.
func FineTune(m *tfm.Model, ts []*traj.Trajectory, y []float64, classes []int, numClasses int, cfg FineTuneConfig) (*FineTuned, error) {
	n := len(ts)
	if n == 0 {
		return nil, fmt.Errorf("tasks: no training trajectories")
	}
	regression := classes == nil
	if regression && len(y) != n || !regression && len(classes) != n {
		return nil, fmt.Errorf("tasks: %d trajectories, %d targets, %d labels", n, len(y), len(classes))
	}
	groups, err := cfg.trainingGroups(ts)
	if err != nil {
		return nil, err
	}
	mitigation := cfg.mitigation()
	groupNames, groupIdx := groupIndex(groups)
	eta := cfg.DROStep
	if eta == 0 {
		eta = DefaultDROStep
	}
	fm, err := taskCopy(m, cfg)
	if err != nil {
		return nil, err
	}
	ft := &FineTuned{Model: fm, regression: regression, outputs: 1}
	if !regression {
		ft.outputs = numClasses
	} else {
		var s, ss float64
		for _, v := range y {
			s += v
			ss += v * v
		}
		ft.yMean = s / float64(n)
		ft.yStd = math.Sqrt(math.Max(ss/float64(n)-ft.yMean*ft.yMean, 1e-12))
	}
	hidden, outputs := cfg.Hidden, ft.outputs
	head := func(scope *model.Scope, in tfm.Nodes) *graph.Node {
		return headGraph(scope.In("task_head"), fm.Pooled(scope, in), hidden, outputs)
	}
	lossFn, err := mitigatedLoss(fm.Store, mitigation, regression, len(groupNames), eta)
	if err != nil {
		return nil, err
	}
	var names []string
	modelFn := func(scope *model.Scope, nodes []*graph.Node) *graph.Node {
		return head(scope, tfm.NodesOf(names, nodes))
	}
	trainer := train.NewTrainer(fm.Backend, fm.Store, modelFn, lossFn,
		optimizer.Adam().LearningRate(cfg.LearningRate).Done(), nil, nil)
	bs := min(cfg.BatchSize, n)
	draw := newShuffler(n, uint64(cfg.Seed), 0xfeed).next
	if mitigation == "balanced" {
		draw = newBalancedSampler(groupIdx, len(groupNames), uint64(cfg.Seed)).next
	}
	var weights []float64
	if mitigation == "reweight" {
		weights = reweightWeights(groupIdx, len(groupNames))
	}
	batch, rows := make([]*traj.Trajectory, bs), make([]int, bs)
	next := func(step int) (train.Batch, error) {
		fl, cl := make([]float32, bs), make([]int32, bs)
		for b := range bs {
			i := draw()
			batch[b], rows[b] = ts[i], i
			if regression {
				fl[b] = float32((y[i] - ft.yMean) / ft.yStd)
			} else {
				cl[b] = int32(classes[i])
			}
		}
		f, err := fm.PaddedFeed(batch, bs)
		if err != nil {
			return train.Batch{}, fmt.Errorf("fine-tuning step %d: %w", step, err)
		}
		if names == nil {
			names = f.Names()
		}
		ins, err := f.Ordered(names)
		label := tensors.FromFlatDataAndDimensions(fl, bs, 1)
		if !regression {
			label = tensors.FromFlatDataAndDimensions(cl, bs, 1)
		}
		labels := []*tensors.Tensor{label}
		if extra := groupLabel(mitigation, rows, groupIdx, weights); extra != nil {
			labels = append(labels, extra)
		}
		return train.Batch{Inputs: ins, Labels: labels}, err
	}
	ft.Losses, err = fitLoop(trainer, cfg.Steps, next, cfg.Log, cfg.LogEvery)
	countTrained(fm, len(ft.Losses)*bs, cfg.Freeze)
	if err != nil {
		return nil, err
	}
	if mitigation == "dro" {
		if ft.GroupWeights, err = droWeights(fm.Store, groupNames); err != nil {
			return nil, err
		}
	}
	ft.exec = tfm.NewExec(fm.Backend, fm.Store, head)
	return ft, nil
}

// raw runs encoder + head on ts: [len(ts), outputs].
func (f *FineTuned) raw(ts []*traj.Trajectory) ([]float32, error) {
	return f.Model.Apply(f.exec, ts, f.outputs)
}

// PredictRegression returns de-standardised predictions.
func (f *FineTuned) PredictRegression(ts []*traj.Trajectory) ([]float64, error) {
	if !f.regression {
		return nil, fmt.Errorf("tasks: fine-tuned model is a classifier")
	}
	r, err := f.raw(ts)
	if err != nil {
		return nil, err
	}
	y := make([]float64, len(r))
	for i, v := range r {
		y[i] = float64(v)*f.yStd + f.yMean
	}
	return y, nil
}

// PredictClasses returns the arg-max class of each trajectory.
func (f *FineTuned) PredictClasses(ts []*traj.Trajectory) ([]int, error) {
	if f.regression {
		return nil, fmt.Errorf("tasks: fine-tuned model is a regressor")
	}
	r, err := f.raw(ts)
	if err != nil {
		return nil, err
	}
	return argmaxRows(r, f.outputs), nil
}

func argmaxRows(r []float32, k int) []int {
	pred := make([]int, len(r)/k)
	for i := range pred {
		for c := 1; c < k; c++ {
			if r[i*k+c] > r[i*k+pred[i]] {
				pred[i] = c
			}
		}
	}
	return pred
}
