package pretrain

import (
	"math"
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/tfm-course/course/tfm/encoder"
)

// HybridLoss scores rows 0..2B with the contrastive loss and rows 2B..3B
// with the generative one, and mixes them with the balancer.
func TestHybridLossSplitsRows(t *testing.T) {
	be := testBackend(t)
	const B, L, D = 2, 3, 4
	pooled := make([]float32, 3*B*D)
	hidden := make([]float32, 3*B*L*D)
	for i := range pooled {
		pooled[i] = float32(i / D) // row r holds r
	}
	for i := range hidden {
		hidden[i] = float32(i / (L * D)) // row r holds r
	}
	fn := func(scope *model.Scope, p, h *Node) []*Node {
		out := encoder.Output{Pooled: p, Hidden: h}
		con := func(x *Node) (*Node, *Node) { return ReduceAllMean(x), ReduceAllMax(x) }                       // mean of rows 0..3: 1.5
		gen := func(x *Node) (*Node, []*Node) { m := ReduceAllMean(x); return m, []*Node{m, ReduceAllMin(x)} } // rows 4, 5: 4.5
		total, terms := HybridLoss(scope, out, con, gen, Fixed{Weights: []float64{0.25, 0.75}})
		return append([]*Node{total}, terms...)
	}
	res := model.MustNewExec(be, model.NewStore(), fn).MustExec(
		tensors.FromFlatDataAndDimensions(pooled, 3*B, D), tensors.FromFlatDataAndDimensions(hidden, 3*B, L, D))
	got := make([]float64, len(res))
	for i, r := range res {
		got[i] = float64(tensors.MustCopyFlatData[float32](r)[0])
	}
	// total, gen, con, w_gen, w_con, gen metric (min of rows 4..5), embed std (max of rows 0..3)
	want := []float64{0.25*4.5 + 0.75*1.5, 4.5, 1.5, 0.25, 0.75, 4, 3}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-5 {
			t.Errorf("output %d = %v, want %v (all: %v)", i, got[i], want[i], got)
		}
	}
}
