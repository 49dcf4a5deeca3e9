package pretrain

import (
	"strings"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"

	tfm "github.com/tfm-course/course/tfm/model"
)

// Scopes of MoCo's momentum (key) encoder and projection head.
const (
	KeyEncoderScope    = "key_encoder"
	KeyProjectionScope = "key_projection"
)

// mocoLoss is MoCo v2 (He et al. 2020; TrajCL uses it): the first view goes
// through the encoder f_q, the second through a momentum copy f_k whose
// weights trail f_q,
//
//	θ_k ← m·θ_k + (1−m)·θ_q        (no gradient flows into f_k)
//
// and the negatives are a FIFO queue of the last Q keys, so the number of
// negatives no longer depends on the batch size:
//
//	L = −log( exp(q·k⁺/τ) / (exp(q·k⁺/τ) + Σ_{u∈queue} exp(q·u/τ)) )
func (c *Contrastive) mocoLoss(scope *model.Scope, in tfm.Nodes) (loss, embedStd *Node) {
	b := c.M.Primary()
	var g *Graph
	var B int
	for _, x := range in {
		g, B = x.Graph(), x.Shape().Dim(0)/2
		break
	}
	half := func(k int) tfm.Nodes {
		out := tfm.Nodes{}
		for name, x := range in {
			out[name] = SliceAxis(x, 0, AxisRange(k*B, (k+1)*B))
		}
		return out
	}
	hq := b.Encode(scope, half(0)).Pooled
	q := L2NormalizeWithEpsilon(ProjectionHead(scope.At("projection"), hq, c.Cfg.ProjDim), 1e-6, -1)
	key := *b
	key.Scope = KeyEncoderScope
	hk := key.Encode(scope, half(1)).Pooled
	k := StopGradient(L2NormalizeWithEpsilon(ProjectionHead(scope.At(KeyProjectionScope), hk, c.Cfg.ProjDim), 1e-6, -1))

	store := scope.Store()
	s := scope.At("moco")
	queueVar := s.VariableWithShape("queue", shapes.Make(dtypes.Float32, c.Cfg.Queue, c.Cfg.ProjDim)).SetTrainable(false)
	startedVar := s.VariableWithValue("started", float32(0)).SetTrainable(false)
	started := GreaterThan(startedVar.NodeValue(g), ScalarZero(g, dtypes.Float32))
	queue := L2NormalizeWithEpsilon(queueVar.NodeValue(g), 1e-6, -1)
	loss = InfoNCEWithQueue(q, k, queue, c.Cfg.Temperature)

	// Enqueue the new keys, dequeue the oldest.
	queueVar.SetNodeValue(SliceAxis(Concatenate([]*Node{k, queue}, 0), 0, AxisRange(0, c.Cfg.Queue)))
	startedVar.SetNodeValue(OnesLike(startedVar.NodeValue(g)))
	// Momentum update of every key variable from its query twin (a copy on the first step).
	for _, pair := range [][2]string{{KeyEncoderScope, b.Scope}, {KeyProjectionScope, "projection"}} {
		for v := range store.Scope("/" + pair[0]).IterVariables() {
			v.SetTrainable(false)
			twin := store.GetVariable(strings.Replace(model.JoinPath(v.Scope(), v.Name()), "/"+pair[0]+"/", "/"+pair[1]+"/", 1))
			if twin == nil || !v.InUseByGraph(g) {
				continue
			}
			kv, qv := v.NodeValue(g), StopGradient(twin.NodeValue(g))
			ema := Add(MulScalar(kv, c.Cfg.Momentum), MulScalar(qv, 1-c.Cfg.Momentum))
			v.SetNodeValue(Where(started, ema, qv))
		}
	}
	return loss, EmbeddingStd(hq)
}
