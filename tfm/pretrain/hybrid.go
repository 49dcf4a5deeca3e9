package pretrain

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/tfm-course/course/tfm/encoder"
	"github.com/tfm-course/course/tfm/modality"
	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/traj"
)

// Hybrid trains one encoder on both objectives at once:
//
//	L = λ·L_gen + (1−λ)·L_con                         (fixed λ)
//
// or with weights (and, for PCGrad, the update itself) decided each step
// by a Balancer from the two losses and their gradients on the shared
// encoder. The two contrastive views and the masked copy of each
// trajectory are one step's 3B rows.
type Hybrid struct {
	Con     *Contrastive
	Gen     *Generative
	Balance Balancer
	// update holds, per graph, the balanced update of the shared encoder's
	// parameters by variable path (SharedUpdate hands it to the optimiser).
	update map[*Graph]map[string]*Node
}

// HybridConfig configures the balance of the two losses (each objective
// keeps its own config).
type HybridConfig struct {
	// Balance is a balancer spec, NAME or NAME:key=value,… (BalancerByName):
	// fixed | uncertainty | gradnorm | dwa | pcgrad | scalenorm.
	Balance string
	Lambda  float64 // weight of the generative loss with Balance "fixed"
	// Balancer, when set, is used instead of Balance: a balancer of one's
	// own (e.g. written in a notebook cell); runs record its Name().
	Balancer Balancer `json:"-"`
}

// DefaultHybridConfig is the even fixed mix λ = 0.5.
func DefaultHybridConfig() HybridConfig { return HybridConfig{Balance: "fixed", Lambda: 0.5} }

// balancer is the configured balancer.
func (c HybridConfig) balancer() (Balancer, error) {
	if c.Balancer != nil {
		return c.Balancer, nil
	}
	return BalancerByName(c.Balance, c.Lambda)
}

// BalanceName is the balancer's name as runs record it: the spec, or a
// custom balancer's Name().
func (c HybridConfig) BalanceName() string {
	if c.Balancer != nil {
		return c.Balancer.Name()
	}
	return c.Balance
}

// NewHybrid builds both objectives over the one modality of m and the balancer.
func NewHybrid(m *tfm.Model, con ContrastiveConfig, gen GenerativeConfig, cfg HybridConfig) (*Hybrid, error) {
	c, err := NewContrastive(m, con)
	if err != nil {
		return nil, err
	}
	g, err := NewGenerative(m, gen)
	if err != nil {
		return nil, err
	}
	if con.Queue > 0 {
		return nil, fmt.Errorf("hybrid pre-training uses in-batch contrastive negatives (queue must be 0)")
	}
	bal, err := cfg.balancer()
	if err != nil {
		return nil, err
	}
	return &Hybrid{Con: c, Gen: g, Balance: bal, update: map[*Graph]map[string]*Node{}}, nil
}

func (h *Hybrid) Name() string { return "hybrid" }
func (h *Hybrid) Terms() []string {
	return append([]string{"gen", "con", "w_gen", "w_con"}, h.Gen.Terms()[1], "embed_std", "grad_gen", "grad_con", "grad_cos")
}

func (h *Hybrid) Inputs(rng *rand.Rand, trajs []*traj.Trajectory) (tfm.Feed, error) {
	b := h.Gen.branch
	views, err := b.Modality.Batch(h.Con.Views(rng, trajs), b.Encoder.MaxLen)
	if err != nil {
		return nil, err
	}
	orig, err := b.Modality.Batch(trajs, b.Encoder.MaxLen)
	if err != nil {
		return nil, err
	}
	target := h.Gen.targets(orig)
	hidden := h.Gen.Mask(rng, orig)
	all, err := modality.Concat(views, orig) // 3B rows: view, view', masked
	if err != nil {
		return nil, err
	}
	f, err := h.Gen.M.Feed(all)
	if err != nil {
		return nil, err
	}
	h.Gen.addScored(f, rng, target, hidden, orig.Size, orig.Len)
	return f, nil
}

// Loss encodes the views (rows 0..2B) and the masked copies (rows 2B..3B)
// in two passes of the one encoder and hands them to HybridLoss.
func (h *Hybrid) Loss(scope *model.Scope, in tfm.Nodes) (*Node, []*Node) {
	b := h.Gen.branch
	rows := branchRows(in, b)
	views := b.Encode(scope, sliceRows(in, b, 0, 2*rows/3))
	masked := b.Encode(scope, sliceRows(in, b, 2*rows/3, rows))
	names, theta := SharedParams(scope, b.Scope, masked.Pooled.Graph())
	contrastive := func(pooled *Node) (loss, embedStd *Node) { return h.Con.loss(scope, pooled) }
	generative := func(hidden *Node) (*Node, []*Node) {
		return h.Gen.loss(scope, hidden, in["target"], in["positions"], in["weights"])
	}
	loss, update, terms := HybridLoss(scope, views, masked, theta, contrastive, generative, h.Balance)
	byName := make(map[string]*Node, len(names))
	for i, n := range names {
		byName[n] = update[i]
	}
	h.update[loss.Graph()] = byName
	return loss, terms
}

// SharedUpdate is the balanced update of the encoder's parameters in graph
// g (the optimiser applies it instead of differentiating the loss).
func (h *Hybrid) SharedUpdate(g *Graph) map[string]*Node { return h.update[g] }

// HybridLoss is the hybrid objective on two passes of one encoder with
// shared parameters θ: the two contrastive views (2B rows) and the masked
// copies (B rows),
//
//	L_con = contrastive(views.Pooled)        NT-Xent between the two views
//	L_gen = generative(masked.Hidden)        reconstruction of the hidden steps
//	g_k   = ∇_θ L_k                          each term's gradient on the shared encoder
//	w, L, Δθ = balance(L_gen, L_con; g_gen, g_con)
//
// Each g_k is a backward pass over its own rows only, so the two cost what
// differentiating L would. Δθ is Σ_k w_k·g_k unless the balancer rewrites
// it (PCGrad); the optimiser applies it to θ and differentiates L for the
// heads. It returns L, Δθ and the logged terms: L_gen, L_con, w_gen,
// w_con, the generative metric (accuracy or rmse_m), the embeddings'
// spread, ‖g_gen‖, ‖g_con‖ and cos(g_gen, g_con).
func HybridLoss(scope *model.Scope, views, masked encoder.Output, theta []*Node,
	contrastive func(pooled *Node) (loss, embedStd *Node), generative func(hidden *Node) (loss *Node, terms []*Node),
	balance Balancer) (loss *Node, update []*Node, terms []*Node) {
	con, std := contrastive(views.Pooled)
	gen, genTerms := generative(masked.Hidden)
	losses := []*Node{gen, con}
	grads := make([][]*Node, len(losses))
	for k, l := range losses {
		if len(theta) > 0 {
			grads[k] = Gradient(l, theta...)
		}
	}
	b := balance.Balance(BalanceStep{Scope: scope, Losses: losses, Grads: grads})
	update = b.Shared
	if update == nil {
		update = make([]*Node, len(theta))
		for k := range losses {
			for i, gr := range grads[k] {
				update[i] = addOrSet(update[i], Mul(ConvertDType(StopGradient(b.Weights[k]), gr.DType()), gr))
			}
		}
	}
	g := gen.Graph()
	normGen, normCon, cos := Scalar(g, gen.DType(), 0), Scalar(g, gen.DType(), 0), Scalar(g, gen.DType(), 0)
	if len(theta) > 0 {
		normGen, normCon = Sqrt(sumSquares(grads[0])), Sqrt(sumSquares(grads[1]))
		cos = Div(dotAll(grads[0], grads[1]), MaxScalar(Mul(normGen, normCon), 1e-20))
	}
	return b.Total, update, []*Node{gen, con, b.Weights[0], b.Weights[1], genTerms[1], std, normGen, normCon, cos}
}

// SharedParams lists the trainable parameters under the encoder scope
// encScope that graph g uses, with their variable paths, in path order.
func SharedParams(scope *model.Scope, encScope string, g *Graph) (paths []string, params []*Node) {
	prefix := "/" + encScope + "/"
	var vars []*model.Variable
	for v := range scope.IterVariables() {
		if v.Trainable && v.InUseByGraph(g) && strings.HasPrefix(v.Path(), prefix) {
			vars = append(vars, v)
		}
	}
	sort.Slice(vars, func(a, b int) bool { return vars[a].Path() < vars[b].Path() })
	for _, v := range vars {
		paths = append(paths, v.Path())
		params = append(params, v.NodeValue(g))
	}
	return paths, params
}

// branchRows is the number of rows of branch b's inputs.
func branchRows(in tfm.Nodes, b *tfm.Branch) int {
	prefix := b.Modality.Name() + "/"
	for k, n := range in {
		if strings.HasPrefix(k, prefix) && n.Rank() > 0 {
			return n.Shape().Dim(0)
		}
	}
	panic(fmt.Sprintf("hybrid: no %s inputs", b.Modality.Name()))
}

// sliceRows keeps rows [from, to) of branch b's inputs (every one is
// batch-major).
func sliceRows(in tfm.Nodes, b *tfm.Branch, from, to int) tfm.Nodes {
	prefix := b.Modality.Name() + "/"
	out := tfm.Nodes{}
	for k, n := range in {
		if strings.HasPrefix(k, prefix) {
			out[k] = SliceAxis(n, 0, AxisRange(from, to))
		}
	}
	return out
}
