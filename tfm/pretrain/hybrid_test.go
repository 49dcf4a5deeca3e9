package pretrain

import (
	"math"
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/tfm-course/course/tfm/encoder"
)

// HybridLoss scores the views' pooled vectors with the contrastive loss and
// the masked copies' hidden states with the generative one, mixes them with
// the balancer, and for a loss-level balancer returns as the update of θ
// exactly the gradient of the mixed loss.
func TestHybridLoss(t *testing.T) {
	be := testBackend(t)
	const B, L, D = 2, 3, 4
	pooled := make([]float32, 2*B*D)
	hidden := make([]float32, B*L*D)
	for i := range pooled {
		pooled[i] = float32(i / D) // view row r holds r: rows 0..3, mean 1.5
	}
	for i := range hidden {
		hidden[i] = float32(4 + i/(L*D)) // masked rows hold 4 and 5: mean 4.5
	}
	fn := func(scope *model.Scope, p, h *Node) []*Node {
		// A one-parameter "encoder": θ = [1, 2, 3, 4] scales every vector.
		theta := scope.VariableWithValue("theta", []float32{1, 2, 3, 4}).NodeValue(p.Graph())
		views := encoder.Output{Pooled: Mul(p, Reshape(theta, 1, D))}
		masked := encoder.Output{Hidden: Mul(h, Reshape(theta, 1, 1, D))}
		con := func(x *Node) (*Node, *Node) { return ReduceAllMean(x), ReduceAllMax(x) }
		gen := func(x *Node) (*Node, []*Node) { m := ReduceAllMean(x); return m, []*Node{m, ReduceAllMin(x)} }
		total, update, terms := HybridLoss(scope, views, masked, []*Node{theta}, con, gen, Fixed{Weights: []float64{0.25, 0.75}})
		return append([]*Node{total, update[0], Gradient(total, theta)[0]}, terms...)
	}
	res := model.MustNewExec(be, model.NewStore(), fn).MustExec(
		tensors.FromFlatDataAndDimensions(pooled, 2*B, D), tensors.FromFlatDataAndDimensions(hidden, B, L, D))
	f := func(i int) []float32 { return tensors.MustCopyFlatData[float32](res[i]) }
	// θ's mean is 2.5: L_con = 1.5·2.5, L_gen = 4.5·2.5; ∂L_k/∂θ_d = mean_k/4 per coordinate.
	want := map[string]float64{
		"total": 0.25*4.5*2.5 + 0.75*1.5*2.5, "gen": 4.5 * 2.5, "con": 1.5 * 2.5, "w_gen": 0.25, "w_con": 0.75,
		"gen metric (min)": 4, "embed std (max)": 3 * 4, "‖g_gen‖": 4.5 / 4 * 2, "‖g_con‖": 1.5 / 4 * 2, "cos": 1,
	}
	got := map[string]float64{"total": float64(f(0)[0])}
	for i, k := range []string{"gen", "con", "w_gen", "w_con", "gen metric (min)", "embed std (max)", "‖g_gen‖", "‖g_con‖", "cos"} {
		got[k] = float64(f(3 + i)[0])
	}
	for k, w := range want {
		if math.Abs(got[k]-w) > 1e-4 {
			t.Errorf("%s = %v, want %v", k, got[k], w)
		}
	}
	update, grad := f(1), f(2)
	for d := range update {
		if math.Abs(float64(update[d]-grad[d])) > 1e-6 || math.Abs(float64(update[d])-(0.25*4.5+0.75*1.5)/4) > 1e-6 {
			t.Fatalf("update of θ %v, want ∇θ L = %v = (0.25·4.5 + 0.75·1.5)/4 each", update, grad)
		}
	}
}
