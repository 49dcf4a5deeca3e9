package diagnose

import (
	"math/rand/v2"

	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/pretrain"
	"github.com/tfm-course/course/tfm/traj"
)

// Diagnostics are the failure-signature measurements of a pre-trained
// encoder on frozen embeddings.
type Diagnostics struct {
	Trajectories int      `json:"trajectories"`
	Collapse     Collapse `json:"collapse"`
	Alignment    float64  `json:"alignment"`  // two augmented views, lower = closer
	Uniformity   float64  `json:"uniformity"` // lower = more spread on the sphere
	// ModeProbe: linear probe of the travel mode (separates classes?).
	ModeProbe *Probe `json:"mode_probe,omitempty"`
	// ContextProbe: linear probe of the start district type (contextual bias).
	ContextProbe *Probe `json:"context_probe,omitempty"`
}

// Evaluate embeds up to limit trajectories (a seeded sample) with m and
// measures collapse, alignment/uniformity of two augmented views
// (pretrain.DefaultAugmentations) and the mode and district-type probes
// (skipped when the labels are missing).
func Evaluate(m *tfm.Model, trajs []*traj.Trajectory, limit int, seed uint64) (*Diagnostics, error) {
	var kept []*traj.Trajectory
	for _, t := range trajs {
		if t != nil && len(t.Points) >= 3 {
			kept = append(kept, t)
		}
	}
	trajs = kept
	if limit > 0 && len(trajs) > limit {
		rng := rand.New(rand.NewPCG(seed, 3))
		idx := rng.Perm(len(trajs))[:limit]
		sample := make([]*traj.Trajectory, limit)
		for i, j := range idx {
			sample[i] = trajs[j]
		}
		trajs = sample
	}
	emb, err := m.Embed(trajs)
	if err != nil {
		return nil, err
	}
	d := &Diagnostics{Trajectories: len(trajs)}
	if d.Collapse, err = MeasureCollapse(emb.RowsSlice()); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 4))
	aug := pretrain.DefaultAugmentations()
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
	if d.Alignment, d.Uniformity, err = AlignmentUniformity(ea.RowsSlice(), eb.RowsSlice()); err != nil {
		return nil, err
	}
	probe := func(key string) *Probe {
		labels := make([]string, len(trajs))
		for i, t := range trajs {
			labels[i] = t.Label(key)
		}
		p, err := LinearProbe(emb.RowsSlice(), labels, 0.7, seed)
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
