package pretrain

import (
	"fmt"
	"math/rand/v2"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/tfm-course/course/tfm/modality"
	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/traj"
)

// Contrastive is SimCLR-style contrastive pre-training (as TrajCL, Chang et
// al. 2023): two augmented views of each trajectory are encoded, projected
// by a small MLP head g, and NT-Xent pulls the two views of a trajectory
// together and pushes the other 2B−2 in-batch views away:
//
//	v, v' = aug(T), aug(T);  z = g(f(v)), z' = g(f(v'));  L = NTXent(z, z'; τ)
//
// Both views go through the encoder as one batch of 2B rows (one large
// matmul per layer instead of two).
type Contrastive struct {
	M       *tfm.Model
	Cfg     ContrastiveConfig
	Augment Augmentation
}

// ContrastiveConfig configures contrastive pre-training.
type ContrastiveConfig struct {
	Temperature float64 // τ of NT-Xent
	ProjDim     int     // width of the projection head's output z
	Augment     string  // "default" or a comma list, see AugmentationByName
	// Queue > 0 switches to MoCo: a momentum key encoder and a queue of
	// Queue negatives (see moco.go); Momentum is its m.
	Queue    int
	Momentum float64
}

// DefaultContrastiveConfig is SimCLR at τ = 0.1 with crop + jitter views.
func DefaultContrastiveConfig() ContrastiveConfig {
	return ContrastiveConfig{Temperature: 0.1, ProjDim: 64, Augment: "default", Momentum: 0.99}
}

// NewContrastive builds the objective over every branch of m (a multi-modal
// model contrasts its fused embeddings).
func NewContrastive(m *tfm.Model, cfg ContrastiveConfig) (*Contrastive, error) {
	aug, err := AugmentationByName(cfg.Augment)
	if err != nil {
		return nil, err
	}
	if cfg.Queue > 0 && len(m.Branches) != 1 {
		return nil, fmt.Errorf("contrastive: MoCo (queue > 0) needs a model of one modality, this one has %v", m.Modalities())
	}
	return &Contrastive{M: m, Cfg: cfg, Augment: aug}, nil
}

func (c *Contrastive) Name() string    { return "contrastive" }
func (c *Contrastive) Terms() []string { return []string{"con", "embed_std"} }

// Views makes the two augmented views of every trajectory: [v_1..v_B, v'_1..v'_B].
func (c *Contrastive) Views(rng *rand.Rand, trajs []*traj.Trajectory) []*traj.Trajectory {
	views := make([]*traj.Trajectory, 2*len(trajs))
	for i, t := range trajs {
		for k := 0; k < 2; k++ {
			v := c.Augment(rng, t)
			if len(v.Points) < 2 || !c.accepts(v) {
				v = t // e.g. a view that no longer map-matches
			}
			views[k*len(trajs)+i] = v
		}
	}
	return views
}

func (c *Contrastive) accepts(v *traj.Trajectory) bool {
	for _, b := range c.M.Branches {
		if s, ok := b.Modality.(modality.Selective); ok && !s.Accepts(v) {
			return false
		}
	}
	return true
}

func (c *Contrastive) Inputs(rng *rand.Rand, trajs []*traj.Trajectory) (tfm.Feed, error) {
	bs, err := c.M.Batches(c.Views(rng, trajs))
	if err != nil {
		return nil, err
	}
	return c.M.Feed(bs...)
}

func (c *Contrastive) Loss(scope *model.Scope, in tfm.Nodes) (*Node, []*Node) {
	if c.Cfg.Queue > 0 {
		loss, std := c.mocoLoss(scope, in)
		return loss, []*Node{loss, std}
	}
	z := c.M.Pooled(scope, in) // [2B, D]
	loss, std := c.loss(scope, z)
	return loss, []*Node{loss, std}
}

func (c *Contrastive) loss(scope *model.Scope, pooled *Node) (loss, embedStd *Node) {
	z := ProjectionHead(scope.At("projection"), pooled, c.Cfg.ProjDim)
	halves := Split(z, 0, 2)
	return NTXent(halves[0], halves[1], c.Cfg.Temperature), EmbeddingStd(pooled)
}

// ProjectionHead is SimCLR's g: z = W₂·ReLU(W₁·h). The loss is computed on
// z, and downstream tasks use h (the head absorbs augmentation-specific
// information).
func ProjectionHead(scope *model.Scope, h *Node, dim int) *Node {
	x := layers.DenseWithBias(scope.In("hidden"), h, h.Shape().Dim(-1))
	return layers.DenseWithBias(scope.In("out"), activation.Relu(x), dim)
}

// EmbeddingStd is the mean over dimensions of the per-dimension standard
// deviation of L2-normalised embeddings [N, D] — the collapse signal of
// SimSiam (≈ 1/√D when healthy, → 0 when all embeddings coincide).
func EmbeddingStd(h *Node) *Node {
	z := L2NormalizeWithEpsilon(h, 1e-6, -1)
	mean := ReduceMean(z, 0)
	v := ReduceMean(Square(Sub(z, ExpandAxes(mean, 0))), 0)
	return ReduceAllMean(Sqrt(v))
}
