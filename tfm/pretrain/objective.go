package pretrain

import (
	"fmt"
	"math/rand/v2"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/tfm-course/course/tfm/encoder"
	"github.com/tfm-course/course/tfm/traj"
)

// An Objective is one pre-training paradigm: how a step's inputs are made
// from sampled trajectories, and the loss built from them in the graph.
type Objective interface {
	Name() string
	// Terms names the scalars Loss returns beside the loss, logged per step.
	Terms() []string
	// Inputs builds the host tensors of one step.
	Inputs(rng *rand.Rand, trajs []*traj.Trajectory) ([]*tensors.Tensor, error)
	// Loss builds the loss to minimise and the logged terms.
	Loss(scope *model.Scope, inputs []*Node) (loss *Node, terms []*Node)
}

// EncoderScope is the scope holding the encoder's variables; every paradigm
// uses it so a downstream task can load the encoder of any checkpoint.
const EncoderScope = "encoder"

// encode runs the shared encoder (re-entrant: At, not In).
func encode(scope *model.Scope, cfg encoder.Config, nodes []*Node) encoder.Output {
	return encoder.Encode(scope.At(EncoderScope), cfg, encoder.InputsFromNodes(cfg, nodes))
}

// Paradigms lists the names NewObjective accepts.
var Paradigms = []string{"contrastive", "generative", "hybrid", "causal"}

// NewObjective builds the named paradigm over modality m and encoder cfg.
func NewObjective(name string, m Modality, cfg encoder.Config, opt Options) (Objective, error) {
	switch name {
	case "contrastive":
		return NewContrastive(m, cfg, opt)
	case "generative":
		return NewGenerative(m, cfg, opt)
	case "hybrid":
		return NewHybrid(m, cfg, opt)
	case "causal":
		return NewCausal(m, cfg, opt)
	}
	return nil, fmt.Errorf("unknown paradigm %q (want one of %v)", name, Paradigms)
}

// usable keeps trajectories with at least minPoints points.
func usable(trajs []*traj.Trajectory, minPoints int) []*traj.Trajectory {
	var out []*traj.Trajectory
	for _, t := range trajs {
		if t != nil && len(t.Points) >= minPoints {
			out = append(out, t)
		}
	}
	return out
}

func anyTensors(ts []*tensors.Tensor) []any {
	a := make([]any, len(ts))
	for i, t := range ts {
		a[i] = t
	}
	return a
}
