package pretrain

import (
	"math"
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// combine runs a balancer on given loss values (and shared-parameter
// gradient scales for GradNorm) for several steps and returns the weights.
func combine(t *testing.T, b Balancer, steps [][2]float32, gradScale [2]float32) [][2]float64 {
	t.Helper()
	be := testBackend(t)
	store := model.NewStore()
	fn := func(scope *model.Scope, l0, l1 *Node) (*Node, *Node) {
		g := l0.Graph()
		// A shared parameter θ = 1 through which the losses flow as
		// L_k = l_k·θ^{s_k}, so ∂L_k/∂θ = s_k·l_k at θ = 1.
		theta := scope.VariableWithValue("theta", float32(1)).SetTrainable(false).NodeValue(g)
		L0 := Mul(l0, Pow(theta, Scalar(g, theta.DType(), float64(gradScale[0]))))
		L1 := Mul(l1, Pow(theta, Scalar(g, theta.DType(), float64(gradScale[1]))))
		_, w := b.Combine(scope, []*Node{L0, L1}, theta)
		return w[0], w[1]
	}
	var out [][2]float64
	for _, l := range steps {
		// A fresh executor per step: a graph compiled while its variables
		// were being created keeps reading their initial values.
		res := model.MustNewExec(be, store, fn).MustExec(l[0], l[1])
		out = append(out, [2]float64{float64(tensors.MustCopyFlatData[float32](res[0])[0]), float64(tensors.MustCopyFlatData[float32](res[1])[0])})
	}
	return out
}

func TestFixedWeights(t *testing.T) {
	w := combine(t, Fixed{Weights: []float64{0.2, 0.8}}, [][2]float32{{1, 1}}, [2]float32{1, 1})
	if math.Abs(w[0][0]-0.2) > 1e-6 || math.Abs(w[0][1]-0.8) > 1e-6 {
		t.Fatalf("fixed weights %v", w)
	}
}

// DWA: the task whose loss falls faster gets the smaller weight.
func TestDWAFavoursTheSlowerTask(t *testing.T) {
	steps := [][2]float32{{1, 1}, {1, 1}, {0.5, 1}, {0.25, 1}, {0.12, 1}}
	w := combine(t, DWA{Temperature: 2, Smoothing: 0}, steps, [2]float32{1, 1})
	if w[0][0] != 0.5 || w[1][0] != 0.5 {
		t.Fatalf("DWA must start equal: %v", w)
	}
	last := w[len(w)-1]
	if !(last[0] < last[1]) || last[0]+last[1] < 0.999 || last[0]+last[1] > 1.001 {
		t.Fatalf("DWA weights %v (all %v): want w_0 < w_1 (task 0 falls faster), summing to 1", last, w)
	}
}

// GradNorm: the task with the larger gradient norm on the shared parameter
// loses weight.
func TestGradNormEqualisesGradientNorms(t *testing.T) {
	steps := make([][2]float32, 20)
	for i := range steps {
		steps[i] = [2]float32{1, 1}
	}
	w := combine(t, GradNorm{Alpha: 1.5, LearningRate: 0.05}, steps, [2]float32{4, 1})
	last := w[len(w)-1]
	if !(last[0] < last[1]) || last[0]+last[1] < 0.999 || last[0]+last[1] > 1.001 {
		t.Fatalf("GradNorm weights %v: want w_0 < w_1 (task 0's gradient is 4× larger), summing to 1", last)
	}
}

func TestUncertaintyWeightsStartAtHalf(t *testing.T) {
	w := combine(t, Uncertainty{}, [][2]float32{{3, 1}}, [2]float32{1, 1})
	if w[0] != [2]float64{0.5, 0.5} {
		t.Fatalf("uncertainty weights at s=0: %v, want ½·exp(0) = 0.5 each", w)
	}
}
