package tasks

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train"
	"github.com/gomlx/gomlx/ml/train/loss"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/tfm-course/course/tfm/encoder"
	"github.com/tfm-course/course/tfm/modality"
	"github.com/tfm-course/course/tfm/traj"
)

// Encoder is a trajectory encoder as a task sees it: the architecture, the
// variables (pre-trained or randomly initialised), and the featuriser that
// turns trajectories into the batches it reads. It can be used frozen
// (Embed, for probes and similarity search), fine-tuned, or trained from
// scratch on a task (FineTune on a randomly initialised Encoder).
type Encoder struct {
	Name      string                                               // "scratch", or the checkpoint directory
	Config    encoder.Config                                       // architecture
	Store     *model.Store                                         // variables under Scope
	Scope     string                                               // scope of the encoder variables ("/encoder" by default)
	Featurize func(ts []*traj.Trajectory) (*modality.Batch, error) // batches of Len = Config.MaxLen
	Backend   compute.Backend
	BatchSize int // rows per forward pass (the last batch is padded)

	embedExec *model.Exec
}

// scopeAt enters the encoder's scope path from the root scope.
func (e *Encoder) scopeAt(root *model.Scope) *model.Scope {
	s := root
	for _, part := range strings.Split(strings.Trim(e.scope(), "/"), "/") {
		if part != "" {
			s = s.At("%s", part)
		}
	}
	return s
}

func (e *Encoder) scope() string {
	if e.Scope == "" {
		return encoder.ParamScope
	}
	return e.Scope
}

func (e *Encoder) backend() compute.Backend {
	if e.Backend == nil {
		e.Backend = DefaultBackend()
	}
	return e.Backend
}

func (e *Encoder) batchSize() int {
	if e.BatchSize <= 0 {
		return 64
	}
	return e.BatchSize
}

// pooled is the graph of the trajectory embeddings [B, D].
func (e *Encoder) pooled(root *model.Scope, nodes []*graph.Node) *graph.Node {
	in := encoder.InputsFromNodes(e.Config, nodes)
	return encoder.Encode(e.scopeAt(root), e.Config, in).Pooled
}

// inputs featurises ts padded to exactly rows rows.
func (e *Encoder) inputs(ts []*traj.Trajectory, rows int) ([]*tensors.Tensor, error) {
	b, err := e.Featurize(ts)
	if err != nil {
		return nil, err
	}
	if err := PadRows(b, rows); err != nil {
		return nil, err
	}
	return encoder.Tensors(e.Config, b)
}

// Embed implements Embedder with the frozen encoder.
func (e *Encoder) Embed(ts []*traj.Trajectory) (Matrix, error) {
	if len(ts) == 0 {
		return Matrix{}, fmt.Errorf("tasks: nothing to embed")
	}
	if e.embedExec == nil {
		exec, err := model.NewExec(e.backend(), e.Store, func(scope *model.Scope, nodes []*graph.Node) *graph.Node {
			return e.pooled(scope, nodes)
		})
		if err != nil {
			return Matrix{}, err
		}
		e.embedExec = exec
	}
	bs := e.batchSize()
	m := Matrix{Rows: len(ts), Cols: e.Config.Dim}
	for lo := 0; lo < len(ts); lo += bs {
		hi := min(lo+bs, len(ts))
		in, err := e.inputs(ts[lo:hi], bs)
		if err != nil {
			return Matrix{}, fmt.Errorf("embedding trajectories %d–%d: %w", lo, hi-1, err)
		}
		args := make([]any, len(in))
		for i, t := range in {
			args[i] = t
		}
		out, err := e.embedExec.Call1(args...)
		if err != nil {
			return Matrix{}, err
		}
		flat := tensors.MustCopyFlatData[float32](out)
		m.Data = append(m.Data, flat[:(hi-lo)*e.Config.Dim]...)
	}
	return m, m.Check()
}

// PadRows grows a sequence batch to rows rows with fully masked rows (the
// first real row's token/feature values are not copied: padding is zeros
// with Mask false). It fails if the batch already has more rows.
func PadRows(b *modality.Batch, rows int) error {
	if b.Size == rows {
		return nil
	}
	if b.Size > rows {
		return fmt.Errorf("tasks: batch of %d rows does not fit %d", b.Size, rows)
	}
	extra := (rows - b.Size) * b.Len
	if b.Pixels != nil {
		b.Pixels = append(b.Pixels, make([]float32, (rows-b.Size)*b.Channels*b.H*b.W)...)
		b.Size = rows
		return nil
	}
	// A fully masked row can make attention softmax over nothing; mark its
	// first step real (zeros) so every row is well defined.
	start := len(b.Mask)
	b.Mask = append(b.Mask, make([]bool, extra)...)
	for r := b.Size; r < rows; r++ {
		b.Mask[start+(r-b.Size)*b.Len] = true
	}
	if b.Tokens != nil {
		b.Tokens = append(b.Tokens, make([]int32, extra)...)
	}
	if b.Features != nil {
		b.Features = append(b.Features, make([]float32, extra*b.NumFeatures)...)
	}
	if b.TimeOfDay != nil {
		b.TimeOfDay = append(b.TimeOfDay, make([]float32, extra)...)
	}
	if b.DayOfWeek != nil {
		b.DayOfWeek = append(b.DayOfWeek, make([]int32, extra)...)
	}
	if b.DeltaT != nil {
		b.DeltaT = append(b.DeltaT, make([]float32, extra)...)
	}
	for r := b.Size; r < rows; r++ {
		b.IDs = append(b.IDs, "")
	}
	b.Size = rows
	return nil
}

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
}

// DefaultFineTuneConfig trains 300 steps of 32 trajectories at 1e-3.
func DefaultFineTuneConfig() FineTuneConfig {
	return FineTuneConfig{Hidden: []int{64}, Steps: 300, BatchSize: 32, LearningRate: 1e-3, Seed: 1, LogEvery: 50}
}

// taskCopy returns a copy of e with its own clone of the variables, fresh
// optimiser state (pre-training's moments and step count do not carry
// over) and, with freeze, the encoder variables marked not trainable.
func (e *Encoder) taskCopy(seed int64, freeze bool) (*Encoder, error) {
	store, err := e.Store.Clone()
	if err != nil {
		return nil, err
	}
	for _, sc := range []string{"/" + optimizer.Scope, "/" + optimizer.AdamDefaultScope} {
		_ = store.DeleteVariablesInScope(sc)
	}
	store.SetParam(model.ParamInitialSeed, seed)
	// The random state restarts from the seed: the head's initialisation
	// does not depend on what ran on the original store before.
	if err := store.SetRNGStateFromSeed(seed); err != nil {
		return nil, err
	}
	if freeze {
		prefix := e.scope()
		for v := range store.IterVariables() {
			if v.Scope() == prefix || strings.HasPrefix(v.Scope(), prefix+"/") {
				v.SetTrainable(false)
			}
		}
	}
	fe := *e
	fe.Store, fe.embedExec = store, nil
	return &fe, nil
}

// FineTuned is an encoder trained end to end with a task head.
type FineTuned struct {
	enc        *Encoder
	exec       *model.Exec
	outputs    int
	regression bool
	yMean      float64
	yStd       float64
	Losses     []float64 // training loss every step
}

// FineTune trains a copy of e's variables together with a head on the task:
// regression when classes is nil (targets y, standardised), else softmax
// classification over numClasses. For the scratch baseline, pass an Encoder
// from NewScratchEncoder: the same architecture, trained only on the task.
func FineTune(e *Encoder, ts []*traj.Trajectory, y []float64, classes []int, numClasses int, cfg FineTuneConfig) (*FineTuned, error) {
	n := len(ts)
	if n == 0 {
		return nil, fmt.Errorf("tasks: no training trajectories")
	}
	regression := classes == nil
	if regression && len(y) != n || !regression && len(classes) != n {
		return nil, fmt.Errorf("tasks: %d trajectories, %d targets, %d labels", n, len(y), len(classes))
	}
	fe, err := e.taskCopy(cfg.Seed, cfg.Freeze)
	if err != nil {
		return nil, err
	}
	store := fe.Store
	ft := &FineTuned{enc: fe, regression: regression, outputs: 1}
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
	modelFn := func(scope *model.Scope, nodes []*graph.Node) *graph.Node {
		z := fe.pooled(scope, nodes)
		return headGraph(scope.In("task_head"), z, hidden, outputs)
	}
	lossFn := loss.MeanSquaredError
	if !regression {
		lossFn = loss.SparseCategoricalCrossEntropyLogits
	}
	trainer := train.NewTrainer(fe.backend(), store, modelFn, lossFn,
		optimizer.Adam().LearningRate(cfg.LearningRate).Done(), nil, nil)
	bs := min(cfg.BatchSize, n)
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 0xfeed))
	perm, pos := rng.Perm(n), 0
	batch := make([]*traj.Trajectory, bs)
	for step := 0; step < cfg.Steps; step++ {
		fl, cl := make([]float32, bs), make([]int32, bs)
		for b := 0; b < bs; b++ {
			if pos == n {
				perm, pos = rng.Perm(n), 0
			}
			i := perm[pos]
			pos++
			batch[b] = ts[i]
			if regression {
				fl[b] = float32((y[i] - ft.yMean) / ft.yStd)
			} else {
				cl[b] = int32(classes[i])
			}
		}
		in, err := fe.inputs(batch, bs)
		if err != nil {
			return nil, fmt.Errorf("fine-tuning step %d: %w", step, err)
		}
		label := tensors.FromFlatDataAndDimensions(fl, bs, 1)
		if !regression {
			label = tensors.FromFlatDataAndDimensions(cl, bs, 1)
		}
		metrics, err := trainer.TrainStep(train.Batch{Inputs: in, Labels: []*tensors.Tensor{label}})
		if err != nil {
			return nil, fmt.Errorf("fine-tuning step %d: %w", step, err)
		}
		l := float64(tensors.MustCopyFlatData[float32](metrics[0])[0])
		ft.Losses = append(ft.Losses, l)
		if cfg.Log != nil && cfg.LogEvery > 0 && step%cfg.LogEvery == 0 {
			cfg.Log(step, l)
		}
	}
	ft.exec, err = model.NewExec(fe.backend(), store, modelFn)
	if err != nil {
		return nil, err
	}
	return ft, nil
}

// raw runs encoder + head on ts: [len(ts), outputs].
func (f *FineTuned) raw(ts []*traj.Trajectory) ([]float32, error) {
	bs := f.enc.batchSize()
	var out []float32
	for lo := 0; lo < len(ts); lo += bs {
		hi := min(lo+bs, len(ts))
		in, err := f.enc.inputs(ts[lo:hi], bs)
		if err != nil {
			return nil, err
		}
		args := make([]any, len(in))
		for i, t := range in {
			args[i] = t
		}
		r, err := f.exec.Call1(args...)
		if err != nil {
			return nil, err
		}
		out = append(out, tensors.MustCopyFlatData[float32](r)[:(hi-lo)*f.outputs]...)
	}
	return out, nil
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
	pred := make([]int, len(ts))
	for i := range pred {
		for c := 1; c < f.outputs; c++ {
			if r[i*f.outputs+c] > r[i*f.outputs+pred[i]] {
				pred[i] = c
			}
		}
	}
	return pred, nil
}

// Encoder returns the fine-tuned encoder (frozen view), e.g. to embed.
func (f *FineTuned) Encoder() *Encoder { return f.enc }
