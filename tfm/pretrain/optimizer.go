package pretrain

import (
	"math"
	"sort"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"

	tfm "github.com/tfm-course/course/tfm/model"
)

// scheduledAdam is AdamW with a warmup + cosine learning-rate schedule (one
// tfm.Phase over global steps [s, e), Phase.Rate) and gradient clipping by
// global norm:
//
//	u = t−s;  lr(t) = lr_min + (lr−lr_min)·u/warmup  (u < warmup),
//	          then  lr_min + (lr−lr_min)·(1+cos(π·p))/2,  p = (u−warmup)/(e−s−warmup)
//	g ← g·min(1, c/‖g‖₂)  over all parameters together
//
// The rate is a function of the global step and the recorded phase only,
// so a resumed run continues its schedule exactly.
type scheduledAdam struct {
	adam     optimizer.Interface
	phase    tfm.Phase
	clipNorm float64
	// given, when set, returns gradients the objective built itself, by
	// variable path (a SharedUpdater's); the loss is differentiated only
	// for the other variables.
	given func(g *Graph) map[string]*Node
}

// A SharedUpdater is an objective that decides the update of some
// parameters itself (the hybrid: its balancer's Σ_k w_k·g_k, or PCGrad's
// projected gradient, from per-term gradients it already computed). The
// optimiser applies that update to those parameters, clipped with the
// others, and differentiates the loss only for the rest.
type SharedUpdater interface {
	SharedUpdate(g *Graph) map[string]*Node // by variable path
}

func newScheduledAdam(phase tfm.Phase, weightDecay float64, clipNorm float64) *scheduledAdam {
	return &scheduledAdam{
		adam:  optimizer.Adam().LearningRate(phase.LR).WeightDecay(weightDecay).Done(),
		phase: phase, clipNorm: clipNorm,
	}
}

// gradients of loss for the trainable variables g uses (in the store's
// order, as Adam applies them) and their paths; variables with a given
// update take it instead.
func (o *scheduledAdam) gradients(scope *model.Scope, loss *Node) (grads []*Node, names []string) {
	g := loss.Graph()
	var given map[string]*Node
	if o.given != nil {
		given = o.given(g)
	}
	var rest []*Node
	var restAt []int
	for v := range scope.IterVariables() {
		if !v.Trainable || !v.InUseByGraph(g) {
			continue
		}
		if u, ok := given[v.Path()]; ok {
			grads = append(grads, u)
		} else {
			grads = append(grads, nil)
			rest = append(rest, v.NodeValue(g))
			restAt = append(restAt, len(grads)-1)
		}
		names = append(names, v.Path())
	}
	if len(rest) > 0 {
		for i, gr := range Gradient(loss, rest...) {
			grads[restAt[i]] = gr
		}
	}
	return grads, names
}

// rate is Phase.Rate in the graph, at the global step before this step's
// increment.
func (o *scheduledAdam) rate(scope *model.Scope, g *Graph, dtype dtypes.DType) *Node {
	p := o.phase
	t := ConvertDType(optimizer.GetGlobalStepVar(scope).NodeValue(g), dtype)
	u := SubScalar(t, float64(p.Start))
	warm := AddScalar(MulScalar(MaxScalar(u, 0), (p.LR-p.MinLR)/float64(max(p.Warmup, 1))), p.MinLR)
	span := math.Max(1, float64(p.End-p.Start-p.Warmup))
	q := MinScalar(DivScalar(SubScalar(u, float64(p.Warmup)), span), 1)
	cosine := AddScalar(MulScalar(OnePlus(Cos(MulScalar(q, math.Pi))), (p.LR-p.MinLR)/2), p.MinLR)
	if p.Warmup == 0 {
		return cosine
	}
	return Where(LessThan(u, Scalar(g, dtype, float64(p.Warmup))), warm, cosine)
}

func (o *scheduledAdam) UpdateGraph(scope *model.Scope, g *Graph, loss *Node) {
	if scope.IsTraining(g) {
		optimizer.LearningRateVarWithValue(scope, loss.DType(), o.phase.LR).SetNodeValue(o.rate(scope, g, loss.DType()))
	}
	grads, names := o.gradients(scope, loss)
	if o.clipNorm > 0 {
		// The norm is summed in the variables' name order, not the
		// store's (creation) order: a store loaded from a checkpoint lists
		// its variables in another order, and a float sum in another order
		// differs in the last bits — a resumed run would drift from the
		// uninterrupted one.
		order := make([]int, len(grads))
		for i := range order {
			order[i] = i
		}
		if len(names) == len(grads) {
			sort.Slice(order, func(a, b int) bool { return names[order[a]] < names[order[b]] })
		}
		grads = clipByGlobalNorm(grads, order, o.clipNorm)
	}
	o.adam.(interface {
		UpdateGraphWithGradients(*model.Scope, []*Node, dtypes.DType)
	}).UpdateGraphWithGradients(scope, grads, loss.DType())
}

func (o *scheduledAdam) Clear(scope *model.Scope) error { return o.adam.Clear(scope) }

// ClipByGlobalNorm rescales the gradients so their joint L2 norm is at most
// maxNorm (Pascanu et al. 2013).
func ClipByGlobalNorm(grads []*Node, maxNorm float64) []*Node {
	order := make([]int, len(grads))
	for i := range order {
		order[i] = i
	}
	return clipByGlobalNorm(grads, order, maxNorm)
}

// clipByGlobalNorm sums the squared norms in the given order of grads.
func clipByGlobalNorm(grads []*Node, order []int, maxNorm float64) []*Node {
	var sq *Node
	for _, i := range order {
		sq = addOrSet(sq, ReduceAllSum(Square(grads[i])))
	}
	norm := Sqrt(sq)
	scale := Div(Scalar(norm.Graph(), norm.DType(), maxNorm), MaxScalar(norm, maxNorm))
	out := make([]*Node, len(grads))
	for i, gr := range grads {
		out[i] = Mul(gr, ConvertDType(scale, gr.DType()))
	}
	return out
}
