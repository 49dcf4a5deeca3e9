// Package continual continues the pre-training of a model on new data (a
// changed city) without forgetting the old: the strategies frozen (no
// update, the baseline), naive (train on), replay (mix old trips into each
// batch), distill (replay, and keep the replayed trips' embeddings where
// the old encoder put them), ewc and l2sp (a penalty towards the old
// weights), lora and adapter (train only a few new weights beside the
// frozen old ones). Prepare applies one to a loaded model; the result
// plugs into pretrain.Options (Penalty, InputPenalty, Replay, Loaded,
// MoreSettings).
package continual

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"

	"github.com/tfm-course/course/tfm/encoder"
	"github.com/tfm-course/course/tfm/modality"
	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/pretrain"
	"github.com/tfm-course/course/tfm/traj"
)

// Names are the strategies, the baseline first.
var Names = []string{"frozen", "naive", "replay", "distill", "ewc", "l2sp", "lora", "adapter"}

// Strategy is a continual pre-training strategy and its settings (each
// used by the strategy named in its comment; DefaultStrategy's values).
type Strategy struct {
	Name string // one of Names

	// replay (and distill): a buffer of ReplaySize old trips (500), drawn
	// from the old data by reservoir sampling with Seed; ReplayRatio (0.5)
	// of each batch comes from it.
	ReplaySize  int
	ReplayRatio float64
	// distill: replay's buffer and ratio, and μ (DistillWeight, 1) of the
	// pull of the replayed trips' embeddings to the old encoder's.
	DistillWeight float64
	// ewc: λ of the Fisher-weighted penalty (0.1; the Fisher is normalised
	// to mean 1), estimated over FisherBatches (20) batches of old trips.
	EWCLambda     float64
	FisherBatches int
	// l2sp: λ of the plain pull to the old weights (0.3).
	L2SPLambda float64
	// lora: rank r (2) and α (2) of the low-rank updates W + (α/r)·A·B.
	LoRARank  int
	LoRAAlpha float64
	// adapter: bottleneck width of the adapters (8).
	AdapterWidth int
	// Seed draws the replay buffer and the Fisher's batches.
	Seed int64
}

// DefaultStrategy is the named strategy with the course's defaults.
func DefaultStrategy(name string) Strategy {
	return Strategy{Name: name, ReplaySize: 500, ReplayRatio: 0.5, DistillWeight: 1, EWCLambda: 0.1, FisherBatches: 20,
		L2SPLambda: 0.3, LoRARank: 2, LoRAAlpha: 2, AdapterWidth: 8, Seed: 1}
}

// Validate checks the name and the settings the strategy uses, naming the
// field.
func (s Strategy) Validate() error {
	if !slices.Contains(Names, s.Name) {
		return fmt.Errorf("continual: unknown strategy %q (want one of %s)", s.Name, strings.Join(Names, ", "))
	}
	bad := func(field string, v any, want string) error {
		return fmt.Errorf("continual: Strategy.%s = %v: must be %s", field, v, want)
	}
	switch s.Name {
	case "replay", "distill":
		if s.Name == "distill" && (!(s.DistillWeight >= 0) || math.IsInf(s.DistillWeight, 0)) {
			return bad("DistillWeight", s.DistillWeight, "≥ 0")
		}
		if s.ReplaySize < 1 {
			return bad("ReplaySize", s.ReplaySize, "≥ 1")
		}
		if !(s.ReplayRatio > 0 && s.ReplayRatio < 1) {
			return bad("ReplayRatio", s.ReplayRatio, "in (0, 1)")
		}
	case "ewc":
		if !(s.EWCLambda >= 0) || math.IsInf(s.EWCLambda, 0) {
			return bad("EWCLambda", s.EWCLambda, "≥ 0")
		}
		if s.FisherBatches < 1 {
			return bad("FisherBatches", s.FisherBatches, "≥ 1")
		}
	case "l2sp":
		if !(s.L2SPLambda >= 0) || math.IsInf(s.L2SPLambda, 0) {
			return bad("L2SPLambda", s.L2SPLambda, "≥ 0")
		}
	case "lora":
		if s.LoRARank < 1 {
			return bad("LoRARank", s.LoRARank, "≥ 1")
		}
		if !(s.LoRAAlpha > 0) {
			return bad("LoRAAlpha", s.LoRAAlpha, "> 0")
		}
	case "adapter":
		if s.AdapterWidth < 1 {
			return bad("AdapterWidth", s.AdapterWidth, "≥ 1")
		}
	}
	return nil
}

// NeedsOldData tells whether the strategy reads the old trips (replay's
// and distill's buffer, ewc's Fisher).
func (s Strategy) NeedsOldData() bool {
	return s.Name == "replay" || s.Name == "distill" || s.Name == "ewc"
}

// Settings records the strategy and the settings it uses, keyed by the
// `tfm pretrain` flag names (pretrain.Options.MoreSettings).
func (s Strategy) Settings() map[string]string {
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	out := map[string]string{"strategy": s.Name}
	switch s.Name {
	case "replay", "distill":
		out["replay-size"], out["replay-ratio"] = strconv.Itoa(s.ReplaySize), f(s.ReplayRatio)
		if s.Name == "distill" {
			out["distill-weight"] = f(s.DistillWeight)
		}
	case "ewc":
		out["ewc-lambda"], out["fisher-batches"] = f(s.EWCLambda), strconv.Itoa(s.FisherBatches)
	case "l2sp":
		out["l2sp-lambda"] = f(s.L2SPLambda)
	case "lora":
		out["lora-rank"], out["lora-alpha"] = strconv.Itoa(s.LoRARank), f(s.LoRAAlpha)
	case "adapter":
		out["adapter-width"] = strconv.Itoa(s.AdapterWidth)
	}
	return out
}

// Plan is a strategy applied: what pretrain.Options needs to train it.
type Plan struct {
	Strategy Strategy
	// Model is the model to train: the old one's weights (vocabularies
	// grown to the new data), a fresh optimiser state and step 0, with
	// the strategy's variables; nil from Resume (the checkpoint holds it).
	Model *tfm.Model
	// Added counts the items each modality's vocabulary grew by.
	Added        map[string]int
	Penalty      func(scope *model.Scope, g *Graph) *Node
	InputPenalty func(scope *model.Scope, in tfm.Nodes, batch, replaySlots int) *Node
	Replay       *pretrain.Replay
	trained      *tfm.Model // the model being trained (Loaded), for distill
}

// Prepare applies strategy s to m, an old model loaded with its weights
// (m itself is not changed): a copy with a fresh optimiser state starts at
// step 0; its vocabularies grow to the new data (opt.Map its map); lora
// and adapter add their weights and freeze the rest; ewc, l2sp and
// distill store the anchors θ* (ewc also the Fisher, from old) in the
// copy's store; replay and distill draw their buffer from old. opt holds the old run's objective
// settings (paradigm, batch size, …) and the new data's Map.
func Prepare(m *tfm.Model, s Strategy, opt pretrain.Options, old, new []*traj.Trajectory) (*Plan, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	c, err := m.Clone(s.Seed)
	if err != nil {
		return nil, err
	}
	c.Meta.Run = nil // a run of its own: its settings and schedule, from step 0
	if err := optimizer.DeleteGlobalStep(c.Store); err != nil {
		return nil, err
	}
	branches := make([]*tfm.Branch, len(c.Branches)) // the copy's own: Grow and Adapt change them
	for i, b := range c.Branches {
		cp := *b
		branches[i] = &cp
	}
	c.Branches = branches
	p := &Plan{Strategy: s, Model: c}
	if p.Added, err = c.Grow(modality.Source{Trajectories: new, Map: opt.Map}); err != nil {
		return nil, err
	}
	if err := adapt(c, s); err != nil {
		return nil, err
	}
	switch s.Name {
	case "ewc", "l2sp", "distill":
		if err := StoreAnchors(c); err != nil {
			return nil, err
		}
		if s.Name == "ewc" {
			if err := Fisher(c, opt, old, s.FisherBatches, s.Seed); err != nil {
				return nil, err
			}
		}
	}
	if err := p.fill(old); err != nil {
		return nil, err
	}
	if err := p.Loaded(c); err != nil {
		return nil, err
	}
	return p, nil
}

// Resume is the plan of a continued run resumed from its own checkpoint:
// the anchors and Fisher come from the checkpoint's store, the replay
// buffer is drawn again from old (the same trips: the same seed).
func Resume(s Strategy, old []*traj.Trajectory) (*Plan, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	p := &Plan{Strategy: s}
	return p, p.fill(old)
}

// fill sets the penalty and the replay buffer.
func (p *Plan) fill(old []*traj.Trajectory) error {
	s := p.Strategy
	switch s.Name {
	case "ewc":
		p.Penalty = EWCPenalty(s.EWCLambda)
	case "l2sp":
		p.Penalty = L2SPPenalty(s.L2SPLambda)
	case "replay", "distill":
		if len(old) == 0 {
			return fmt.Errorf("continual: %s needs the old data's trajectories (none given)", s.Name)
		}
		if s.Name == "distill" {
			p.InputPenalty = DistillPenalty(func() *tfm.Model { return p.trained }, s.DistillWeight)
		}
		b := NewReplayBuffer(s.ReplaySize, s.Seed)
		b.Add(old...)
		p.Replay = &pretrain.Replay{Buffer: b.Trajectories(), Ratio: s.ReplayRatio}
	}
	return nil
}

// Loaded marks what the strategy trains (trainability is not saved in a
// checkpoint, so it runs again on a resumed model: pretrain.Options.Loaded):
// the strategy's anchors and Fisher never; frozen nothing; lora and adapter
// only their adaptation weights.
func (p *Plan) Loaded(m *tfm.Model) error {
	p.trained = m
	for v := range m.Store.IterVariables() {
		if strings.HasPrefix(v.Path(), Scope+"/") || p.Strategy.Name == "frozen" {
			v.SetTrainable(false)
		}
	}
	return freeze(m, p.Strategy)
}

// Apply sets the plan into opt: the model, penalty, replay, the Loaded
// hook and the strategy's settings record; the encoder config is the
// model's (with the strategy's keys) so the record names it.
func (p *Plan) Apply(opt *pretrain.Options) {
	if p.Model != nil {
		opt.Model = p.Model
		opt.Encoder = p.Model.Primary().Encoder
	}
	opt.Penalty, opt.InputPenalty, opt.Replay, opt.Loaded = p.Penalty, p.InputPenalty, p.Replay, p.Loaded
	if opt.MoreSettings == nil {
		opt.MoreSettings = map[string]string{}
	}
	for k, v := range p.Strategy.Settings() {
		opt.MoreSettings[k] = v
	}
}

// Params counts the variables marked trainable (Model.TrainableParams)
// and the model's parameters (every variable but the optimiser's state,
// the global step and the strategies' anchors and Fisher).
func Params(m *tfm.Model) (trainable, total int) {
	skip := []string{"/" + optimizer.Scope, "/" + optimizer.AdamDefaultScope, Scope}
	for v := range m.Store.IterVariables() {
		if v.Path() == "/"+optimizer.GlobalStepVariableName || slices.ContainsFunc(skip, func(s string) bool { return v.Scope() == s || strings.HasPrefix(v.Scope(), s+"/") }) {
			continue
		}
		total += v.Shape().Size()
	}
	return m.TrainableParams(), total
}

// adapt switches on lora (rank, α) or adapter (width) in every branch's
// encoder; their weights are created, trainable, by the training graph.
func adapt(m *tfm.Model, s Strategy) error {
	switch s.Name {
	case "lora":
		return m.Adapt(s.LoRARank, s.LoRAAlpha, 0)
	case "adapter":
		return m.Adapt(0, 0, s.AdapterWidth)
	}
	return nil
}

// freeze leaves only the adaptation weights trainable for lora and adapter.
func freeze(m *tfm.Model, s Strategy) error {
	if s.Name == "lora" || s.Name == "adapter" {
		m.FreezeAllBut(encoder.IsAdaptation)
	}
	return nil
}
