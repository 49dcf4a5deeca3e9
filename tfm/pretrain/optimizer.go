package pretrain

import (
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/gomlx/gomlx/ml/train/optimizer/cosineschedule"
)

// scheduledAdam is AdamW with a warmup + cosine learning-rate schedule and
// gradient clipping by global norm:
//
//	lr(t) = lr·t/warmup  (t < warmup),  then  lr_min + (lr−lr_min)·(1+cos(π·p))/2
//	g ← g·min(1, c/‖g‖₂)  over all parameters together
type scheduledAdam struct {
	adam     optimizer.Interface
	lr       float64
	warmup   int
	clipNorm float64
}

func newScheduledAdam(lr, weightDecay float64, warmup int, clipNorm float64) *scheduledAdam {
	return &scheduledAdam{
		adam: optimizer.Adam().LearningRate(lr).WeightDecay(weightDecay).Done(),
		lr:   lr, warmup: warmup, clipNorm: clipNorm,
	}
}

func (o *scheduledAdam) UpdateGraph(scope *model.Scope, g *Graph, loss *Node) {
	cosineschedule.New(scope, g, loss.DType()).
		LearningRate(o.lr).MinLearningRate(o.lr / 10).WarmUpSteps(o.warmup).NumCycles(1).Done()
	grads := scope.BuildTrainableVariablesGradientsGraph(loss)
	if o.clipNorm > 0 {
		grads = ClipByGlobalNorm(grads, o.clipNorm)
	}
	o.adam.(interface {
		UpdateGraphWithGradients(*model.Scope, []*Node, dtypes.DType)
	}).UpdateGraphWithGradients(scope, grads, loss.DType())
}

func (o *scheduledAdam) Clear(scope *model.Scope) error { return o.adam.Clear(scope) }

// ClipByGlobalNorm rescales the gradients so their joint L2 norm is at most
// maxNorm (Pascanu et al. 2013).
func ClipByGlobalNorm(grads []*Node, maxNorm float64) []*Node {
	var sq *Node
	for _, gr := range grads {
		sq = addOrSet(sq, ReduceAllSum(Square(gr)))
	}
	norm := Sqrt(sq)
	scale := Div(Scalar(norm.Graph(), norm.DType(), maxNorm), MaxScalar(norm, maxNorm))
	out := make([]*Node, len(grads))
	for i, gr := range grads {
		out[i] = Mul(gr, ConvertDType(scale, gr.DType()))
	}
	return out
}
