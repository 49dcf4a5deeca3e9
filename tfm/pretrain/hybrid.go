package pretrain

import (
	"fmt"
	"math/rand/v2"

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
// or with weights adapted by a Balancer (uncertainty, GradNorm, DWA). The
// two contrastive views and the masked copy of each trajectory form one
// batch of 3B rows, so the encoder runs once per step.
type Hybrid struct {
	Con     *Contrastive
	Gen     *Generative
	Balance Balancer
}

// HybridConfig configures the balance of the two losses (each objective
// keeps its own config).
type HybridConfig struct {
	Balance string  // fixed | uncertainty | gradnorm | dwa (BalancerByName)
	Lambda  float64 // weight of the generative loss with Balance "fixed"
}

// DefaultHybridConfig is the even fixed mix λ = 0.5.
func DefaultHybridConfig() HybridConfig { return HybridConfig{Balance: "fixed", Lambda: 0.5} }

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
	bal, err := BalancerByName(cfg.Balance, cfg.Lambda)
	if err != nil {
		return nil, err
	}
	return &Hybrid{Con: c, Gen: g, Balance: bal}, nil
}

func (h *Hybrid) Name() string { return "hybrid" }
func (h *Hybrid) Terms() []string {
	return append([]string{"gen", "con", "w_gen", "w_con"}, h.Gen.Terms()[1], "embed_std")
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

// Loss encodes the 3B rows once and hands the encoder's output to HybridLoss.
func (h *Hybrid) Loss(scope *model.Scope, in tfm.Nodes) (*Node, []*Node) {
	out := h.Gen.branch.Encode(scope, in)
	contrastive := func(pooled *Node) (loss, embedStd *Node) { return h.Con.loss(scope, pooled) }
	generative := func(hidden *Node) (*Node, []*Node) {
		return h.Gen.loss(scope, hidden, in["target"], in["positions"], in["weights"])
	}
	return HybridLoss(scope, out, contrastive, generative, h.Balance)
}

// HybridLoss is the hybrid objective on one encoder pass over 3B rows: the
// two contrastive views (rows 0..2B) and the masked copies (rows 2B..3B),
//
//	L_con = contrastive(pooled[0:2B])        NT-Xent between the two views
//	L_gen = generative(hidden[2B:3B])        reconstruction of the hidden steps
//	L     = balance.Combine(L_gen, L_con)    weights measured on the shared final norm
//
// It returns L and the logged terms: L_gen, L_con, w_gen, w_con, the
// generative metric (accuracy or rmse_m) and the embeddings' spread.
func HybridLoss(scope *model.Scope, out encoder.Output, contrastive func(pooled *Node) (loss, embedStd *Node),
	generative func(hidden *Node) (loss *Node, terms []*Node), balance Balancer) (*Node, []*Node) {
	B := out.Pooled.Shape().Dim(0) / 3
	con, std := contrastive(SliceAxis(out.Pooled, 0, AxisRange(0, 2*B)))
	gen, genTerms := generative(SliceAxis(out.Hidden, 0, AxisRange(2*B, 3*B)))
	total, w := balance.Combine(scope, []*Node{gen, con}, out.Shared)
	return total, []*Node{gen, con, w[0], w[1], genTerms[1], std}
}
