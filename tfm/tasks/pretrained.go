package tasks

import (
	"github.com/gomlx/gomlx/ml/model"
	"github.com/tfm-course/course/tfm/encoder"
	"github.com/tfm-course/course/tfm/modality"
	"github.com/tfm-course/course/tfm/pretrain"
	"github.com/tfm-course/course/tfm/traj"
)

// FromPretrained wraps a pre-trained model (pretrain.LoadCheckpoint or a
// pretrain.Train result) as a task Encoder: the encoder variables under
// pretrain.EncoderScope, featurised by the checkpoint's own modality.
func FromPretrained(m *pretrain.Model, name string) *Encoder {
	return &Encoder{
		Name: name, Config: m.Encoder, Store: m.Store, Scope: "/" + pretrain.EncoderScope,
		Featurize: func(ts []*traj.Trajectory) (*modality.Batch, error) { return m.Modality.Batch(ts, m.Encoder.MaxLen) },
		Backend:   m.Backend, BatchSize: 64,
	}
}

// LoadEncoder loads a pretrain checkpoint directory as a task Encoder.
func LoadEncoder(dir string) (*Encoder, error) {
	m, err := pretrain.LoadCheckpoint(dir)
	if err != nil {
		return nil, err
	}
	return FromPretrained(m, dir), nil
}

// ScratchLike is the scratch baseline of a pre-trained encoder: the same
// architecture and the same featurisation, with freshly initialised
// (seeded) variables.
func ScratchLike(e *Encoder, seed int64) *Encoder {
	store := model.NewStore()
	store.SetParam(model.ParamInitialSeed, seed)
	e.Config.Save(store)
	return &Encoder{Name: "scratch", Config: e.Config, Store: store, Scope: e.Scope,
		Featurize: e.Featurize, Backend: e.Backend, BatchSize: e.BatchSize}
}

// NewScratchEncoder is the scratch baseline when there is no checkpoint:
// architecture cfg with freshly initialised (seeded) variables, for the GPS
// modality fitted on train exactly as pre-training fits it.
func NewScratchEncoder(cfg encoder.Config, train []*traj.Trajectory, seed int64) (*Encoder, error) {
	m, err := pretrain.NewModality("gps", train)
	if err != nil {
		return nil, err
	}
	m.Configure(&cfg)
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	store := model.NewStore()
	store.SetParam(model.ParamInitialSeed, seed)
	cfg.Save(store)
	return &Encoder{Name: "scratch", Config: cfg, Store: store, Scope: "/" + pretrain.EncoderScope,
		Featurize: func(ts []*traj.Trajectory) (*modality.Batch, error) { return m.Batch(ts, cfg.MaxLen) },
		Backend:   DefaultBackend(), BatchSize: 64}, nil
}
