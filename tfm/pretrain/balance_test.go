package pretrain

import (
	"math"
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// toyStep is one step of a two-task toy: a shared θ ∈ R² (held fixed) and
//
//	L_k = c_k·‖θ − a_k‖²,   g_k = 2·c_k·(θ − a_k)
//
// with the scales c_k scripted per step, so the losses can live on very
// different scales and fall at chosen speeds.
type toyStep struct {
	W      [2]float64 // the balancer's effective weights
	Share  float64    // w_0/(w_0+w_1)
	Loss   [2]float64
	G      [2][2]float64 // g_k
	Update [2]float64    // the balanced update of θ
}

// toy runs balancer b for len(scales) steps at θ with targets a.
func toy(t *testing.T, b Balancer, scales [][2]float64, theta [2]float32, a [2][2]float32) []toyStep {
	t.Helper()
	be := testBackend(t)
	store := model.NewStore()
	fn := func(scope *model.Scope, c *Node) []*Node {
		g := c.Graph()
		th := scope.VariableWithValue("theta", theta[:]).SetTrainable(false).NodeValue(g)
		var losses []*Node
		var grads [][]*Node
		for k := 0; k < 2; k++ {
			ck := Squeeze(SliceAxis(c, 0, AxisElem(k)), 0)
			d := Sub(th, Const(g, a[k][:]))
			losses = append(losses, Mul(ck, ReduceAllSum(Square(d))))
			grads = append(grads, []*Node{MulScalar(Mul(ck, d), 2)})
		}
		bal := b.Balance(BalanceStep{Scope: scope, Losses: losses, Grads: grads})
		update := bal.Shared
		if update == nil {
			update = []*Node{Add(Mul(bal.Weights[0], grads[0][0]), Mul(bal.Weights[1], grads[1][0]))}
		}
		return []*Node{bal.Weights[0], bal.Weights[1], losses[0], losses[1], grads[0][0], grads[1][0], update[0]}
	}
	var out []toyStep
	for _, c := range scales {
		// A fresh executor per step: a graph compiled while its variables
		// were being created keeps reading their initial values.
		res := model.MustNewExec(be, store, fn).MustExec([]float32{float32(c[0]), float32(c[1])})
		f := func(j int) []float32 { return tensors.MustCopyFlatData[float32](res[j]) }
		var s toyStep
		s.W = [2]float64{float64(f(0)[0]), float64(f(1)[0])}
		s.Share = s.W[0] / (s.W[0] + s.W[1])
		s.Loss = [2]float64{float64(f(2)[0]), float64(f(3)[0])}
		for k := 0; k < 2; k++ {
			s.G[k] = [2]float64{float64(f(4 + k)[0]), float64(f(4 + k)[1])}
		}
		s.Update = [2]float64{float64(f(6)[0]), float64(f(6)[1])}
		out = append(out, s)
	}
	return out
}

// constant repeats the scales (c_0, c_1) n times.
func constant(n int, c0, c1 float64) [][2]float64 {
	s := make([][2]float64, n)
	for i := range s {
		s[i] = [2]float64{c0, c1}
	}
	return s
}

var (
	toyTheta   = [2]float32{0.3, 0.2}
	toyTargets = [2][2]float32{{1, 0}, {0, 2}} // g_0·g_1 < 0 at toyTheta: the tasks conflict
)

func dot(a, b [2]float64) float64 { return a[0]*b[0] + a[1]*b[1] }

func TestFixedWeights(t *testing.T) {
	s := toy(t, Fixed{Weights: []float64{0.2, 0.8}}, constant(3, 100, 1), toyTheta, toyTargets)
	for _, st := range s {
		if math.Abs(st.W[0]-0.2) > 1e-6 || math.Abs(st.W[1]-0.8) > 1e-6 {
			t.Fatalf("fixed weights %v", st.W)
		}
	}
}

// Kendall et al.: a loss that stays large (a noisy task) is down-weighted,
// towards w_k = 1/(2·L_k).
func TestUncertaintyDownWeightsTheLargeLoss(t *testing.T) {
	s := toy(t, DefaultUncertainty(), constant(150, 100, 1), toyTheta, toyTargets)
	if s[0].W != [2]float64{0.5, 0.5} {
		t.Fatalf("uncertainty weights at s = 0: %v, want ½·exp(0) = 0.5 each", s[0].W)
	}
	last := s[len(s)-1]
	if !(last.Share < 0.2) {
		t.Fatalf("uncertainty: share of the loss 100× larger %.3f after 150 steps, want < 0.2 (weights %v, losses %v)", last.Share, last.W, last.Loss)
	}
	for k := 0; k < 2; k++ { // heading for the optimum w_k = 1/(2 L_k)
		if want := 1 / (2 * last.Loss[k]); !(last.W[k] < 0.5 && math.Abs(math.Log(last.W[k]/want)) < math.Log(0.5/want)) {
			t.Errorf("task %d: weight %.4g did not move from 0.5 towards 1/(2L) = %.4g", k, last.W[k], want)
		}
	}
}

// Chen et al.: the task with the larger gradient norm loses weight until
// the weighted norms w_k·‖g_k‖ meet.
func TestGradNormEqualisesGradientNorms(t *testing.T) {
	s := toy(t, DefaultGradNorm(), constant(120, 100, 1), toyTheta, toyTargets)
	gap := func(st toyStep) float64 {
		n0, n1 := st.W[0]*math.Hypot(st.G[0][0], st.G[0][1]), st.W[1]*math.Hypot(st.G[1][0], st.G[1][1])
		return math.Abs(math.Log(n0 / n1))
	}
	first, last := s[0], s[len(s)-1]
	if !(last.Share < 0.2) || math.Abs(last.W[0]+last.W[1]-1) > 1e-3 {
		t.Fatalf("GradNorm weights %v: want the task with the ~40× larger gradient below 0.2, summing to 1", last.W)
	}
	if !(gap(last) < gap(first)/2) {
		t.Fatalf("GradNorm: |log(w₀‖g₀‖ / w₁‖g₁‖)| %.2f at the start, %.2f at the end: want it halved", gap(first), gap(last))
	}
}

// Liu et al.: the task whose loss falls faster gets the smaller weight;
// weights stay equal until two windows are full.
func TestDWAFavoursTheSlowerTask(t *testing.T) {
	var scales [][2]float64
	for i := 0; i < 30; i++ {
		scales = append(scales, [2]float64{100 * math.Pow(0.9, float64(i)), math.Pow(0.99, float64(i))})
	}
	s := toy(t, DWA{Temperature: 2, Window: 5}, scales, toyTheta, toyTargets)
	for i := 0; i < 10; i++ {
		if math.Abs(s[i].W[0]-0.5) > 1e-6 {
			t.Fatalf("DWA step %d: weights %v before two windows are full, want ½ each", i+1, s[i].W)
		}
	}
	last := s[len(s)-1]
	// r_0 = 0.9^5 ≈ 0.59, r_1 = 0.99^5 ≈ 0.95: w_0 = 1/(1+exp((r_1−r_0)/2)) ≈ 0.455.
	want := 1 / (1 + math.Exp((math.Pow(0.99, 5)-math.Pow(0.9, 5))/2))
	if math.Abs(last.W[0]-want) > 1e-3 || math.Abs(last.W[0]+last.W[1]-1) > 1e-5 {
		t.Fatalf("DWA weights %v, want w_0 = %.4f (the faster-falling task weighs less), summing to 1", last.W, want)
	}
}

// Scale normalisation: each loss divided by its initial value, so a loss
// 100× larger gets a weight about 100× smaller.
func TestScaleNormDividesByTheInitialLoss(t *testing.T) {
	s := toy(t, ScaleNorm{Window: 4}, constant(6, 100, 1), toyTheta, toyTargets)
	l := s[0].Loss
	want := (1 / l[0]) / (1/l[0] + 1/l[1])
	for _, st := range s {
		if math.Abs(st.Share-want) > 1e-5 || math.Abs(st.W[0]+st.W[1]-1) > 1e-5 {
			t.Fatalf("scale-norm weights %v, want share %.5f = (1/L₀)/(1/L₀+1/L₁)", st.W, want)
		}
	}
}

// Yu et al.: with conflicting gradients the projected update lowers (to
// first order) neither loss, where the plain mix sacrifices the small task;
// without conflict PCGrad is the plain mix.
func TestPCGradRemovesTheConflict(t *testing.T) {
	pc := toy(t, PCGrad{}, constant(1, 10, 1), toyTheta, toyTargets)[0]
	mix := toy(t, Fixed{Weights: []float64{0.5, 0.5}}, constant(1, 10, 1), toyTheta, toyTargets)[0]
	if dot(pc.G[0], pc.G[1]) >= 0 {
		t.Fatalf("the toy's gradients %v do not conflict", pc.G)
	}
	if dot(mix.Update, mix.G[1]) >= 0 {
		t.Fatalf("the plain mix %v should increase the small task's loss (g₁ = %v)", mix.Update, mix.G[1])
	}
	// Δθ = a_0·g_0 + a_1·g_1 with the logged weights a_k.
	for i := 0; i < 2; i++ {
		if want := pc.W[0]*pc.G[0][i] + pc.W[1]*pc.G[1][i]; math.Abs(pc.Update[i]-want) > 1e-4 {
			t.Fatalf("PCGrad update %v, want Σ a_k·g_k = %v with the logged weights %v", pc.Update, want, pc.W)
		}
	}
	for k := 0; k < 2; k++ {
		if d := dot(pc.Update, pc.G[k]); d < -1e-5 {
			t.Errorf("PCGrad update %v against g_%d = %v: inner product %.4g < 0", pc.Update, k, pc.G[k], d)
		}
	}
	agree := [2][2]float32{{1, 0}, {1, 1}} // both pull θ the same way
	pc, mix = toy(t, PCGrad{}, constant(1, 10, 1), toyTheta, agree)[0], toy(t, Fixed{Weights: []float64{0.5, 0.5}}, constant(1, 10, 1), toyTheta, agree)[0]
	if math.Abs(pc.Update[0]-mix.Update[0]) > 1e-5 || math.Abs(pc.Update[1]-mix.Update[1]) > 1e-5 || pc.W != [2]float64{0.5, 0.5} {
		t.Fatalf("without conflict PCGrad %v should equal the ½ mix %v", pc.Update, mix.Update)
	}
}

func TestBalancerByName(t *testing.T) {
	b, err := BalancerByName("dwa:window=7,temperature=1.5", 0.5)
	if err != nil || b.(DWA) != (DWA{Temperature: 1.5, Window: 7}) {
		t.Fatalf("dwa spec: %v, %v", b, err)
	}
	if b, err := BalancerByName("fixed:lambda=0.8", 0.5); err != nil || b.(Fixed).Weights[0] != 0.8 {
		t.Fatalf("fixed spec: %v, %v", b, err)
	}
	if b, err := BalancerByName("", 0.3); err != nil || b.(Fixed).Weights[1] != 0.7 {
		t.Fatalf("empty spec: %v, %v", b, err)
	}
	for spec, want := range map[string]string{
		"dwa:windw=3":       `balancer dwa: unknown setting "windw" (it takes temperature, window)`,
		"gradnorm:alpha=x":  `balancer gradnorm: alpha="x" is not a number`,
		"pcgrad:lr=1":       `balancer pcgrad: unknown setting "lr" (it takes no settings)`,
		"uncertainty:lr=0":  `balancer uncertainty: lr=0 out of range (want in (0, 10])`,
		"fixed:lambda=1.5":  `balancer fixed: lambda=1.5 out of range (want in [0, 1])`,
		"gradnrom":          `unknown balancer "gradnrom" (want one of fixed, uncertainty, gradnorm, dwa, pcgrad, scalenorm)`,
		"scalenorm:window=": `balancer scalenorm: window="" is not a number`,
	} {
		if _, err := BalancerByName(spec, 0.5); err == nil || err.Error() != want {
			t.Errorf("%q: error %v, want %q", spec, err, want)
		}
	}
}
