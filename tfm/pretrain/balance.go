package pretrain

import (
	"fmt"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// A Balancer combines K task losses into the one loss the optimiser sees,
// L = Σ_k w_k·L_k, and reports the effective weights w_k (logged per step so
// the balance can be watched moving). GradNorm and DWA keep the papers'
// Σ_k w_k = K internally and apply w_k/K, so their weights sum to 1 like
// λ and 1−λ of the fixed mix.
type Balancer interface {
	Name() string
	// Combine builds the total loss; shared is a parameter all tasks
	// backpropagate through (GradNorm measures gradient norms on it).
	Combine(scope *model.Scope, losses []*Node, shared *Node) (total *Node, weights []*Node)
}

// Balancers lists the names BalancerByName accepts.
var Balancers = []string{"fixed", "uncertainty", "gradnorm", "dwa"}

// BalancerByName returns the named balancer; fixed uses weights
// [λ, 1−λ] (generative first).
func BalancerByName(name string, lambda float64) (Balancer, error) {
	switch name {
	case "", "fixed":
		return Fixed{Weights: []float64{lambda, 1 - lambda}}, nil
	case "uncertainty", "kendall":
		return Uncertainty{}, nil
	case "gradnorm":
		return GradNorm{Alpha: 1.5, LearningRate: 0.025}, nil
	case "dwa":
		return DWA{Temperature: 2, Smoothing: 0.9}, nil
	}
	return nil, fmt.Errorf("unknown balance %q (want one of %v)", name, Balancers)
}

// Fixed weights set by the user: L = λ·L_gen + (1−λ)·L_con.
type Fixed struct{ Weights []float64 }

func (f Fixed) Name() string { return "fixed" }
func (f Fixed) Combine(_ *model.Scope, losses []*Node, _ *Node) (*Node, []*Node) {
	g := losses[0].Graph()
	var total *Node
	weights := make([]*Node, len(losses))
	for k, l := range losses {
		weights[k] = Const(g, float32(f.Weights[k]))
		total = addOrSet(total, MulScalar(l, f.Weights[k]))
	}
	return total, weights
}

// Uncertainty is homoscedastic-uncertainty weighting (Kendall, Gal &
// Cipolla 2018): each task has a learned log-variance s_k,
//
//	L = Σ_k ½·exp(−s_k)·L_k + ½·s_k
//
// so noisy (hard to reduce) tasks are down-weighted; w_k = ½·exp(−s_k).
type Uncertainty struct{}

func (Uncertainty) Name() string { return "uncertainty" }
func (Uncertainty) Combine(scope *model.Scope, losses []*Node, _ *Node) (*Node, []*Node) {
	g := losses[0].Graph()
	s := scope.At("uncertainty").VariableWithValue("log_variance", make([]float32, len(losses))).NodeValue(g)
	var total *Node
	weights := make([]*Node, len(losses))
	for k, l := range losses {
		sk := Squeeze(SliceAxis(s, 0, AxisElem(k)), 0)
		weights[k] = MulScalar(Exp(Neg(sk)), 0.5)
		total = addOrSet(total, Add(Mul(weights[k], l), MulScalar(sk, 0.5)))
	}
	return total, weights
}

// GradNorm (Chen et al. 2018) adapts w_k so each task's gradient norm on the
// shared parameters W, G_k = ‖∇_W w_k·L_k‖, tracks the mean norm scaled by
// how far behind the task is in training:
//
//	r_k = (L_k/L_k(0)) / mean_j(L_j/L_j(0)),   target_k = mean(G)·r_k^α
//	L_grad = Σ_k |G_k − target_k|,   w_k ← w_k − η·∂L_grad/∂w_k,  then Σ w_k = K
//
// ∂L_grad/∂w_k = sign(G_k − target_k)·‖∇_W L_k‖ (target held constant), so
// no second-order gradient is needed.
type GradNorm struct{ Alpha, LearningRate float64 }

func (GradNorm) Name() string { return "gradnorm" }
func (gn GradNorm) Combine(scope *model.Scope, losses []*Node, shared *Node) (*Node, []*Node) {
	g := losses[0].Graph()
	K := len(losses)
	s := scope.At("gradnorm")
	wVar := s.VariableWithValue("weights", ones(K)).SetTrainable(false)
	l0Var := s.VariableWithValue("initial_losses", make([]float32, K)).SetTrainable(false)
	w := wVar.NodeValue(g)
	L := StopGradient(Stack(losses, 0)) // [K]
	l0 := l0Var.NodeValue(g)
	l0 = Where(IsZero(l0), L, l0) // first step: remember L(0)
	l0Var.SetNodeValue(l0)

	norms := make([]*Node, K) // ‖∇_W L_k‖
	for k, l := range losses {
		norms[k] = L2Norm(Gradient(l, shared)[0])
	}
	gradNorm := Stack(norms, 0)           // [K]
	G := Mul(w, gradNorm)                 // [K]
	ratio := Div(L, l0)                   // L_k / L_k(0)
	r := Div(ratio, ReduceAllMean(ratio)) // relative inverse training rate
	target := Mul(ReduceAllMean(G), Pow(r, Scalar(g, dtypes.Float32, gn.Alpha)))
	dw := Mul(Sign(Sub(G, target)), gradNorm) // ∂L_grad/∂w
	newW := MaxScalar(Sub(w, MulScalar(dw, gn.LearningRate)), 0.01)
	newW = MulScalar(Div(newW, ReduceAllSum(newW)), float64(K)) // Σ w = K
	wVar.SetNodeValue(newW)

	return weighted(losses, DivScalar(w, float64(K)))
}

// weighted is Σ_k w_k·L_k with the weights held constant (no gradient).
func weighted(losses []*Node, w *Node) (*Node, []*Node) {
	var total *Node
	weights := make([]*Node, len(losses))
	for k, l := range losses {
		weights[k] = StopGradient(Squeeze(SliceAxis(w, 0, AxisElem(k)), 0))
		total = addOrSet(total, Mul(weights[k], l))
	}
	return total, weights
}

// DWA is dynamic weight averaging (Liu, Johns & Davison 2019): a task whose
// loss fell slowly lately gets more weight,
//
//	r_k = L̄_k(t−1) / L̄_k(t−2),   w_k = K·exp(r_k/T) / Σ_j exp(r_j/T)
//
// with L̄ an exponential moving average of each loss (per step instead of
// the paper's per epoch, smoothed to tame minibatch noise).
type DWA struct{ Temperature, Smoothing float64 }

func (DWA) Name() string { return "dwa" }
func (d DWA) Combine(scope *model.Scope, losses []*Node, _ *Node) (*Node, []*Node) {
	g := losses[0].Graph()
	K := len(losses)
	s := scope.At("dwa")
	prevVar := s.VariableWithValue("ema_prev", make([]float32, K)).SetTrainable(false)
	curVar := s.VariableWithValue("ema", make([]float32, K)).SetTrainable(false)
	L := StopGradient(Stack(losses, 0))
	prev, cur := prevVar.NodeValue(g), curVar.NodeValue(g)
	started := LogicalAll(Not(IsZero(prev)))
	r := Where(started, Div(cur, Where(IsZero(prev), OnesLike(prev), prev)), OnesLike(cur))
	w := MulScalar(Softmax(DivScalar(r, d.Temperature), 0), float64(K))
	newCur := Where(IsZero(cur), L, Add(MulScalar(cur, d.Smoothing), MulScalar(L, 1-d.Smoothing)))
	prevVar.SetNodeValue(Where(IsZero(cur), ZerosLike(cur), cur))
	curVar.SetNodeValue(newCur)
	return weighted(losses, DivScalar(w, float64(K)))
}

func addOrSet(total, x *Node) *Node {
	if total == nil {
		return x
	}
	return Add(total, x)
}

func ones(n int) []float32 {
	o := make([]float32, n)
	for i := range o {
		o[i] = 1
	}
	return o
}
