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
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train"
	"github.com/gomlx/gomlx/ml/train/metric"
	"github.com/gomlx/gomlx/ml/train/optimizer"

	"github.com/tfm-course/course/tfm/encoder"
	"github.com/tfm-course/course/tfm/energy"
	"github.com/tfm-course/course/tfm/modality"
	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/traj"
)

// Options configure a pre-training run. DefaultOptions gives the course's
// defaults; each paradigm's own settings are its config, kept beside its
// objective (ContrastiveConfig in contrastive.go, …).
type Options struct {
	Paradigm string // a key of Paradigms: contrastive | generative | hybrid | causal
	// Modality names the modality (modality.Names: gps, grid, road, text,
	// image), or several comma-separated for a multi-modal model.
	Modality string
	Encoder  encoder.Config // the architecture, sized to each modality

	Steps, BatchSize int
	LearningRate     float64
	WeightDecay      float64 // AdamW decoupled weight decay
	WarmupSteps      int
	ClipNorm         float64 // gradient clipping by global norm (0: off)
	Seed             int64

	// Devices is how many devices a data-parallel run spreads each batch
	// over (devices.go); 0 or 1: one device.
	Devices int

	Contrastive ContrastiveConfig
	Generative  GenerativeConfig
	Hybrid      HybridConfig
	Causal      CausalConfig
	Align       AlignConfig

	// Fusion is how a multi-modal model fuses its branches (tfm.Fusions:
	// concat, mean, gated, cross; "": concat), for a model fitted now.
	Fusion string

	// Map is the data set's map (datasets.Data.Map, a *roadnet.Map): the
	// road and text modalities are fitted on it.
	Map any
	// Model, when set, is trained further instead of a new one being fitted
	// (continued pre-training); its modalities must be Modality's.
	Model *tfm.Model
	// Filter, when set, keeps only the training trajectories it accepts
	// (e.g. the "train" split of a planted-bias data set).
	Filter func(*traj.Trajectory) bool
	// GroupBalance, when set, is a group key (district_type, income, mode,
	// user or a label key): each batch slot draws a group uniformly, then a
	// trajectory of it (groups.go); every training trajectory must have
	// the group. Empty: trajectories drawn uniformly.
	GroupBalance string
	// Stream, when set, is where each step's batch is read from (a corpus
	// larger than memory, stream.go): ds is then only the sample the model
	// is fitted on (FitTrips). Refuses GroupBalance and EarlyStop.
	Stream Source
	// Data names the training data in the run's settings record (the CLI
	// passes its --data spec; empty: the data set's name).
	Data string

	// Penalty, when set, is added to the objective's loss (a regulariser
	// over the store's variables, e.g. continual learning's EWC or L2-SP
	// pull towards old weights) and logged as the term "penalty". Built in
	// the training graph, after the model's variables are loaded. Objectives
	// that rewrite the encoder's update (SharedUpdater: the pcgrad balancer)
	// see it only through the loss they are given.
	Penalty func(scope *model.Scope, g *Graph) *Node
	// InputPenalty, when set, is a penalty that reads the step's inputs
	// (e.g. feature distillation on the replayed rows): in are the
	// objective's inputs, batch the trajectories per view (BatchSize) and
	// replaySlots how many of them, the last of each view's block of rows,
	// came from Replay's buffer. Added to the loss and to the term
	// "penalty" with Penalty.
	InputPenalty func(scope *model.Scope, in tfm.Nodes, batch, replaySlots int) *Node
	// Replay, when set, mixes old trajectories into every batch
	// (experience replay): round(Ratio·BatchSize) slots are drawn from
	// Buffer, the rest from the training data, per global step as the rest
	// of the batch (a resumed run sees the same batches).
	Replay *Replay
	// Loaded, when set, is called once the model's variables are in the
	// store (fitted, given, or restored from CheckpointDir), before
	// training: e.g. to freeze variables, since trainability is not saved
	// in checkpoints.
	Loaded func(m *tfm.Model) error
	// MoreSettings are further settings to record (keyed by their CLI flag
	// names, e.g. strategy), compared on resume as the others are.
	MoreSettings map[string]string

	// Change lists settings (Settings keys: "lr", "batch", …) a resumed run
	// may change on purpose; any other difference from the checkpoint's
	// record is an error. Each change is reported in Result.Changes and the
	// metrics log.
	Change []string
	// Extend lets a resumed run train past its schedule's end: Steps
	// becomes the end of a new learning-rate phase starting at the
	// checkpoint's step (warm-up, then cosine decay).
	Extend bool

	// CheckpointDir holds checkpoints, the model's metadata and
	// metrics.jsonl; empty trains in memory only.
	CheckpointDir   string
	CheckpointEvery int // steps between checkpoints (also saved on exit)
	KeepCheckpoints int

	// EarlyStop stops training when a held-out validation loss stops
	// improving (off unless EarlyStop.Every > 0).
	EarlyStop EarlyStop

	// Energy states the assumptions of the run's energy and carbon
	// accounting (zero fields: energy's defaults).
	Energy energy.Options

	// Progress receives a one-line progress report (nil: silent).
	Progress io.Writer
	// OnStep, when set, sees every step's metrics (for live plots).
	OnStep func(m StepMetrics)
}

// Replay is experience replay (Options.Replay): Buffer holds old
// trajectories, Ratio in [0, 1) is the share of each batch drawn from it.
type Replay struct {
	Buffer []*traj.Trajectory
	Ratio  float64
}

// Slots is the number of a batch's B slots drawn from the buffer:
// round(Ratio·B), at most B−1 (a batch keeps one new trajectory).
func (rp *Replay) Slots(batch int) int {
	if rp == nil || len(rp.Buffer) == 0 {
		return 0
	}
	return min(int(math.Round(rp.Ratio*float64(batch))), batch-1, len(rp.Buffer))
}

// DefaultOptions are sized to train a useful model in about two minutes on
// two CPU cores.
func DefaultOptions() Options {
	return Options{
		Paradigm: "contrastive", Modality: "gps", Encoder: encoder.DefaultConfig(),
		Steps: 300, BatchSize: 32, LearningRate: 1e-3, WeightDecay: 1e-4, WarmupSteps: 20, ClipNorm: 1, Seed: 1,
		Contrastive: DefaultContrastiveConfig(), Generative: DefaultGenerativeConfig(),
		Hybrid: DefaultHybridConfig(), Causal: DefaultCausalConfig(), Align: DefaultAlignConfig(),
		CheckpointEvery: 50, KeepCheckpoints: 2,
	}
}

// StepMetrics is one line of metrics.jsonl.
type StepMetrics struct {
	Step    int                `json:"step"`
	Loss    float64            `json:"loss"`
	Terms   map[string]float64 `json:"terms,omitempty"`
	Seconds float64            `json:"seconds"` // wall time of the step
	LR      float64            `json:"lr"`      // learning rate of the step
	// Phase is set on the first step of a schedule phase; Changes on the
	// first step after a resume that changed settings.
	Phase   *tfm.Phase `json:"phase,omitempty"`
	Changes []Change   `json:"changes,omitempty"`
	// Cumulative cost up to this step (Result's energy.Reading; a resumed
	// run continues from the log's last kept line, so the redone steps of
	// a crash are not counted twice, nor is the energy lost with them).
	FLOPs        float64 `json:"flops"`
	CPUSeconds   float64 `json:"cpu_seconds"`
	EnergyJoules float64 `json:"energy_joules"`
	// ValLoss is the validation loss, on early stopping's evaluation steps.
	ValLoss *float64 `json:"val_loss,omitempty"`
}

// Result summarises a run (the CLI prints it as JSON).
type Result struct {
	Paradigm       string             `json:"paradigm"`
	Modality       string             `json:"modality"`
	Steps          int                `json:"steps"`           // global step reached
	StartStep      int                `json:"start_step"`      // > 0 when resumed
	FirstLoss      float64            `json:"first_loss"`      // loss of step 1 (from the metrics log on resume)
	LastLoss       float64            `json:"last_loss"`       // mean loss over the last LastLossSteps steps
	LastLossSteps  int                `json:"last_loss_steps"` // ⌈steps/10⌉, at most 20
	LastStepLoss   float64            `json:"last_step_loss"`  // loss of the last step (the last progress line's)
	StepsPerSecond float64            `json:"steps_per_second"`
	Backend        string             `json:"backend"`
	Encoder        string             `json:"encoder"`
	Terms          map[string]float64 `json:"terms,omitempty"` // last step's logged terms
	Checkpoint     string             `json:"checkpoint,omitempty"`
	Interrupted    bool               `json:"interrupted,omitempty"`
	// Schedule is the learning-rate phase this run's steps followed;
	// Extended is true when it is a new phase of a resumed run.
	Schedule tfm.Phase `json:"schedule"`
	Extended bool      `json:"extended,omitempty"`
	Changes  []Change  `json:"changes,omitempty"` // settings changed on purpose at resume
	// DroppedLogLines counts torn lines dropped from the end of the
	// metrics log on resume (a crash mid-write).
	DroppedLogLines int `json:"dropped_log_lines,omitempty"`
	// Reading is this run's cost (a resumed run: since it resumed; the
	// metrics log has the cumulative cost of all its runs): the FLOPs
	// counted (StepFLOPs per step), the process's CPU seconds from Train's
	// start, the energy (measured or estimated, as energy_source says) and
	// its CO2e. StepFLOPs is one step's count.
	energy.Reading
	StepFLOPs float64 `json:"step_flops"`
	// With early stopping: the best validation loss, its step, and whether
	// the run stopped before Steps (Steps is then the step it stopped at).
	ValLoss      float64       `json:"val_loss,omitempty"`
	BestStep     int           `json:"best_step,omitempty"`
	EarlyStopped bool          `json:"early_stopped,omitempty"`
	History      []StepMetrics `json:"-"`
	Model        *tfm.Model    `json:"-"`
}

// MetricsFile is the per-step log in a checkpoint directory, one
// StepMetrics JSON object a line.
const MetricsFile = "metrics.jsonl"

// errEarlyStop ends the loop when the validation loss stopped improving.
var errEarlyStop = errors.New("early stop")

// ErrInterrupted is returned when ctx is cancelled; the partial Result's
// Checkpoint names the directory saved, empty when there was none.
var ErrInterrupted = errors.New("training interrupted")

// Train runs (or resumes, if opt.CheckpointDir holds a checkpoint) a
// pre-training run on ds up to global step opt.Steps: a model is fitted on
// the data (or opt.Model trained further), the paradigm's objective built
// over it, and GoMLX's train.Loop runs the steps. Cancelling ctx saves a
// checkpoint and returns ErrInterrupted with the partial Result.
func Train(ctx context.Context, be compute.Backend, ds *traj.Dataset, opt Options) (*Result, error) {
	if ds == nil || len(ds.Trajectories) == 0 {
		return nil, fmt.Errorf("pretrain: empty dataset")
	}
	if err := opt.Validate(); err != nil {
		return nil, err
	}
	if err := checkStream(opt); err != nil {
		return nil, err
	}
	meter := energy.Start(opt.Energy)
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
	names := ModalityNames(opt.Modality)

	data := opt.Data
	if data == "" {
		data = ds.Name
	}
	settings := opt.Settings(data, len(trajs))
	// The model: from the checkpoint directory, given, or fitted now.
	m, resumed, err := openModel(be, trajs, names, &opt)
	if err != nil {
		return nil, err
	}
	var changes []Change
	if resumed && m.Meta.Run != nil {
		// Refuse mixed settings before anything is written.
		if changes, err = compareSettings(opt.CheckpointDir, m.Meta.Run.Settings, settings, opt.Change, 0); err != nil {
			return nil, err
		}
	}
	for _, b := range m.Branches {
		if s, ok := b.Modality.(modality.Selective); ok { // road: map-matches; text: can be described
			if trajs = s.Usable(trajs); len(trajs) < 2 {
				return nil, fmt.Errorf("pretrain: only %d trajectories usable by the %s modality", len(trajs), b.Modality.Name())
			}
		}
	}
	if rp := opt.Replay; rp != nil {
		opt.Replay = &Replay{Buffer: Usable(m, rp.Buffer), Ratio: rp.Ratio}
	}
	opt.BatchSize = min(opt.BatchSize, len(trajs))
	obj, err := NewObjective(opt.Paradigm, m, opt)
	if err != nil {
		return nil, err
	}
	if c, ok := obj.(*Causal); ok {
		var prev CausalHead
		if len(m.Meta.Head) > 0 {
			if err := json.Unmarshal(m.Meta.Head, &prev); err != nil {
				return nil, fmt.Errorf("causal head: %w", err)
			}
		}
		if err := c.Fit(trajs, prev.Classes, prev.Contexts); err != nil {
			return nil, err
		}
		if m.Meta.Head, err = c.Head(); err != nil {
			return nil, err
		}
		trajs = c.Usable(trajs)
	}
	var valFeeds []tfm.Feed
	if opt.EarlyStop.On() {
		if trajs, valFeeds, err = holdOut(obj, trajs, opt); err != nil {
			return nil, err
		}
	}
	m.Meta.Paradigm, m.Name = opt.Paradigm, opt.Paradigm
	var groups [][]*traj.Trajectory
	if opt.GroupBalance != "" {
		if groups, err = groupMembers(trajs, opt.GroupBalance); err != nil {
			return nil, err
		}
	}

	r := &run{opt: opt, obj: obj, store: m.Store, trajs: trajs, groups: groups, meter: meter, res: &Result{
		Paradigm: opt.Paradigm, Modality: opt.Modality, Backend: be.Name(), Encoder: m.Primary().Encoder.String(), Model: m,
		StepFLOPs: StepFLOPs(opt, m)}}
	if valFeeds != nil {
		r.val = newValidation(m, obj, valFeeds)
	}
	var record []tfm.Phase
	if m.Meta.Run != nil {
		record = m.Meta.Run.Schedule
	}
	if opt.CheckpointDir != "" {
		// Loads the checkpoint's variables (nothing is written but the
		// staging folder), so the schedule can be checked at its step.
		if r.ckpt, err = tfm.OpenCheckpoints(m, opt.CheckpointDir, opt.KeepCheckpoints); err != nil {
			return nil, err
		}
		m.Name = opt.CheckpointDir
	}
	if opt.Loaded != nil {
		if err := opt.Loaded(m); err != nil {
			return nil, err
		}
	}
	step := int(optimizer.GetGlobalStep(m.Store))
	for i := range changes {
		changes[i].Step = step
	}
	phase, fresh, err := planSchedule(opt.CheckpointDir, record, step, opt, changes)
	if err != nil {
		return nil, err
	}
	if fresh {
		record = append(record, phase)
	}
	r.phase, r.freshPhase, r.changes = phase, step == phase.Start && step < opt.Steps, changes
	r.res.Schedule, r.res.Extended, r.res.Changes = phase, resumed && fresh && step > 0, changes
	m.Meta.Run = &tfm.Run{Settings: settings, Schedule: record}
	if w := opt.Progress; w != nil {
		if r.res.Extended {
			fmt.Fprintf(w, "steps %d–%d follow a new schedule phase (%d of the run): warm-up %d steps to lr %g, cosine decay to %g at step %d\n",
				phase.Start, phase.End, len(record), phase.Warmup, phase.LR, phase.MinLR, phase.End)
		}
		for _, c := range changes {
			fmt.Fprintf(w, "changing %s from %s to %s at step %d (asked for)\n", c.Setting, c.From, c.To, c.Step)
		}
	}
	if opt.CheckpointDir != "" {
		if err := m.WriteMeta(opt.CheckpointDir); err != nil {
			return nil, err
		}
	}
	defer m.Recompile() // trained in place: Embed must see the new weights
	return r.train(ctx, be)
}

// openModel finds the model to train: the one a checkpoint directory
// describes (a resumed run), opt.Model, or one fitted on trajs. A directory
// with GoMLX checkpoints but no MetaFile is refused.
func openModel(be compute.Backend, trajs []*traj.Trajectory, names []string, opt *Options) (m *tfm.Model, resumed bool, err error) {
	if dir := opt.CheckpointDir; dir != "" {
		md, ok, err := tfm.ReadMeta(dir)
		if err != nil {
			return nil, false, err
		}
		if !ok {
			if has, err := tfm.HasCheckpoint(dir); err == nil && has {
				return nil, false, fmt.Errorf("checkpoint %s holds checkpoint files but no %s (what model they are the weights of): "+
					"not resumable; restore %s or use another checkpoint directory", dir, tfm.MetaFile, tfm.MetaFile)
			}
		}
		if ok {
			var have []string
			for _, mm := range md.Modalities {
				have = append(have, mm.Name)
			}
			if md.Paradigm != opt.Paradigm || strings.Join(have, ",") != strings.Join(names, ",") {
				return nil, false, fmt.Errorf("checkpoint %s holds a %s/%s run, not %s/%s (use another --checkpoint)",
					dir, md.Paradigm, strings.Join(have, ","), opt.Paradigm, opt.Modality)
			}
			m, err := tfm.FromMeta(be, md)
			if err != nil {
				return nil, false, err
			}
			if md.Run == nil { // an older checkpoint: its seed wins
				opt.Seed = md.Seed
			}
			return m, true, nil
		}
	}
	if opt.Model != nil {
		if got := strings.Join(opt.Model.Modalities(), ","); got != strings.Join(names, ",") {
			return nil, false, fmt.Errorf("pretrain: Options.Model reads %s, not %s", got, opt.Modality)
		}
		return opt.Model, false, nil
	}
	if m, err = tfm.Fit(be, opt.Encoder, opt.Seed, modality.Source{Trajectories: trajs, Map: opt.Map}, names...); err != nil {
		return nil, false, err
	}
	if opt.Fusion != "" {
		if len(m.Branches) == 1 {
			return nil, false, fmt.Errorf("pretrain: fusion=%s needs a multi-modal model (--modality gps+road…), this one reads %s", opt.Fusion, opt.Modality)
		}
		if err := m.SetFusion(opt.Fusion); err != nil {
			return nil, false, err
		}
	}
	return m, false, nil
}

type run struct {
	opt   Options
	obj   Objective
	store *model.Store
	trajs []*traj.Trajectory
	// groups, with Options.GroupBalance, are trajs by group.
	groups [][]*traj.Trajectory
	res    *Result
	meter  *energy.Meter
	val    *validation // nil without early stopping
	// logged is the cost of the runs before this one (the log's last kept line).
	logged StepMetrics
	ckpt   *tfm.Checkpoints
	names  []string // the step inputs' names, in the order the graph takes them
	log    *os.File
	phase  tfm.Phase
	// freshPhase and changes are logged on the run's first step.
	freshPhase bool
	changes    []Change
	start      int
	last       time.Time
	began      time.Time
	printed    time.Time
	// With Options.Stream: usable trips read so far, and a read error.
	streamPos int
	streamErr error
}

func (r *run) train(ctx context.Context, be compute.Backend) (*Result, error) {
	obj := r.obj
	terms := r.terms()
	modelFn := func(scope *model.Scope, _ any, inputs []*Node) []*Node {
		in := tfm.NodesOf(r.names, inputs)
		loss, t := obj.Loss(scope, in)
		if r.opt.Penalty != nil || r.opt.InputPenalty != nil {
			p := ScalarZero(loss.Graph(), loss.DType())
			if r.opt.Penalty != nil {
				p = Add(p, ConvertDType(r.opt.Penalty(scope, loss.Graph()), loss.DType()))
			}
			if r.opt.InputPenalty != nil {
				b := r.opt.BatchSize
				p = Add(p, ConvertDType(r.opt.InputPenalty(scope, in, b, r.opt.Replay.Slots(b)), loss.DType()))
			}
			loss, t = Add(loss, p), append(t, p)
		}
		train.AddMainLoss(loss)
		return t
	}
	var metrics []metric.Interface
	for i, name := range terms {
		metrics = append(metrics, metric.NewBaseMetric(name, name, "term",
			func(_ *model.Scope, _, predictions []*Node) *Node { return predictions[i] }, nil))
	}
	opt := newScheduledAdam(r.phase, r.opt.WeightDecay, r.opt.ClipNorm)
	if u, ok := obj.(SharedUpdater); ok {
		opt.given = u.SharedUpdate
	}
	if err := checkDevices(be, r.opt.Devices, r.opt.BatchSize); err != nil {
		return nil, err
	}
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
		sm := StepMetrics{Step: step, Loss: scalar(ms[0]), Terms: map[string]float64{}, Seconds: time.Since(r.last).Seconds(),
			LR: r.phase.Rate(step - 1)}
		if step == r.start+1 {
			if r.freshPhase {
				p := r.phase
				sm.Phase = &p
			}
			sm.Changes = r.changes
		}
		r.last = time.Now()
		r.meter.AddFLOPs(r.res.StepFLOPs)
		cost := r.meter.Read()
		sm.FLOPs, sm.CPUSeconds, sm.EnergyJoules = r.logged.FLOPs+cost.FLOPs, r.logged.CPUSeconds+cost.CPUSeconds, r.logged.EnergyJoules+cost.EnergyJoules
		for i, name := range terms {
			sm.Terms[name] = scalar(ms[2+i])
		}
		if math.IsNaN(sm.Loss) || math.IsInf(sm.Loss, 0) {
			return fmt.Errorf("loss is %v at step %d (lower the learning rate?)", sm.Loss, step)
		}
		if v := r.val; v != nil && step%r.opt.EarlyStop.Every == 0 {
			l, err := v.loss()
			if err != nil {
				return fmt.Errorf("validation loss at step %d: %w", step, err)
			}
			sm.ValLoss = &l
			if l < v.best {
				v.best, v.bestStep, v.since = l, step, 0
			} else {
				v.since++
			}
		}
		if err := r.record(sm); err != nil {
			return err
		}
		if r.ckpt != nil && r.opt.CheckpointEvery > 0 && step%r.opt.CheckpointEvery == 0 && step < r.opt.Steps {
			if err := r.ckpt.Save(); err != nil {
				return err
			}
		}
		if ctx.Err() != nil {
			return ErrInterrupted
		}
		if r.val != nil && r.val.since >= r.opt.EarlyStop.Patience && step < r.opt.Steps {
			return errEarlyStop
		}
		return nil
	})
	var data train.Dataset = &stepData{r: r}
	if r.opt.Devices > 1 {
		dd, err := newDevicesData(&stepData{r: r}, r.opt.Devices, r.opt.BatchSize)
		if err != nil {
			return nil, err
		}
		data = dd
	}
	_, err := loop.RunToGlobalStep(data, r.opt.Steps)
	interrupted := errors.Is(err, ErrInterrupted)
	stopped := errors.Is(err, errEarlyStop)
	if err != nil && !interrupted && !stopped {
		return nil, err
	}
	if v := r.val; v != nil && v.bestStep > 0 {
		r.res.ValLoss, r.res.BestStep, r.res.EarlyStopped = v.best, v.bestStep, stopped
		if w := r.opt.Progress; w != nil && stopped {
			fmt.Fprintf(w, "\nearly stop at step %d: the validation loss has not improved for %d evaluations since step %d (%.4f)\n",
				int(optimizer.GetGlobalStep(r.store)), v.since, v.bestStep, v.best)
		}
	}
	if r.ckpt != nil {
		if serr := r.ckpt.Save(); serr != nil {
			return nil, serr
		}
		r.res.Checkpoint = r.opt.CheckpointDir
	}
	r.res.Reading = r.meter.Read()
	r.finish(loop)
	if interrupted {
		r.res.Interrupted = true
		return r.res, ErrInterrupted
	}
	return r.res, nil
}

// terms names the logged terms: the objective's, then "penalty" with
// Options.Penalty or InputPenalty.
func (r *run) terms() []string {
	terms := r.obj.Terms()
	if r.opt.Penalty != nil || r.opt.InputPenalty != nil {
		terms = append(slices.Clip(terms), "penalty")
	}
	return terms
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
// have; they are re-run, so each step appears exactly once). A torn last
// line (a crash mid-write: no newline, not JSON) is dropped with a warning
// on Progress; any other line that is not the next step's record is an
// error naming file and line.
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
	line, prev := 0, 0
	for sc.Scan() {
		line++
		var sm StepMetrics
		if err := json.Unmarshal(sc.Bytes(), &sm); err != nil {
			if !bytes.HasSuffix(old, []byte("\n")) && bytes.HasSuffix(old, sc.Bytes()) {
				r.res.DroppedLogLines++
				if r.opt.Progress != nil {
					fmt.Fprintf(r.opt.Progress, "%s:%d: dropped a torn last line (a run stopped mid-write): %.60q\n", path, line, sc.Bytes())
				}
				break
			}
			return fmt.Errorf("%s:%d: not a metrics record (%v): %.80q; the log is kept as it is (fix or remove the line to resume)", path, line, err, sc.Bytes())
		}
		if sm.Step != prev+1 {
			return fmt.Errorf("%s:%d: step %d after step %d (the log should hold each step once, in order)", path, line, sm.Step, prev)
		}
		prev = sm.Step
		if sm.Step > r.start {
			continue // a step to redo
		}
		kept.Write(sc.Bytes())
		kept.WriteByte('\n')
		r.res.History = append(r.res.History, sm)
		r.logged = sm
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if prev < r.start && line > 0 {
		return fmt.Errorf("%s: the log ends at step %d, the checkpoint is at step %d (lines lost)", path, prev, r.start)
	}
	if err := tfm.WriteAtomic(path, kept.Bytes()); err != nil {
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
		for _, n := range r.terms() {
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
	r.res.LastLoss, r.res.LastLossSteps, r.res.LastStepLoss = sum/float64(k), k, h[len(h)-1].Loss
	if w := r.opt.Progress; w != nil {
		fmt.Fprintf(w, "loss: step %d %.4f; mean of the last %d steps %.4f (the summary's last_loss)\n",
			h[len(h)-1].Step, r.res.LastStepLoss, k, r.res.LastLoss)
	}
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
			rng, sel := r.stepBatch(step)
			if r.streamErr != nil {
				yield(train.Batch{}, r.streamErr)
				return
			}
			f, err := r.obj.Inputs(rng, sel)
			var ins []*tensors.Tensor
			if err == nil {
				if r.names == nil {
					r.names = f.Names() // the graph's inputs, in this order
				}
				ins, err = f.Ordered(r.names)
			}
			if !yield(train.Batch{Inputs: ins}, err) {
				return
			}
		}
	}
}

// stepBatch draws the trajectories of global step step (uniformly, or
// group-balanced) and returns them with the generator the step's inputs
// go on drawing from.
func (r *run) stepBatch(step int) (*rand.Rand, []*traj.Trajectory) {
	rng := rand.New(rand.NewPCG(uint64(r.opt.Seed), uint64(step)))
	k := r.opt.Replay.Slots(r.opt.BatchSize) // slots of old trips
	var sel []*traj.Trajectory
	if r.opt.Stream != nil {
		sel = r.streamBatch(step, r.opt.BatchSize-k)
	} else if r.groups != nil {
		sel = sampleBalanced(rng, r.groups, r.opt.BatchSize-k)
	} else {
		sel = sample(rng, r.trajs, r.opt.BatchSize-k)
	}
	if k > 0 {
		sel = append(sel, sample(rng, r.opt.Replay.Buffer, k)...)
	}
	return rng, sel
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
