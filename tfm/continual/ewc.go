package continual

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/pretrain"
	"github.com/tfm-course/course/tfm/traj"
)

// Scopes of the strategies' non-trainable variables in the model's store:
// the anchor θ* and the Fisher F of a variable at path P live at
// AnchorScope+P and FisherScope+P, so a continued checkpoint carries them.
const (
	Scope       = "/continual"
	AnchorScope = Scope + "/anchor"
	FisherScope = Scope + "/fisher"
)

// L2SPPenalty is L2-SP (Li et al. 2018), the pull of every anchored weight
// towards its starting point θ*:
//
//	Ω(θ) = (λ/2) · Σ_i (θ_i − θ*_i)²
func L2SPPenalty(lambda float64) func(scope *model.Scope, g *Graph) *Node {
	return func(scope *model.Scope, g *Graph) *Node {
		sum := ScalarZero(g, dtypes.Float32)
		for _, p := range anchored(scope.Store(), false) {
			d := Sub(p.theta.NodeValue(g), StopGradient(p.anchor.NodeValue(g)))
			sum = Add(sum, ReduceAllSum(Square(d)))
		}
		return MulScalar(sum, lambda/2)
	}
}

// EWCPenalty is elastic weight consolidation (Kirkpatrick et al. 2017):
// each weight is pulled towards θ* in proportion to how much the old
// data's loss depends on it, its diagonal Fisher information F_i:
//
//	Ω(θ) = (λ/2) · Σ_i F_i · (θ_i − θ*_i)²
func EWCPenalty(lambda float64) func(scope *model.Scope, g *Graph) *Node {
	return func(scope *model.Scope, g *Graph) *Node {
		sum := ScalarZero(g, dtypes.Float32)
		for _, p := range anchored(scope.Store(), true) {
			d := Sub(p.theta.NodeValue(g), StopGradient(p.anchor.NodeValue(g)))
			sum = Add(sum, ReduceAllSum(Mul(StopGradient(p.fisher.NodeValue(g)), Square(d))))
		}
		return MulScalar(sum, lambda/2)
	}
}

// anchoredVar is a weight with its anchor (and Fisher).
type anchoredVar struct{ theta, anchor, fisher *model.Variable }

// anchored lists the store's anchored weights in path order; withFisher
// also pairs each with its Fisher. A missing twin is a programming error
// (the anchors were stored for another model): it panics, naming it.
func anchored(store *model.Store, withFisher bool) []anchoredVar {
	var out []anchoredVar
	for v := range store.IterVariables() {
		if !strings.HasPrefix(v.Path(), AnchorScope+"/") {
			continue
		}
		path := strings.TrimPrefix(v.Path(), AnchorScope)
		p := anchoredVar{theta: store.GetVariable(path), anchor: v}
		if p.theta == nil {
			panic(fmt.Sprintf("continual: anchor %s has no variable %s", v.Path(), path))
		}
		if withFisher {
			if p.fisher = store.GetVariable(FisherScope + path); p.fisher == nil {
				panic(fmt.Sprintf("continual: anchor %s has no Fisher %s", v.Path(), FisherScope+path))
			}
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b anchoredVar) int { return strings.Compare(a.anchor.Path(), b.anchor.Path()) })
	return out
}

// encoderVars are the float32 variables under m's branch scopes (the
// encoders: embeddings, layers, norms), in path order.
func encoderVars(m *tfm.Model) []*model.Variable {
	var out []*model.Variable
	for v := range m.Store.IterVariables() {
		if m.InEncoder(v.Scope()) && v.DType() == dtypes.Float32 {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(a, b *model.Variable) int { return strings.Compare(a.Path(), b.Path()) })
	return out
}

// HasAnchors reports whether m's store holds anchors (a continued run's
// checkpoint made by ewc or l2sp).
func HasAnchors(m *tfm.Model) bool { return countAnchors(m.Store) > 0 }

// StoreAnchors copies every encoder weight θ into AnchorScope as θ*
// (not trainable).
func StoreAnchors(m *tfm.Model) error {
	for _, v := range encoderVars(m) {
		val, err := v.Value()
		if err != nil {
			return fmt.Errorf("continual: anchor of %s: %w", v.Path(), err)
		}
		c, err := val.LocalClone()
		if err != nil {
			return fmt.Errorf("continual: anchor of %s: %w", v.Path(), err)
		}
		a, err := m.Store.CreateVariable(AnchorScope+v.Path(), c)
		if err != nil {
			return fmt.Errorf("continual: anchor of %s: %w", v.Path(), err)
		}
		a.SetTrainable(false)
	}
	return nil
}

// Fisher estimates the diagonal Fisher information of the pre-training
// loss on the old trips, as the empirical Fisher over mini-batches,
//
//	F_i = E_batch[(∂L/∂θ_i)²]
//
// the mean over batches batches of opt.BatchSize old trips (drawn from
// seed), for every encoder weight; then divides it by its mean over all
// weights (mean F = 1), so λ reads the same whatever the loss's scale and
// EWC's λ is L2-SP's λ redistributed by importance. It stores F in
// FisherScope (not trainable). opt is the objective's options (paradigm
// and its settings, as the model was pre-trained).
func Fisher(m *tfm.Model, opt pretrain.Options, old []*traj.Trajectory, batches int, seed int64) error {
	if opt.Paradigm == "causal" {
		return fmt.Errorf("continual: ewc: the causal paradigm's head is fitted per run; use l2sp")
	}
	obj, err := pretrain.NewObjective(opt.Paradigm, m, opt)
	if err != nil {
		return fmt.Errorf("continual: ewc: %w", err)
	}
	kept := pretrain.Usable(m, old)
	bs := min(opt.BatchSize, len(kept))
	if bs < 2 {
		return fmt.Errorf("continual: ewc: %d usable old trajectories, need at least 2 for the Fisher", len(kept))
	}
	vars := encoderVars(m)
	exec := tfm.NewExec(m.Backend, m.Store, func(scope *model.Scope, in tfm.Nodes) *Node {
		var loss *Node
		if v, ok := obj.(pretrain.Validator); ok {
			loss = v.ValidationLoss(scope, in)
		} else {
			loss, _ = obj.Loss(scope, in)
		}
		g := loss.Graph()
		nodes := make([]*Node, len(vars))
		for i, v := range vars {
			nodes[i] = v.NodeValue(g)
		}
		grads := Gradient(loss, nodes...)
		flat := make([]*Node, len(grads))
		for i, gr := range grads {
			flat[i] = Reshape(Square(ConvertDType(gr, dtypes.Float32)), -1)
		}
		return Concatenate(flat, 0)
	})
	rng := rand.New(rand.NewPCG(uint64(seed), 0xf15e))
	var sum []float64
	for b := 0; b < batches; b++ {
		sel := make([]*traj.Trajectory, bs)
		for i, p := range rng.Perm(len(kept))[:bs] {
			sel[i] = kept[p]
		}
		f, err := obj.Inputs(rng, sel)
		if err != nil {
			return fmt.Errorf("continual: ewc: Fisher batch %d: %w", b, err)
		}
		t, err := exec.Call(f)
		if err != nil {
			return fmt.Errorf("continual: ewc: Fisher batch %d: %w", b, err)
		}
		sq := tensors.MustCopyFlatData[float32](t)
		if sum == nil {
			sum = make([]float64, len(sq))
		}
		for i, x := range sq {
			sum[i] += float64(x)
		}
	}
	mean := 0.0
	for _, x := range sum {
		mean += x
	}
	if mean /= float64(len(sum)); mean <= 0 {
		return fmt.Errorf("continual: ewc: the old data's gradients are all zero (Fisher 0)")
	}
	off := 0
	for _, v := range vars {
		n := v.Shape().Size()
		vals := make([]float32, n)
		for i := range vals {
			vals[i] = float32(sum[off+i] / mean)
		}
		off += n
		fv, err := m.Store.CreateVariable(FisherScope+v.Path(), tensors.FromFlatDataAndDimensions(vals, v.Shape().Dimensions...))
		if err != nil {
			return fmt.Errorf("continual: Fisher of %s: %w", v.Path(), err)
		}
		fv.SetTrainable(false)
	}
	return nil
}
