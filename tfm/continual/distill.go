package continual

import (
	"fmt"
	"strings"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"

	tfm "github.com/tfm-course/course/tfm/model"
)

// DistillPenalty is feature distillation on the replayed old trips, the
// backward-compatible training of a deployed encoder (Shen et al. 2020;
// replay with distillation as in iCaRL and DER): the embeddings h_θ(x) of
// the batch's rows that came from the replay buffer (R, the last
// replaySlots of each view's block of batch rows) are pulled to the old
// encoder's h_θ*(x), computed in the same graph from the anchors θ*:
//
//	Ω(θ) = (μ/2) · (1/|R|) Σ_{i∈R} ‖h_θ(x_i) − h_θ*(x_i)‖²
//
// so the old city keeps its coordinates — what the heads and the index
// built on the old encoder read — while the new trips are free to move.
// m is the model being trained (its branches encode the inputs).
func DistillPenalty(m func() *tfm.Model, mu float64) func(scope *model.Scope, in tfm.Nodes, batch, replaySlots int) *Node {
	return func(scope *model.Scope, in tfm.Nodes, batch, replaySlots int) *Node {
		mdl := m()
		h := mdl.Pooled(scope, in) // [N, D], N = views × batch
		g := h.Graph()
		if replaySlots == 0 {
			return ScalarZero(g, dtypes.Float32)
		}
		before := countAnchors(scope.Store())
		old := StopGradient(mdl.Pooled(anchorScope(scope), in))
		if after := countAnchors(scope.Store()); after != before {
			panic(fmt.Sprintf("continual: distill: the old encoder needed %d variables with no anchor (the anchors were stored for another model)", after-before))
		}
		n := h.Shape().Dim(0)
		mask := make([]float32, n)
		count := 0
		for i := range mask {
			if i%batch >= batch-replaySlots {
				mask[i], count = 1, count+1
			}
		}
		w := Const(g, mask) // 1 on the replayed rows
		d := ReduceSum(Square(Sub(ConvertDType(h, dtypes.Float32), ConvertDType(old, dtypes.Float32))), -1)
		return MulScalar(ReduceAllSum(Mul(d, w)), mu/2/float64(count))
	}
}

// countAnchors counts the store's variables under AnchorScope.
func countAnchors(store *model.Store) int {
	n := 0
	for v := range store.IterVariables() {
		if strings.HasPrefix(v.Path(), AnchorScope+"/") {
			n++
		}
	}
	return n
}

// anchorScope is the root scope's copy at AnchorScope: a model built there
// reads the anchors θ* (AnchorScope + each variable's path).
func anchorScope(scope *model.Scope) *model.Scope {
	for _, part := range strings.Split(strings.TrimPrefix(AnchorScope, "/"), "/") {
		scope = scope.At("%s", part)
	}
	return scope
}
