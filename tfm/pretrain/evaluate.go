package pretrain

import (
	"math/rand/v2"

	"github.com/tfm-course/course/tfm/diagnose"
	"github.com/tfm-course/course/tfm/traj"
)

// Diagnostics are the failure-signature measurements of a pre-trained
// encoder on frozen embeddings (see package diagnose).
type Diagnostics struct {
	Trajectories int               `json:"trajectories"`
	Collapse     diagnose.Collapse `json:"collapse"`
	Alignment    float64           `json:"alignment"`  // two augmented views, lower = closer
	Uniformity   float64           `json:"uniformity"` // lower = more spread on the sphere
	// ModeProbe: linear probe of the travel mode (separates classes?).
	ModeProbe *diagnose.Probe `json:"mode_probe,omitempty"`
	// ContextProbe: linear probe of the start district type (contextual bias).
	ContextProbe *diagnose.Probe `json:"context_probe,omitempty"`
}

// Evaluate embeds up to limit trajectories and measures collapse,
// alignment/uniformity and the mode and district-type probes (probes are
// skipped when the labels are missing).
func Evaluate(m *Model, trajs []*traj.Trajectory, limit int, seed uint64) (*Diagnostics, error) {
	trajs = usable(trajs, 3)
	if limit > 0 && len(trajs) > limit {
		rng := rand.New(rand.NewPCG(seed, 3))
		trajs = sample(rng, trajs, limit)
	}
	emb, err := m.Embed(trajs)
	if err != nil {
		return nil, err
	}
	d := &Diagnostics{Trajectories: len(trajs)}
	if d.Collapse, err = diagnose.MeasureCollapse(emb); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 4))
	aug := DefaultAugmentations()
	va, vb := make([]*traj.Trajectory, len(trajs)), make([]*traj.Trajectory, len(trajs))
	for i, t := range trajs {
		va[i], vb[i] = aug(rng, t), aug(rng, t)
	}
	ea, err := m.Embed(va)
	if err != nil {
		return nil, err
	}
	eb, err := m.Embed(vb)
	if err != nil {
		return nil, err
	}
	if d.Alignment, d.Uniformity, err = diagnose.AlignmentUniformity(ea, eb); err != nil {
		return nil, err
	}
	probe := func(key string) *diagnose.Probe {
		labels := make([]string, len(trajs))
		for i, t := range trajs {
			labels[i] = LabelOf(t, key)
		}
		p, err := diagnose.LinearProbe(emb, labels, 0.7, seed)
		if err != nil {
			return nil
		}
		p.Label = key
		return &p
	}
	d.ModeProbe = probe("mode")
	d.ContextProbe = probe("district_type_from")
	return d, nil
}
