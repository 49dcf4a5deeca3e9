package pretrain

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// A Balancer mixes K task losses into one training step. Each step it sees
// the losses L_k and their gradients g_k = ∇_θ L_k over the shared
// encoder's parameters θ, and returns a Balance. Loss-level balancers
// (fixed, uncertainty, DWA, scale normalisation) only choose weights;
// gradient-level ones (GradNorm reads ‖g_k‖, PCGrad rewrites the update)
// use the gradients too. A researcher's own balancer is any type with
// these two methods, passed as HybridConfig.Balancer.
type Balancer interface {
	Name() string
	Balance(s BalanceStep) Balance
}

// BalanceStep is what a balancer sees in one step's graph.
type BalanceStep struct {
	// Scope is where the balancer keeps its state (variables under
	// Scope.At(name), non-trainable: it updates them itself).
	Scope  *model.Scope
	Losses []*Node   // L_k, scalars (generative first, then contrastive)
	Grads  [][]*Node // Grads[k][i] = ∂L_k/∂θ_i over the shared parameters θ_i
}

// Balance is a balancer's decision for one step.
type Balance struct {
	// Weights are the effective weights w_k of the losses (logged per
	// step as w_gen, w_con); a balancer that sets Shared reports the
	// weight of each g_k in it.
	Weights []*Node
	// Total is the loss the optimiser differentiates for every parameter
	// outside θ (the objectives' heads); Σ_k w_k·L_k for every balancer here.
	Total *Node
	// Shared is the update direction for θ, one node per θ_i; nil means
	// Σ_k w_k·g_k, the gradient of Total. PCGrad sets it.
	Shared []*Node
}

// Balancers lists the names BalancerByName accepts.
var Balancers = []string{"fixed", "uncertainty", "gradnorm", "dwa", "pcgrad", "scalenorm"}

// BalancerParams lists each balancer's settable hyperparameters, as
// BalancerByName reads them from "name:key=value,…".
var BalancerParams = map[string][]string{
	"fixed":       {"lambda"},
	"uncertainty": {"lr"},
	"gradnorm":    {"alpha", "lr"},
	"dwa":         {"temperature", "window"},
	"pcgrad":      {},
	"scalenorm":   {"window"},
}

// BalancerByName parses a balancer spec, NAME or NAME:key=value,… (e.g.
// "dwa:window=20,temperature=2", "gradnorm:alpha=1.5"); fixed weighs the
// generative loss λ (its lambda key, default the lambda argument) and the
// contrastive 1−λ. Defaults are the papers'.
func BalancerByName(spec string, lambda float64) (Balancer, error) {
	name, args, _ := strings.Cut(spec, ":")
	name = strings.TrimSpace(name)
	if name == "" {
		name = "fixed"
	}
	if name == "kendall" {
		name = "uncertainty"
	}
	keys, ok := BalancerParams[name]
	if !ok {
		return nil, fmt.Errorf("unknown balancer %q (want one of %s)", name, strings.Join(Balancers, ", "))
	}
	p := map[string]float64{}
	if strings.TrimSpace(args) != "" {
		for _, kv := range strings.Split(args, ",") {
			k, v, found := strings.Cut(kv, "=")
			k = strings.TrimSpace(k)
			if !slices.Contains(keys, k) {
				return nil, fmt.Errorf("balancer %s: unknown setting %q (it takes %s)", name, k, orNone(keys))
			}
			x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if !found || err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("balancer %s: %s=%q is not a number", name, k, strings.TrimSpace(v))
			}
			p[k] = x
		}
	}
	get := func(k string, def, lo, hi float64, open bool) (float64, error) {
		x, ok := p[k]
		if !ok {
			return def, nil
		}
		if x < lo || x > hi || (open && x == lo) {
			return 0, fmt.Errorf("balancer %s: %s=%g out of range (want %s)", name, k, x, rangeText(lo, hi, open))
		}
		return x, nil
	}
	var err error
	var b Balancer
	switch name {
	case "fixed":
		var l float64
		l, err = get("lambda", lambda, 0, 1, false)
		b = Fixed{Weights: []float64{l, 1 - l}}
	case "uncertainty":
		u := DefaultUncertainty()
		u.LearningRate, err = get("lr", u.LearningRate, 0, 10, true)
		b = u
	case "gradnorm":
		gn := DefaultGradNorm()
		if gn.Alpha, err = get("alpha", gn.Alpha, 0, 10, false); err == nil {
			gn.LearningRate, err = get("lr", gn.LearningRate, 0, 10, true)
		}
		b = gn
	case "dwa":
		d := DefaultDWA()
		var w float64
		if d.Temperature, err = get("temperature", d.Temperature, 0, 1e6, true); err == nil {
			w, err = get("window", float64(d.Window), 1, 1e6, false)
			d.Window = int(w)
		}
		b = d
	case "pcgrad":
		b = PCGrad{}
	case "scalenorm":
		s := DefaultScaleNorm()
		var w float64
		w, err = get("window", float64(s.Window), 1, 1e6, false)
		s.Window = int(w)
		b = s
	}
	if err != nil {
		return nil, err
	}
	return b, nil
}

func orNone(keys []string) string {
	if len(keys) == 0 {
		return "no settings"
	}
	return strings.Join(keys, ", ")
}

func rangeText(lo, hi float64, open bool) string {
	if open {
		return fmt.Sprintf("in (%g, %g]", lo, hi)
	}
	return fmt.Sprintf("in [%g, %g]", lo, hi)
}

// Fixed weights set by the user: L = λ·L_gen + (1−λ)·L_con.
type Fixed struct{ Weights []float64 }

func (f Fixed) Name() string { return "fixed" }
func (f Fixed) Balance(s BalanceStep) Balance {
	g := s.Losses[0].Graph()
	w := make([]*Node, len(s.Losses))
	for k := range s.Losses {
		w[k] = Const(g, float32(f.Weights[k]))
	}
	return weighted(s.Losses, w)
}

// Uncertainty is homoscedastic-uncertainty weighting (Kendall, Gal &
// Cipolla 2018): each task has a learned log-variance s_k and
//
//	L = Σ_k ½·exp(−s_k)·L_k + ½·s_k,   w_k = ½·exp(−s_k)
//
// so a task whose loss stays large is down-weighted: at the optimum
// ∂L/∂s_k = ½ − ½·exp(−s_k)·L_k = 0, s_k = log L_k and w_k = 1/(2·L_k).
// The s_k are trained on that gradient by an Adam of their own, with its
// own learning rate.
type Uncertainty struct{ LearningRate float64 }

// DefaultUncertainty learns the log-variances at rate 0.05 (s_k moves up to
// about 0.05 a step, so it follows the losses over tens of steps).
func DefaultUncertainty() Uncertainty { return Uncertainty{LearningRate: 0.05} }

func (Uncertainty) Name() string { return "uncertainty" }
func (u Uncertainty) Balance(st BalanceStep) Balance {
	g := st.Losses[0].Graph()
	K := len(st.Losses)
	sVar := st.Scope.At("uncertainty").VariableWithValue("log_variance", make([]float32, K)).SetTrainable(false)
	s := sVar.NodeValue(g)
	L := StopGradient(Stack(st.Losses, 0))
	w := MulScalar(Exp(Neg(s)), 0.5)                  // [K]
	grad := Sub(Scalar(g, s.DType(), 0.5), Mul(w, L)) // ∂L/∂s
	sVar.SetNodeValue(adamStep(st.Scope.At("uncertainty"), s, grad, u.LearningRate))
	b := weighted(st.Losses, unstack(w))
	b.Total = Add(b.Total, MulScalar(ReduceAllSum(s), 0.5)) // the ½·s_k terms (constant for the optimiser)
	return b
}

// GradNorm (Chen et al. 2018) adapts w_k so each task's gradient norm on the
// shared parameters, G_k = ‖∇_θ w_k·L_k‖ = w_k·‖g_k‖, tracks the mean norm
// scaled by how far behind the task is in training:
//
//	r_k = (L_k/L_k(0)) / mean_j(L_j/L_j(0)),   target_k = mean(G)·r_k^α
//	L_grad = Σ_k |G_k − target_k|,   w ← Adam(w, ∂L_grad/∂w),  then Σ_k w_k = K
//
// ∂L_grad/∂w_k = sign(G_k − target_k)·‖g_k‖ with the target held constant
// (as in the paper), so no second-order gradient is needed. The loss uses
// w_k/K, so the weights sum to 1 like λ and 1−λ.
type GradNorm struct{ Alpha, LearningRate float64 }

// DefaultGradNorm is the paper's α = 1.5 and weight learning rate 0.025.
func DefaultGradNorm() GradNorm { return GradNorm{Alpha: 1.5, LearningRate: 0.025} }

func (GradNorm) Name() string { return "gradnorm" }
func (gn GradNorm) Balance(st BalanceStep) Balance {
	g := st.Losses[0].Graph()
	K := len(st.Losses)
	s := st.Scope.At("gradnorm")
	wVar := s.VariableWithValue("weights", ones(K)).SetTrainable(false)
	l0Var := s.VariableWithValue("initial_losses", make([]float32, K)).SetTrainable(false)
	w := wVar.NodeValue(g)
	L := StopGradient(Stack(st.Losses, 0)) // [K]
	l0 := l0Var.NodeValue(g)
	l0 = Where(IsZero(l0), L, l0) // first step: remember L(0)
	l0Var.SetNodeValue(l0)

	norms := make([]*Node, K) // ‖g_k‖
	for k := range st.Grads {
		norms[k] = Sqrt(sumSquares(st.Grads[k]))
	}
	gradNorm := StopGradient(Stack(norms, 0)) // [K]
	G := Mul(w, gradNorm)
	ratio := Div(L, l0)                   // L_k / L_k(0)
	r := Div(ratio, ReduceAllMean(ratio)) // relative inverse training rate
	target := Mul(ReduceAllMean(G), Pow(r, Scalar(g, dtypes.Float32, gn.Alpha)))
	dw := Mul(Sign(Sub(G, target)), gradNorm) // ∂L_grad/∂w
	newW := MaxScalar(adamStep(s, w, dw, gn.LearningRate), 0.01)
	newW = MulScalar(Div(newW, ReduceAllSum(newW)), float64(K)) // Σ w = K
	wVar.SetNodeValue(newW)
	return weighted(st.Losses, unstack(DivScalar(w, float64(K))))
}

// DWA is dynamic weight averaging (Liu, Johns & Davison 2019): a task whose
// loss fell slowly lately gets more weight,
//
//	r_k = L̄_k(n−1) / L̄_k(n−2),   w_k = exp(r_k/T) / Σ_j exp(r_j/T)
//
// where L̄_k(n) is the mean loss over window n. The paper's windows are
// epochs; here they are Window steps (w_k = 1/K until two windows are full).
type DWA struct {
	Temperature float64
	Window      int
}

// DefaultDWA is the paper's T = 2 over windows of 20 steps.
func DefaultDWA() DWA { return DWA{Temperature: 2, Window: 20} }

func (DWA) Name() string { return "dwa" }
func (d DWA) Balance(st BalanceStep) Balance {
	g := st.Losses[0].Graph()
	K := len(st.Losses)
	s := st.Scope.At("dwa")
	sumVar := s.VariableWithValue("window_sum", make([]float32, K)).SetTrainable(false)
	lastVar := s.VariableWithValue("last_mean", make([]float32, K)).SetTrainable(false) // L̄(n−1)
	prevVar := s.VariableWithValue("prev_mean", make([]float32, K)).SetTrainable(false) // L̄(n−2)
	countVar := s.VariableWithValue("count", float32(0)).SetTrainable(false)
	last, prev := lastVar.NodeValue(g), prevVar.NodeValue(g)

	started := LogicalAll(Not(IsZero(prev)))
	r := Where(started, Div(last, Where(IsZero(prev), OnesLike(prev), prev)), OnesLike(last))
	w := Softmax(DivScalar(r, d.Temperature), 0)

	// Accumulate this step's losses; at a window's end shift the means.
	sum := Add(sumVar.NodeValue(g), StopGradient(Stack(st.Losses, 0)))
	count := OnePlus(countVar.NodeValue(g))
	full := GreaterOrEqual(count, Scalar(g, count.DType(), float64(d.Window)))
	mean := Div(sum, count)
	lastVar.SetNodeValue(Where(full, mean, last))
	prevVar.SetNodeValue(Where(full, last, prev))
	sumVar.SetNodeValue(Where(full, ZerosLike(sum), sum))
	countVar.SetNodeValue(Where(full, ZerosLike(count), count))
	return weighted(st.Losses, unstack(w))
}

// PCGrad is gradient surgery (Yu et al. 2020): where two tasks' gradients
// conflict (g_i·g_j < 0), each is projected onto the normal plane of the
// other before they are summed,
//
//	g_i' = g_i − min(0, g_i'·g_j)/‖g_j‖² · g_j   for each j ≠ i,   Δθ = (1/K)·Σ_i g_i'
//
// so no task's update undoes another's. The paper visits the other tasks in
// random order; this fixed order is the same for two tasks. Heads get
// their own task's gradient with weight 1/K. Δθ is a combination Σ_k a_k·g_k
// of the raw gradients; the logged weights are the a_k (1/K each when
// nothing conflicts).
type PCGrad struct{}

func (PCGrad) Name() string { return "pcgrad" }
func (PCGrad) Balance(st BalanceStep) Balance {
	g := st.Losses[0].Graph()
	K := len(st.Losses)
	dt := st.Losses[0].DType()
	w := make([]*Node, K)
	for k := range w {
		w[k] = Scalar(g, dt, 1/float64(K))
	}
	b := weighted(st.Losses, w)
	b.Shared = make([]*Node, len(st.Grads[0]))
	a := make([]*Node, K) // Δθ = Σ_k a_k·g_k
	for i := range st.Grads {
		proj := slices.Clone(st.Grads[i])
		coef := make([]*Node, K) // proj = Σ_k coef_k·g_k
		for k := range coef {
			coef[k] = Scalar(g, dt, b2f(k == i))
		}
		for j := range st.Grads {
			if j == i {
				continue
			}
			c := Div(MinScalar(dotAll(proj, st.Grads[j]), 0), MaxScalar(sumSquares(st.Grads[j]), 1e-20))
			for p := range proj {
				proj[p] = Sub(proj[p], Mul(ConvertDType(c, proj[p].DType()), st.Grads[j][p]))
			}
			coef[j] = Sub(coef[j], ConvertDType(c, dt))
		}
		for p := range proj {
			b.Shared[p] = addOrSet(b.Shared[p], MulScalar(proj[p], 1/float64(K)))
		}
		for k := range coef {
			a[k] = addOrSet(a[k], MulScalar(coef[k], 1/float64(K)))
		}
	}
	for k := range a {
		b.Weights[k] = StopGradient(a[k])
	}
	return b
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// ScaleNorm divides each loss by an estimate of its initial value, so tasks
// whose losses live on different scales start on an equal footing:
//
//	L = Σ_k w_k·L_k,   w_k = (1/L̂_k(0)) / Σ_j (1/L̂_j(0))
//
// where L̂_k(0) is the running mean of L_k over the first Window steps, then
// held (weights are equal until the first step, and sum to 1).
type ScaleNorm struct{ Window int }

// DefaultScaleNorm estimates the initial losses over 10 steps.
func DefaultScaleNorm() ScaleNorm { return ScaleNorm{Window: 10} }

func (ScaleNorm) Name() string { return "scalenorm" }
func (sn ScaleNorm) Balance(st BalanceStep) Balance {
	g := st.Losses[0].Graph()
	K := len(st.Losses)
	s := st.Scope.At("scalenorm")
	meanVar := s.VariableWithValue("initial_losses", make([]float32, K)).SetTrainable(false)
	countVar := s.VariableWithValue("count", float32(0)).SetTrainable(false)
	L := StopGradient(Stack(st.Losses, 0))
	n := countVar.NodeValue(g)
	m := meanVar.NodeValue(g)
	learning := LessThan(n, Scalar(g, n.DType(), float64(sn.Window)))
	n1 := OnePlus(n)
	m = Where(learning, Add(m, Div(Sub(L, m), n1)), m) // running mean of the first Window steps
	meanVar.SetNodeValue(m)
	countVar.SetNodeValue(Where(learning, n1, n))
	inv := Reciprocal(MaxScalar(m, 1e-12))
	return weighted(st.Losses, unstack(Div(inv, ReduceAllSum(inv))))
}

// weighted is the loss-level balance Σ_k w_k·L_k with the weights held
// constant (no gradient reaches them).
func weighted(losses []*Node, w []*Node) Balance {
	var total *Node
	weights := make([]*Node, len(losses))
	for k, l := range losses {
		weights[k] = StopGradient(ConvertDType(w[k], l.DType()))
		total = addOrSet(total, Mul(weights[k], l))
	}
	return Balance{Weights: weights, Total: total}
}

// adamStep is one Adam update (Kingma & Ba 2015) of a balancer's own
// parameter p with gradient grad at learning rate lr, its moments and step
// count kept under scope:
//
//	m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,  p ← p − lr·m̂/(√v̂ + ε)
func adamStep(scope *model.Scope, p, grad *Node, lr float64) *Node {
	const beta1, beta2, eps = 0.9, 0.999, 1e-8
	g := p.Graph()
	zeros := make([]float32, p.Shape().Size())
	mVar := scope.VariableWithValue("adam_m", zeros).SetTrainable(false)
	vVar := scope.VariableWithValue("adam_v", slices.Clone(zeros)).SetTrainable(false)
	tVar := scope.VariableWithValue("adam_t", float32(0)).SetTrainable(false)
	grad = StopGradient(grad)
	m := Add(MulScalar(mVar.NodeValue(g), beta1), MulScalar(grad, 1-beta1))
	v := Add(MulScalar(vVar.NodeValue(g), beta2), MulScalar(Square(grad), 1-beta2))
	t := OnePlus(tVar.NodeValue(g))
	mVar.SetNodeValue(m)
	vVar.SetNodeValue(v)
	tVar.SetNodeValue(t)
	mHat := Div(m, OneMinus(Pow(Scalar(g, t.DType(), beta1), t)))
	vHat := Div(v, OneMinus(Pow(Scalar(g, t.DType(), beta2), t)))
	return Sub(p, MulScalar(Div(mHat, AddScalar(Sqrt(vHat), eps)), lr))
}

// sumSquares is Σ_i ‖x_i‖².
func sumSquares(xs []*Node) *Node {
	var s *Node
	for _, x := range xs {
		s = addOrSet(s, ReduceAllSum(Square(x)))
	}
	return s
}

// dotAll is Σ_i ⟨a_i, b_i⟩.
func dotAll(a, b []*Node) *Node {
	var s *Node
	for i := range a {
		s = addOrSet(s, ReduceAllSum(Mul(a[i], b[i])))
	}
	return s
}

// unstack splits a [K] node into K scalars.
func unstack(w *Node) []*Node {
	out := make([]*Node, w.Shape().Dim(0))
	for k := range out {
		out[k] = Squeeze(SliceAxis(w, 0, AxisElem(k)), 0)
	}
	return out
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
