package pretrain

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/checkpoint"
	"github.com/gomlx/gomlx/ml/train"
	"github.com/gomlx/gomlx/ml/train/metric"
	"github.com/gomlx/gomlx/ml/train/optimizer"

	"github.com/tfm-course/course/tfm/encoder"
	"github.com/tfm-course/course/tfm/roadnet"
	"github.com/tfm-course/course/tfm/traj"
)

// Options configure a pre-training run. DefaultOptions gives the course's
// defaults; Set-style strings configure the encoder (Options.Encoder).
type Options struct {
	Paradigm string // contrastive | generative | hybrid | causal
	Modality string // gps | grid
	Encoder  encoder.Config

	Steps, BatchSize int
	LearningRate     float64
	WeightDecay      float64 // AdamW decoupled weight decay
	WarmupSteps      int
	ClipNorm         float64 // gradient clipping by global norm (0: off)
	Seed             int64

	// Contrastive.
	Temperature float64
	ProjDim     int
	Augment     string  // "default" or a comma list, see AugmentationByName
	Queue       int     // > 0: MoCo with a momentum encoder and this many queued negatives
	Momentum    float64 // MoCo's key-encoder momentum m
	// Generative.
	Masking   string // random | span | road
	MaskRatio float64
	// Hybrid.
	Lambda  float64 // weight of the generative loss with Balance "fixed"
	Balance string  // fixed | uncertainty | gradnorm | dwa
	// Causal.
	Label      string // label key to predict (default "mode")
	Confounder string // label key of the confounder (default "district_type_from")
	Plain      bool   // no backdoor adjustment: the confounded baseline
	// MapSource is the synthetic data spec whose city gives the road and
	// text modalities their map (road network, POIs, districts), rebuilt
	// from it when a checkpoint is loaded; Network, when set, is that
	// city's road graph already built.
	MapSource string
	Network   *roadnet.Graph
	// Filter, when set, keeps only the training trajectories it accepts
	// (e.g. the "train" split of a planted-bias data set).
	Filter func(*traj.Trajectory) bool

	// CheckpointDir holds checkpoints, the run's metadata and metrics.jsonl;
	// empty trains in memory only.
	CheckpointDir   string
	CheckpointEvery int // steps between checkpoints (also saved on exit)
	KeepCheckpoints int

	// Progress receives a one-line progress report (nil: silent).
	Progress io.Writer
	// OnStep, when set, sees every step's metrics (for live plots).
	OnStep func(m StepMetrics)
}

// DefaultOptions are sized to train a useful model in about two minutes on
// two CPU cores.
func DefaultOptions() Options {
	return Options{
		Paradigm: "contrastive", Modality: "gps", Encoder: encoder.DefaultConfig(),
		Steps: 300, BatchSize: 32, LearningRate: 1e-3, WeightDecay: 1e-4, WarmupSteps: 20, ClipNorm: 1, Seed: 1,
		Temperature: 0.1, ProjDim: 64, Augment: "default", Momentum: 0.99,
		Masking: "random", MaskRatio: 0.15,
		Lambda: 0.5, Balance: "fixed",
		Label: "mode", Confounder: "district_type_from",
		CheckpointEvery: 50, KeepCheckpoints: 2,
	}
}

// StepMetrics is one line of metrics.jsonl.
type StepMetrics struct {
	Step    int                `json:"step"`
	Loss    float64            `json:"loss"`
	Terms   map[string]float64 `json:"terms,omitempty"`
	Seconds float64            `json:"seconds"` // wall time of the step
}

// Result summarises a run (the CLI prints it as JSON).
type Result struct {
	Paradigm       string             `json:"paradigm"`
	Modality       string             `json:"modality"`
	Steps          int                `json:"steps"`      // global step reached
	StartStep      int                `json:"start_step"` // > 0 when resumed
	FirstLoss      float64            `json:"first_loss"` // loss of step 1 (from the metrics log on resume)
	LastLoss       float64            `json:"last_loss"`  // mean loss over the last ⌈steps/10⌉ (≤ 20) steps
	StepsPerSecond float64            `json:"steps_per_second"`
	Backend        string             `json:"backend"`
	Encoder        string             `json:"encoder"`
	Terms          map[string]float64 `json:"terms,omitempty"` // last step's logged terms
	Checkpoint     string             `json:"checkpoint,omitempty"`
	Interrupted    bool               `json:"interrupted,omitempty"`
	History        []StepMetrics      `json:"-"`
	Model          *Model             `json:"-"`
}

// ErrInterrupted is returned (with a checkpoint saved) when ctx is cancelled.
var ErrInterrupted = errors.New("training interrupted (checkpoint saved)")

// Files in a checkpoint directory besides GoMLX's checkpoint-*.{json,bin}.
const (
	MetaFile    = "tfm.json"
	MetricsFile = "metrics.jsonl"
	stagingDir  = ".staging"
)

// meta is what a checkpoint directory needs besides the variables.
type meta struct {
	Paradigm      string          `json:"paradigm"`
	Modality      string          `json:"modality"`
	Encoder       string          `json:"encoder"`
	ModalityState json.RawMessage `json:"modality_state"`
	Seed          int64           `json:"seed"`
	// Causal head.
	Label      string    `json:"label,omitempty"`
	Confounder string    `json:"confounder,omitempty"`
	Plain      bool      `json:"plain,omitempty"`
	Labels     []string  `json:"labels,omitempty"` // class names, by id
	Contexts   []string  `json:"contexts,omitempty"`
	Prior      []float64 `json:"prior,omitempty"`
}

// Train runs (or resumes, if opt.CheckpointDir holds a checkpoint) a
// pre-training run on ds up to global step opt.Steps. Cancelling ctx saves
// a checkpoint and returns ErrInterrupted with the partial Result.
func Train(ctx context.Context, be compute.Backend, ds *traj.Dataset, opt Options) (*Result, error) {
	if ds == nil || len(ds.Trajectories) == 0 {
		return nil, fmt.Errorf("pretrain: empty dataset")
	}
	trajs := usable(ds.Trajectories, 3)
	if opt.Filter != nil {
		var kept []*traj.Trajectory
		for _, t := range trajs {
			if opt.Filter(t) {
				kept = append(kept, t)
			}
		}
		trajs = kept
	}
	if len(trajs) < 2 {
		return nil, fmt.Errorf("pretrain: dataset %q has %d trajectories with ≥ 3 points, need at least 2", ds.Name, len(trajs))
	}
	if opt.Steps <= 0 || opt.BatchSize <= 1 {
		return nil, fmt.Errorf("pretrain: steps=%d and batch=%d must be positive (batch ≥ 2)", opt.Steps, opt.BatchSize)
	}
	opt.BatchSize = min(opt.BatchSize, len(trajs))

	// Model description: from the checkpoint directory, or fitted now.
	var md meta
	var m Modality
	resumed := false
	if opt.CheckpointDir != "" {
		if err := os.MkdirAll(opt.CheckpointDir, 0o755); err != nil {
			return nil, err
		}
		raw, err := os.ReadFile(filepath.Join(opt.CheckpointDir, MetaFile))
		switch {
		case err == nil:
			if err := json.Unmarshal(raw, &md); err != nil {
				return nil, fmt.Errorf("%s: %w", filepath.Join(opt.CheckpointDir, MetaFile), err)
			}
			if md.Paradigm != opt.Paradigm || md.Modality != opt.Modality {
				return nil, fmt.Errorf("checkpoint %s holds a %s/%s run, not %s/%s (use another --checkpoint)",
					opt.CheckpointDir, md.Paradigm, md.Modality, opt.Paradigm, opt.Modality)
			}
			if m, err = RestoreModality(md.Modality, md.ModalityState); err != nil {
				return nil, err
			}
			cfg := encoder.DefaultConfig()
			if err := cfg.Set(md.Encoder); err != nil {
				return nil, fmt.Errorf("%s: %w", MetaFile, err)
			}
			opt.Encoder, opt.Seed = cfg, md.Seed
			resumed = true
		case !os.IsNotExist(err):
			return nil, err
		}
	}
	if m == nil {
		var err error
		switch {
		case opt.Modality == "road" && opt.MapSource != "":
			g := opt.Network
			if g == nil {
				if g, err = RoadNetwork(opt.MapSource); err != nil {
					return nil, err
				}
			}
			m, err = NewRoad(g, opt.MapSource)
		case opt.Modality == "text" && opt.MapSource != "":
			m, err = NewText(opt.MapSource, trajs)
		default:
			m, err = NewModality(opt.Modality, trajs)
		}
		if err != nil {
			return nil, err
		}
		m.Configure(&opt.Encoder)
		state, err := m.State()
		if err != nil {
			return nil, err
		}
		md = meta{Paradigm: opt.Paradigm, Modality: opt.Modality, Encoder: opt.Encoder.String(), ModalityState: state, Seed: opt.Seed}
	}
	if err := opt.Encoder.Validate(); err != nil {
		return nil, err
	}
	if u, ok := m.(interface {
		Usable([]*traj.Trajectory) []*traj.Trajectory
	}); ok { // road: map-matches; text: can be described
		if trajs = u.Usable(trajs); len(trajs) < 2 {
			return nil, fmt.Errorf("pretrain: only %d trajectories usable by the %s modality", len(trajs), m.Name())
		}
		opt.BatchSize = min(opt.BatchSize, len(trajs))
	}
	obj, err := NewObjective(opt.Paradigm, m, opt.Encoder, opt)
	if err != nil {
		return nil, err
	}
	if c, ok := obj.(*Causal); ok {
		if err := c.Fit(trajs, md.Labels, md.Contexts); err != nil {
			return nil, err
		}
		md.Labels, md.Contexts, md.Prior = c.Classes, c.Contexts, c.Prior
		md.Label, md.Confounder, md.Plain = c.Label, c.Confounder, !c.Adjust
		trajs = c.Usable(trajs)
	}

	store := model.NewStore()
	store.SetParam(model.ParamInitialSeed, opt.Seed)
	opt.Encoder.Save(store)
	r := &run{opt: opt, obj: obj, store: store, trajs: trajs, res: &Result{
		Paradigm: opt.Paradigm, Modality: opt.Modality, Backend: be.Name(), Encoder: opt.Encoder.String()}}
	if opt.CheckpointDir != "" {
		if !resumed {
			if err := writeAtomic(filepath.Join(opt.CheckpointDir, MetaFile), mustJSON(md)); err != nil {
				return nil, err
			}
		}
		if err := r.openCheckpoints(); err != nil {
			return nil, err
		}
	}
	r.res.Model = &Model{Backend: be, Store: store, Encoder: opt.Encoder, Modality: m, Paradigm: opt.Paradigm, meta: md}
	return r.train(ctx, be)
}

type run struct {
	opt     Options
	obj     Objective
	store   *model.Store
	trajs   []*traj.Trajectory
	res     *Result
	staging *checkpoint.Handler
	log     *os.File
	start   int
	last    time.Time
	began   time.Time
	printed time.Time
}

func (r *run) openCheckpoints() error {
	dir := r.opt.CheckpointDir
	if has, _ := hasCheckpoint(dir); has {
		if _, err := checkpoint.Build(r.store).Dir(dir).Immediate().Done(); err != nil {
			return fmt.Errorf("loading checkpoint %s: %w", dir, err)
		}
	}
	staging := filepath.Join(dir, stagingDir)
	if err := os.RemoveAll(staging); err != nil {
		return err
	}
	if err := os.MkdirAll(staging, 0o755); err != nil {
		return err
	}
	h, err := checkpoint.Build(r.store).Dir(staging).Keep(-1).Done()
	if err != nil {
		return err
	}
	r.staging = h
	return nil
}

// save writes a checkpoint atomically: GoMLX writes it into a staging
// folder, then the data file and (last) the metadata file are renamed into
// place, so a reader never sees a half-written checkpoint; a crash leaves at
// worst an orphan .bin that the next save overwrites or pruning removes.
func (r *run) save() error {
	if r.staging == nil {
		return nil
	}
	if err := r.staging.Save(); err != nil {
		return err
	}
	dir := r.opt.CheckpointDir
	step := optimizer.GetGlobalStep(r.store)
	names, err := r.staging.ListCheckpoints()
	if err != nil {
		return err
	}
	for _, n := range names {
		base := fmt.Sprintf("checkpoint-n%07d-step-%08d", step, step)
		for _, suffix := range []string{checkpoint.BinDataSuffix, checkpoint.JsonNameSuffix} {
			if err := os.Rename(filepath.Join(dir, stagingDir, n+suffix), filepath.Join(dir, base+suffix)); err != nil {
				return err
			}
		}
	}
	r.res.Checkpoint = dir
	return pruneCheckpoints(dir, max(1, r.opt.KeepCheckpoints))
}

func hasCheckpoint(dir string) (bool, error) {
	list, err := listCheckpoints(dir)
	return len(list) > 0, err
}

func listCheckpoints(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, "checkpoint-") && strings.HasSuffix(n, checkpoint.JsonNameSuffix) {
			out = append(out, strings.TrimSuffix(n, checkpoint.JsonNameSuffix))
		}
	}
	sort.Strings(out)
	return out, nil
}

func pruneCheckpoints(dir string, keep int) error {
	list, err := listCheckpoints(dir)
	if err != nil || len(list) <= keep {
		return err
	}
	for _, base := range list[:len(list)-keep] {
		for _, s := range []string{checkpoint.JsonNameSuffix, checkpoint.BinDataSuffix} {
			if err := os.Remove(filepath.Join(dir, base+s)); err != nil && !os.IsNotExist(err) {
				return err
			}
		}
	}
	return nil
}

func (r *run) train(ctx context.Context, be compute.Backend) (*Result, error) {
	obj := r.obj
	terms := obj.Terms()
	modelFn := func(scope *model.Scope, _ any, inputs []*Node) []*Node {
		loss, t := obj.Loss(scope, inputs)
		train.AddMainLoss(loss)
		return t
	}
	var metrics []metric.Interface
	for i, name := range terms {
		metrics = append(metrics, metric.NewBaseMetric(name, name, "term",
			func(_ *model.Scope, _, predictions []*Node) *Node { return predictions[i] }, nil))
	}
	opt := newScheduledAdam(r.opt.LearningRate, r.opt.WeightDecay, r.opt.WarmupSteps, r.opt.ClipNorm)
	trainer := train.NewTrainer(be, r.store, modelFn, nil, opt, metrics, nil)
	loop := train.NewLoop(trainer)
	r.start = int(optimizer.GetGlobalStep(r.store))
	r.res.StartStep = r.start
	if err := r.openLog(); err != nil {
		return nil, err
	}
	defer func() {
		if r.log != nil {
			_ = r.log.Close()
		}
	}()
	r.began, r.last = time.Now(), time.Now()
	loop.OnStep("tfm-metrics", 0, func(loop *train.Loop, ms []*tensors.Tensor) error {
		step := loop.LoopStep + 1
		sm := StepMetrics{Step: step, Loss: scalar(ms[0]), Terms: map[string]float64{}, Seconds: time.Since(r.last).Seconds()}
		r.last = time.Now()
		for i, name := range terms {
			sm.Terms[name] = scalar(ms[2+i])
		}
		if math.IsNaN(sm.Loss) || math.IsInf(sm.Loss, 0) {
			return fmt.Errorf("loss is %v at step %d (lower the learning rate?)", sm.Loss, step)
		}
		if err := r.record(sm); err != nil {
			return err
		}
		if r.opt.CheckpointEvery > 0 && step%r.opt.CheckpointEvery == 0 && step < r.opt.Steps {
			if err := r.save(); err != nil {
				return err
			}
		}
		if ctx.Err() != nil {
			return ErrInterrupted
		}
		return nil
	})
	_, err := loop.RunToGlobalStep(&stepData{r: r}, r.opt.Steps)
	interrupted := errors.Is(err, ErrInterrupted)
	if err != nil && !interrupted {
		return nil, err
	}
	if serr := r.save(); serr != nil {
		return nil, serr
	}
	r.finish(loop)
	if interrupted {
		r.res.Interrupted = true
		return r.res, ErrInterrupted
	}
	return r.res, nil
}

func scalar(t *tensors.Tensor) float64 {
	switch v := t.Value().(type) {
	case float32:
		return float64(v)
	case float64:
		return v
	}
	return math.NaN()
}

// openLog opens metrics.jsonl for appending, first dropping lines past the
// checkpoint's step (a crashed run logged steps the checkpoint does not
// have; they are re-run, so each step appears exactly once).
func (r *run) openLog() error {
	if r.opt.CheckpointDir == "" {
		return nil
	}
	path := filepath.Join(r.opt.CheckpointDir, MetricsFile)
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	var kept bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(old))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var sm StepMetrics
		if json.Unmarshal(sc.Bytes(), &sm) != nil || sm.Step > r.start {
			continue // a torn last line, or a step to redo
		}
		kept.Write(sc.Bytes())
		kept.WriteByte('\n')
		r.res.History = append(r.res.History, sm)
	}
	if err := writeAtomic(path, kept.Bytes()); err != nil {
		return err
	}
	r.log, err = os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o644)
	return err
}

func (r *run) record(sm StepMetrics) error {
	r.res.History = append(r.res.History, sm)
	if r.log != nil {
		line, _ := json.Marshal(sm)
		if _, err := r.log.Write(append(line, '\n')); err != nil {
			return err
		}
	}
	if r.opt.OnStep != nil {
		r.opt.OnStep(sm)
	}
	if w := r.opt.Progress; w != nil && (time.Since(r.printed) > time.Second || sm.Step == r.opt.Steps) {
		r.printed = time.Now()
		done := sm.Step - r.start
		rate := float64(done) / time.Since(r.began).Seconds()
		var parts []string
		for _, n := range r.obj.Terms() {
			parts = append(parts, fmt.Sprintf("%s=%.4g", n, sm.Terms[n]))
		}
		eta := time.Duration(float64(r.opt.Steps-sm.Step)/math.Max(rate, 1e-9)) * time.Second
		fmt.Fprintf(w, "\r%s %d/%d loss=%.4f %s  %.2f steps/s  eta %s   ", r.opt.Paradigm, sm.Step, r.opt.Steps,
			sm.Loss, strings.Join(parts, " "), rate, eta.Round(time.Second))
		if sm.Step == r.opt.Steps {
			fmt.Fprintln(w)
		}
	}
	return nil
}

func (r *run) finish(loop *train.Loop) {
	h := r.res.History
	r.res.Steps = int(optimizer.GetGlobalStep(r.store))
	if len(h) == 0 {
		return
	}
	r.res.FirstLoss = h[0].Loss
	k := min(20, max(1, (len(h)+9)/10))
	sum := 0.0
	for _, sm := range h[len(h)-k:] {
		sum += sm.Loss
	}
	r.res.LastLoss = sum / float64(k)
	r.res.Terms = h[len(h)-1].Terms
	if done := r.res.Steps - r.start; done > 0 {
		// Median step time excludes the first step's compilation.
		var secs []float64
		for _, sm := range h {
			if sm.Step > r.start+1 {
				secs = append(secs, sm.Seconds)
			}
		}
		if len(secs) > 0 {
			sort.Float64s(secs)
			r.res.StepsPerSecond = 1 / secs[len(secs)/2]
		}
	}
}

// stepData is the training stream: the batch of global step s is drawn with
// a PCG generator seeded by (seed, s), so a resumed run sees exactly the
// batches the uninterrupted run would have.
type stepData struct{ r *run }

func (d *stepData) Name() string { return "pretrain" }

func (d *stepData) Iter() iter.Seq2[train.Batch, error] {
	return func(yield func(train.Batch, error) bool) {
		r := d.r
		for step := int(optimizer.GetGlobalStep(r.store)); ; step++ {
			rng := rand.New(rand.NewPCG(uint64(r.opt.Seed), uint64(step)))
			sel := sample(rng, r.trajs, r.opt.BatchSize)
			ins, err := r.obj.Inputs(rng, sel)
			if !yield(train.Batch{Inputs: ins}, err) {
				return
			}
		}
	}
}

// sample draws k distinct trajectories (partial Fisher–Yates on indices).
func sample(rng *rand.Rand, trajs []*traj.Trajectory, k int) []*traj.Trajectory {
	idx := make([]int, len(trajs))
	for i := range idx {
		idx[i] = i
	}
	out := make([]*traj.Trajectory, k)
	for i := 0; i < k; i++ {
		j := i + rng.IntN(len(idx)-i)
		idx[i], idx[j] = idx[j], idx[i]
		out[i] = trajs[idx[i]]
	}
	return out
}

func writeAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func mustJSON(v any) []byte {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(err)
	}
	return b
}
