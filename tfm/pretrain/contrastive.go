package pretrain

import (
	"math/rand/v2"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/tfm-course/course/tfm/encoder"
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
	M           Modality
	Cfg         encoder.Config
	Augment     Augmentation
	Temperature float64
	ProjDim     int
	// QueueSize > 0 switches to MoCo: a momentum key encoder and a queue of
	// QueueSize negatives (see moco.go); Momentum is its m.
	QueueSize int
	Momentum  float64
}

// NewContrastive configures the objective from opt.
func NewContrastive(m Modality, cfg encoder.Config, opt Options) (*Contrastive, error) {
	aug, err := AugmentationByName(opt.Augment)
	if err != nil {
		return nil, err
	}
	return &Contrastive{M: m, Cfg: cfg, Augment: aug, Temperature: opt.Temperature, ProjDim: opt.ProjDim,
		QueueSize: opt.Queue, Momentum: opt.Momentum}, nil
}

func (c *Contrastive) Name() string    { return "contrastive" }
func (c *Contrastive) Terms() []string { return []string{"con", "embed_std"} }

// Views makes the two augmented views of every trajectory: [v_1..v_B, v'_1..v'_B].
func (c *Contrastive) Views(rng *rand.Rand, trajs []*traj.Trajectory) []*traj.Trajectory {
	views := make([]*traj.Trajectory, 2*len(trajs))
	for i, t := range trajs {
		for k := 0; k < 2; k++ {
			v := c.Augment(rng, t)
			if len(v.Points) < 2 {
				v = t
			} else if a, ok := c.M.(interface{ Accepts(*traj.Trajectory) bool }); ok && !a.Accepts(v) {
				v = t // e.g. a view that no longer map-matches
			}
			views[k*len(trajs)+i] = v
		}
	}
	return views
}

func (c *Contrastive) Inputs(rng *rand.Rand, trajs []*traj.Trajectory) ([]*tensors.Tensor, error) {
	b, err := c.M.Batch(c.Views(rng, trajs), c.Cfg.MaxLen)
	if err != nil {
		return nil, err
	}
	return encoder.Tensors(c.Cfg, b)
}

func (c *Contrastive) Loss(scope *model.Scope, inputs []*Node) (*Node, []*Node) {
	if c.QueueSize > 0 {
		loss, std := c.mocoLoss(scope, inputs)
		return loss, []*Node{loss, std}
	}
	z := encode(scope, c.Cfg, inputs).Pooled // [2B, D]
	loss, std := c.loss(scope, z)
	return loss, []*Node{loss, std}
}

func (c *Contrastive) loss(scope *model.Scope, pooled *Node) (loss, embedStd *Node) {
	z := ProjectionHead(scope.At("projection"), pooled, c.ProjDim)
	halves := Split(z, 0, 2)
	return NTXent(halves[0], halves[1], c.Temperature), EmbeddingStd(pooled)
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
