package pretrain

import (
	"fmt"
	"math/rand/v2"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/tfm-course/course/tfm/modality"
	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/traj"
)

// An Objective is one pre-training paradigm: how a step's named inputs are
// made from sampled trajectories, and the loss built from them in the graph.
// Every objective trains the encoders of its tfm.Model (under their scopes,
// tfm.EncoderScope first) plus heads of its own.
type Objective interface {
	Name() string
	// Terms names the scalars Loss returns beside the loss, logged per step.
	Terms() []string
	// Inputs builds the host inputs of one step, by name.
	Inputs(rng *rand.Rand, trajs []*traj.Trajectory) (tfm.Feed, error)
	// Loss builds the loss to minimise and the logged terms.
	Loss(scope *model.Scope, in tfm.Nodes) (loss *Node, terms []*Node)
}

// Paradigms is the registry of objectives by name (as GoMLX examples/imdb's
// ValidModels): each builds its objective over model m from the options.
var Paradigms = map[string]func(m *tfm.Model, opt Options) (Objective, error){
	"contrastive": func(m *tfm.Model, opt Options) (Objective, error) { return NewContrastive(m, opt.Contrastive) },
	"generative":  func(m *tfm.Model, opt Options) (Objective, error) { return NewGenerative(m, opt.Generative) },
	"hybrid": func(m *tfm.Model, opt Options) (Objective, error) {
		return NewHybrid(m, opt.Contrastive, opt.Generative, opt.Hybrid)
	},
	"causal": func(m *tfm.Model, opt Options) (Objective, error) { return NewCausal(m, opt.Causal) },
	"align":  func(m *tfm.Model, opt Options) (Objective, error) { return NewAlign(m, opt.Align) },
}

// ParadigmNames lists the registry's names in the order the course teaches them.
var ParadigmNames = []string{"contrastive", "generative", "hybrid", "causal", "align"}

// NewObjective builds the named paradigm over m.
func NewObjective(name string, m *tfm.Model, opt Options) (Objective, error) {
	build, ok := Paradigms[name]
	if !ok {
		return nil, fmt.Errorf("unknown paradigm %q (want one of %v)", name, ParadigmNames)
	}
	if err := prepareRoads(m, opt); err != nil {
		return nil, err
	}
	return build(m, opt)
}

// singleBranch is the one branch an objective that reconstructs steps needs.
func singleBranch(m *tfm.Model, paradigm string) (*tfm.Branch, error) {
	if len(m.Branches) != 1 {
		return nil, fmt.Errorf("%s pre-training reconstructs the steps of one modality; this model has %d (%v)", paradigm, len(m.Branches), m.Modalities())
	}
	return m.Primary(), nil
}

// usable keeps trajectories with at least minPoints points.
// Usable keeps the trajectories pre-training can use with m: at least 3
// points, and encodable by every branch (modality.Selective: road
// map-matches, text can be described).
func Usable(m *tfm.Model, trajs []*traj.Trajectory) []*traj.Trajectory {
	out := usable(trajs, 3)
	for _, b := range m.Branches {
		if s, ok := b.Modality.(modality.Selective); ok {
			out = s.Usable(out)
		}
	}
	return out
}

func usable(trajs []*traj.Trajectory, minPoints int) []*traj.Trajectory {
	var out []*traj.Trajectory
	for _, t := range trajs {
		if t != nil && len(t.Points) >= minPoints {
			out = append(out, t)
		}
	}
	return out
}
