package tasks

import (
	"fmt"
	"math"
	"sync"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train"
	"github.com/gomlx/gomlx/ml/train/loss"
	"github.com/gomlx/gomlx/ml/train/optimizer"

	"github.com/tfm-course/course/tfm/backend"
)

// ProbeConfig configures a head trained on frozen embeddings.
type ProbeConfig struct {
	Hidden       []int   // hidden layer widths; empty = linear probe
	Steps        int     // optimiser steps
	BatchSize    int     // examples per step
	LearningRate float64 // Adam learning rate
	WeightDecay  float64 // AdamW-style decay (0 = none)
	Seed         int64   // initialisation and shuffling seed
	Backend      compute.Backend
}

// DefaultProbeConfig is an MLP probe with one hidden layer of 64 units.
func DefaultProbeConfig() ProbeConfig {
	return ProbeConfig{Hidden: []int{64}, Steps: 600, BatchSize: 64, LearningRate: 3e-3, Seed: 1}
}

// LinearProbeConfig is a linear probe (no hidden layer).
func LinearProbeConfig() ProbeConfig {
	c := DefaultProbeConfig()
	c.Hidden = nil
	return c
}

// DefaultBackend is the backend tfm/backend chooses ($GOMLX_BACKEND when
// set, else the best installed one: SimpleGo, pure Go, unless the binary has
// the xla tag and a PJRT plugin), started once per process and shared by
// the probes, fine-tuning and experiments that are not given one. A
// $GOMLX_BACKEND that cannot start panics with the reason: the CLI and the
// chapters start a backend of the same choice first, so they report it as
// an error before reaching here.
func DefaultBackend() compute.Backend {
	be, err := sharedBackend()
	if err != nil {
		panic(fmt.Sprintf("tasks: %v", err))
	}
	return be
}

var sharedBackend = sync.OnceValues(backend.New)

// Probe is a trained head: inputs are standardised with the training
// mean/std, regression targets too (and de-standardised on output).
type Probe struct {
	cfg         ProbeConfig
	store       *model.Store
	exec        *model.Exec
	mean, std   []float32
	yMean, yStd float64
	outputs     int
	regression  bool
}

// headGraph is the probe network: [B, D] → [B, outputs].
func headGraph(scope *model.Scope, x *graph.Node, hidden []int, outputs int) *graph.Node {
	for i, h := range hidden {
		x = layers.Dense(scope.In("hidden_%d", i), x, true, h)
		x = activation.Relu(x)
	}
	return layers.Dense(scope.In("output"), x, true, outputs)
}

func standardise(x Matrix) (mean, std []float32) {
	mean, std = make([]float32, x.Cols), make([]float32, x.Cols)
	for c := 0; c < x.Cols; c++ {
		var s, ss float64
		for r := 0; r < x.Rows; r++ {
			v := float64(x.Data[r*x.Cols+c])
			s += v
			ss += v * v
		}
		m := s / float64(x.Rows)
		sd := math.Sqrt(math.Max(ss/float64(x.Rows)-m*m, 0))
		if sd < 1e-6 {
			sd = 1
		}
		mean[c], std[c] = float32(m), float32(sd)
	}
	return mean, std
}

func (p *Probe) normalise(x Matrix) []float32 {
	out := make([]float32, len(x.Data))
	for i, v := range x.Data {
		c := i % x.Cols
		out[i] = (v - p.mean[c]) / p.std[c]
	}
	return out
}

// TrainRegressionProbe fits a head predicting y from the embeddings x with
// mean squared error on standardised targets.
func TrainRegressionProbe(x Matrix, y []float64, cfg ProbeConfig) (*Probe, error) {
	if x.Rows != len(y) {
		return nil, fmt.Errorf("tasks: %d embeddings for %d targets", x.Rows, len(y))
	}
	p := &Probe{cfg: cfg, outputs: 1, regression: true}
	var s, ss float64
	for i, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("tasks: target %d is %v", i, v)
		}
		s += v
		ss += v * v
	}
	p.yMean = s / float64(len(y))
	p.yStd = math.Sqrt(math.Max(ss/float64(len(y))-p.yMean*p.yMean, 1e-12))
	labels := make([]float32, len(y))
	for i, v := range y {
		labels[i] = float32((v - p.yMean) / p.yStd)
	}
	if err := p.fit(x, labels, nil, loss.MeanSquaredError); err != nil {
		return nil, err
	}
	return p, nil
}

// TrainClassifierProbe fits a softmax head over numClasses classes.
func TrainClassifierProbe(x Matrix, classes []int, numClasses int, cfg ProbeConfig) (*Probe, error) {
	if x.Rows != len(classes) {
		return nil, fmt.Errorf("tasks: %d embeddings for %d labels", x.Rows, len(classes))
	}
	labels := make([]int32, len(classes))
	for i, c := range classes {
		if c < 0 || c >= numClasses {
			return nil, fmt.Errorf("tasks: label %d of example %d outside [0, %d)", c, i, numClasses)
		}
		labels[i] = int32(c)
	}
	p := &Probe{cfg: cfg, outputs: numClasses}
	if err := p.fit(x, nil, labels, loss.SparseCategoricalCrossEntropyLogits); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *Probe) fit(x Matrix, yFloat []float32, yClass []int32, lossFn loss.LossFn) error {
	if err := x.Check(); err != nil {
		return fmt.Errorf("probe inputs: %w", err)
	}
	if x.Rows == 0 {
		return fmt.Errorf("tasks: no training examples")
	}
	cfg := p.cfg
	if cfg.Backend == nil {
		cfg.Backend = DefaultBackend()
		p.cfg.Backend = cfg.Backend
	}
	p.mean, p.std = standardise(x)
	xs := p.normalise(x)
	p.store = model.NewStore()
	p.store.SetParam(model.ParamInitialSeed, cfg.Seed)
	hidden, outputs := cfg.Hidden, p.outputs
	modelFn := func(scope *model.Scope, in *graph.Node) *graph.Node { return headGraph(scope, in, hidden, outputs) }
	opt := optimizer.Adam().LearningRate(cfg.LearningRate)
	if cfg.WeightDecay > 0 {
		opt = opt.WeightDecay(cfg.WeightDecay)
	}
	trainer := train.NewTrainer(cfg.Backend, p.store, modelFn, lossFn, opt.Done(), nil, nil)

	bs := min(cfg.BatchSize, x.Rows)
	order := newShuffler(x.Rows, uint64(cfg.Seed), 0x9e3779b9)
	next := func(int) (train.Batch, error) {
		bx := make([]float32, bs*x.Cols)
		fl, cl := make([]float32, bs), make([]int32, bs)
		for b := range bs {
			i := order.next()
			copy(bx[b*x.Cols:(b+1)*x.Cols], xs[i*x.Cols:(i+1)*x.Cols])
			if yFloat != nil {
				fl[b] = yFloat[i]
			} else {
				cl[b] = yClass[i]
			}
		}
		label := tensors.FromFlatDataAndDimensions(cl, bs, 1)
		if yFloat != nil {
			label = tensors.FromFlatDataAndDimensions(fl, bs, 1)
		}
		input := tensors.FromFlatDataAndDimensions(bx, bs, x.Cols)
		return train.Batch{Inputs: []*tensors.Tensor{input}, Labels: []*tensors.Tensor{label}}, nil
	}
	if _, err := fitLoop(trainer, cfg.Steps, next, nil, 0); err != nil {
		return fmt.Errorf("probe training: %w", err)
	}
	exec, err := model.NewExec(cfg.Backend, p.store, modelFn)
	if err != nil {
		return err
	}
	p.exec = exec
	return nil
}

// raw runs the head on x: [x.Rows, outputs].
func (p *Probe) raw(x Matrix) ([]float32, error) {
	if x.Cols != len(p.mean) {
		return nil, fmt.Errorf("tasks: probe trained on %d dimensions, got %d", len(p.mean), x.Cols)
	}
	out, err := p.exec.Call1(tensors.FromFlatDataAndDimensions(p.normalise(x), x.Rows, x.Cols))
	if err != nil {
		return nil, err
	}
	return tensors.MustCopyFlatData[float32](out), nil
}

// PredictRegression returns the de-standardised predictions.
func (p *Probe) PredictRegression(x Matrix) ([]float64, error) {
	if !p.regression {
		return nil, fmt.Errorf("tasks: probe is a classifier")
	}
	r, err := p.raw(x)
	if err != nil {
		return nil, err
	}
	y := make([]float64, len(r))
	for i, v := range r {
		y[i] = float64(v)*p.yStd + p.yMean
	}
	return y, nil
}

// PredictClasses returns the arg-max class of each row.
func (p *Probe) PredictClasses(x Matrix) ([]int, error) {
	if p.regression {
		return nil, fmt.Errorf("tasks: probe is a regressor")
	}
	r, err := p.raw(x)
	if err != nil {
		return nil, err
	}
	return argmaxRows(r, p.outputs), nil
}
