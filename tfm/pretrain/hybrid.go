package pretrain

import (
	"fmt"
	"math/rand/v2"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/tfm-course/course/tfm/encoder"
	"github.com/tfm-course/course/tfm/modality"
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

// NewHybrid configures the objective from opt (Lambda, Balance).
func NewHybrid(m Modality, cfg encoder.Config, opt Options) (*Hybrid, error) {
	con, err := NewContrastive(m, cfg, opt)
	if err != nil {
		return nil, err
	}
	gen, err := NewGenerative(m, cfg, opt)
	if err != nil {
		return nil, err
	}
	bal, err := BalancerByName(opt.Balance, opt.Lambda)
	if err != nil {
		return nil, err
	}
	return &Hybrid{Con: con, Gen: gen, Balance: bal}, nil
}

func (h *Hybrid) Name() string { return "hybrid" }
func (h *Hybrid) Terms() []string {
	return append([]string{"gen", "con", "w_gen", "w_con"}, h.Gen.Terms()[1], "embed_std")
}

func (h *Hybrid) Inputs(rng *rand.Rand, trajs []*traj.Trajectory) ([]*tensors.Tensor, error) {
	views, err := h.Con.M.Batch(h.Con.Views(rng, trajs), h.Con.Cfg.MaxLen)
	if err != nil {
		return nil, err
	}
	orig, err := h.Gen.M.Batch(trajs, h.Gen.Cfg.MaxLen)
	if err != nil {
		return nil, err
	}
	target := h.Gen.targets(orig)
	hidden := h.Gen.Mask(rng, orig)
	all, err := ConcatBatches(views, orig)
	if err != nil {
		return nil, err
	}
	ins, err := encoder.Tensors(h.Gen.Cfg, all)
	if err != nil {
		return nil, err
	}
	return append(ins, h.Gen.scored(rng, target, hidden, orig.Size, orig.Len)...), nil
}

func (h *Hybrid) Loss(scope *model.Scope, inputs []*Node) (*Node, []*Node) {
	cfg := h.Gen.Cfg
	n := encoder.NumInputs(cfg)
	target, positions, weights := inputs[n], inputs[n+1], inputs[n+2]
	out := encode(scope, cfg, inputs[:n]) // 3B rows: view, view', masked
	B := out.Pooled.Shape().Dim(0) / 3
	con, std := h.Con.loss(scope, SliceAxis(out.Pooled, 0, AxisRange(0, 2*B)))
	gen, genTerms := h.Gen.loss(scope, SliceAxis(out.Hidden, 0, AxisRange(2*B, 3*B)), target, positions, weights)
	shared := scope.Store().GetVariable("/" + EncoderScope + "/final_norm/layer_normalization/gain")
	var sharedNode *Node
	if shared != nil {
		sharedNode = shared.NodeValue(target.Graph())
	}
	total, w := h.Balance.Combine(scope, []*Node{gen, con}, sharedNode)
	return total, []*Node{gen, con, w[0], w[1], genTerms[1], std}
}

// ConcatBatches stacks the rows of batches of equal length and kind.
func ConcatBatches(bs ...*modality.Batch) (*modality.Batch, error) {
	out := &modality.Batch{Len: bs[0].Len, NumFeatures: bs[0].NumFeatures}
	for _, b := range bs {
		if b.Len != out.Len || b.NumFeatures != out.NumFeatures || (b.Tokens == nil) != (bs[0].Tokens == nil) {
			return nil, fmt.Errorf("cannot concatenate batches of different shapes (L %d vs %d, F %d vs %d)", b.Len, out.Len, b.NumFeatures, out.NumFeatures)
		}
		out.Size += b.Size
		if b.Tokens != nil {
			out.Tokens = append(out.Tokens, b.Tokens...)
		}
		if b.Features != nil {
			out.Features = append(out.Features, b.Features...)
		}
		out.Mask = append(out.Mask, b.Mask...)
		out.TimeOfDay = append(out.TimeOfDay, orZeros(b.TimeOfDay, b.Size*b.Len)...)
		out.DayOfWeek = append(out.DayOfWeek, orZerosInt(b.DayOfWeek, b.Size*b.Len)...)
		out.DeltaT = append(out.DeltaT, orZeros(b.DeltaT, b.Size*b.Len)...)
		out.IDs = append(out.IDs, b.IDs...)
	}
	return out, nil
}

func orZeros(x []float32, n int) []float32 {
	if x == nil {
		return make([]float32, n)
	}
	return x
}

func orZerosInt(x []int32, n int) []int32 {
	if x == nil {
		return make([]int32, n)
	}
	return x
}
