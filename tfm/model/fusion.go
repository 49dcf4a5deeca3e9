package model

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers"
	mlmodel "github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"

	"github.com/tfm-course/course/tfm/encoder"
)

// How a multi-modal model fuses its branches' outputs into one vector per
// trip (Meta.Fusion). p_i is branch i's pooled vector, π_i ∈ {0, 1} whether
// the trip has view i (modality.Batch.Absent, Model.Only).
const (
	// FuseConcat is late fusion by concatenation, [π_1·p_1, …, π_K·p_K]
	// (a missing view is zeros; Dim is the sum of the branches' widths).
	FuseConcat = "concat"
	// FuseMean is late fusion by averaging the present views,
	// Σ π_i·p_i / Σ π_i.
	FuseMean = "mean"
	// FuseGated weighs the present views by a learned gate (attention
	// pooling over modalities): s_i = v·tanh(W·p_i + b),
	// α = softmax_{i: π_i=1}(s), fused = Σ α_i·p_i.
	FuseGated = "gated"
	// FuseCross lets the primary modality's steps attend to the other
	// views' steps (one multi-head cross-attention block with a learned
	// null key, so a trip with no other view attends to it):
	// H' = H_0 + Attn(LN(H_0), [null; H_1; …]), fused = pool(LN(H')).
	// A trip without the primary view gets the mean of its other views.
	FuseCross = "cross"
)

// Fusions lists the fusion strategies.
var Fusions = []string{FuseConcat, FuseMean, FuseGated, FuseCross}

// FusionScope is where fusion's variables live: inside the first branch's
// encoder scope, so Freeze, Params and the continual anchors count them.
const FusionScope = EncoderScope + "/fusion"

// InPresent is the per-branch input "<modality>/present", [B] float32:
// 1 where the trip has that view. A multi-modal model's Feed always has it.
const InPresent = "present"

// Fusion is the model's fusion strategy (FuseConcat unless set).
func (m *Model) Fusion() string {
	if m.Meta.Fusion == "" {
		return FuseConcat
	}
	return m.Meta.Fusion
}

// SetFusion picks the fusion strategy; every strategy but concat needs
// branches of one width (a shared output dimension).
func (m *Model) SetFusion(f string) error {
	f = strings.ToLower(strings.TrimSpace(f))
	if f == "" {
		f = FuseConcat
	}
	if !slices.Contains(Fusions, f) {
		return fmt.Errorf("model: unknown fusion %q (want one of %s)", f, strings.Join(Fusions, ", "))
	}
	if f != FuseConcat {
		for _, b := range m.Branches[1:] {
			if b.Encoder.Dim != m.Primary().Encoder.Dim {
				return fmt.Errorf("model: %s fusion needs branches of one width; %s has dim=%d, %s dim=%d",
					f, m.Primary().Modality.Name(), m.Primary().Encoder.Dim, b.Modality.Name(), b.Encoder.Dim)
			}
		}
	}
	m.Meta.Fusion, m.embed = f, nil
	if f == FuseConcat {
		m.Meta.Fusion = "" // as models saved before fusion existed
	}
	return nil
}

// Present returns π_i, [B] float32, for every branch: the feed's
// "<modality>/present" where it has one, else ones.
func (m *Model) Present(in Nodes, outs []encoder.Output) []*graph.Node {
	pi := make([]*graph.Node, len(m.Branches))
	for i, b := range m.Branches {
		if n, ok := in[b.Key(InPresent)]; ok {
			pi[i] = n
		} else {
			pi[i] = graph.OnesLike(graph.Slice(outs[i].Pooled, graph.AxisRange(), graph.AxisElem(0)))
			pi[i] = graph.Reshape(pi[i], pi[i].Shape().Dim(0))
		}
	}
	return pi
}

// Fuse combines the branches' outputs into one vector per trip, [B, Dim()],
// with the model's fusion strategy (FuseViews) and the views' presence pi
// (Present, or a modality-dropout mask during training).
func (m *Model) Fuse(scope *mlmodel.Scope, outs []encoder.Output, pi []*graph.Node) *graph.Node {
	if len(outs) == 1 {
		return outs[0].Pooled
	}
	return FuseViews(scope.At("%s", EncoderScope).In("fusion"), m.Fusion(), m.Primary().Encoder.Heads, outs, pi)
}

// FuseViews fuses the branches' outputs outs (the primary first) of trips
// whose views are present where pi[i] is 1, by fusion (FuseConcat,
// FuseMean, FuseGated, FuseCross; heads: cross-attention's), with its
// variables under scope.
func FuseViews(scope *mlmodel.Scope, fusion string, heads int, outs []encoder.Output, pi []*graph.Node) *graph.Node {
	switch fusion {
	case FuseMean:
		return MeanOfPresent(outs, pi, 0)
	case FuseGated:
		return GatedFusion(scope, outs, pi)
	case FuseCross:
		return CrossAttentionFusion(scope, heads, outs, pi)
	default: // concat
		ps := make([]*graph.Node, len(outs))
		for i, o := range outs {
			ps[i] = graph.Mul(o.Pooled, graph.ExpandAxes(pi[i], -1)) // a missing view is zeros
		}
		return graph.Concatenate(ps, -1)
	}
}

// GatedFusion is FuseGated: s_i = v·tanh(W·p_i + b), α = softmax over the
// present views, fused = Σ α_i·p_i.
func GatedFusion(scope *mlmodel.Scope, outs []encoder.Output, pi []*graph.Node) *graph.Node {
	g := outs[0].Pooled.Graph()
	ps := make([]*graph.Node, len(outs))
	for i, o := range outs {
		ps[i] = graph.ExpandAxes(o.Pooled, 1)
	}
	p := graph.Concatenate(ps, 1) // [B, K, D]
	h := graph.Tanh(layers.DenseWithBias(scope.In("gate"), p, p.Shape().Dim(-1)))
	s := graph.Squeeze(layers.Dense(scope.In("score"), h, false, 1), -1) // [B, K]
	present := graph.GreaterThan(graph.Stack(pi, 1), graph.ScalarZero(g, dtypes.Float32))
	alpha := graph.MaskedSoftmax(s, present, -1) // [B, K]
	return graph.ReduceSum(graph.Mul(p, graph.ExpandAxes(alpha, -1)), 1)
}

// MeanOfPresent is FuseMean over the branches from… on:
// Σ_{i≥from} π_i·p_i / max(1, Σ_{i≥from} π_i).
func MeanOfPresent(outs []encoder.Output, pi []*graph.Node, from int) *graph.Node {
	var sum, count *graph.Node
	for i := from; i < len(outs); i++ {
		w := graph.ExpandAxes(pi[i], -1)
		term := graph.Mul(outs[i].Pooled, w)
		if sum == nil {
			sum, count = term, w
		} else {
			sum, count = graph.Add(sum, term), graph.Add(count, w)
		}
	}
	return graph.Div(sum, graph.Max(count, graph.OnesLike(count)))
}

// CrossAttentionFusion is FuseCross with heads attention heads.
func CrossAttentionFusion(scope *mlmodel.Scope, heads int, outs []encoder.Output, pi []*graph.Node) *graph.Node {
	h0, m0 := outs[0].Hidden, outs[0].Mask
	if h0 == nil { // an image primary has no steps: its pooled vector is its one step
		h0 = graph.ExpandAxes(outs[0].Pooled, 1)
		m0 = graph.Ones(h0.Graph(), shapes.Make(dtypes.Bool, h0.Shape().Dim(0), 1))
	}
	g := h0.Graph()
	B, D := h0.Shape().Dim(0), h0.Shape().Dim(-1)
	// Keys: a learned null step, then every other view's steps (masked where
	// the step is padding or the view is missing).
	null := scope.In("null").WithInitializer(initializer.RandomNormalFn(scope, 0.02)).
		VariableWithShape("key", shapes.Make(dtypes.Float32, 1, 1, D)).NodeValue(g)
	keys := []*graph.Node{graph.BroadcastToDims(null, B, 1, D)}
	masks := []*graph.Node{graph.Ones(g, shapes.Make(dtypes.Bool, B, 1))}
	for i := 1; i < len(outs); i++ {
		h, mk := outs[i].Hidden, outs[i].Mask
		if h == nil {
			h = graph.ExpandAxes(outs[i].Pooled, 1)
			mk = graph.Ones(g, shapes.Make(dtypes.Bool, B, 1))
		}
		present := graph.GreaterThan(graph.ExpandAxes(pi[i], -1), graph.ScalarZero(g, dtypes.Float32)) // [B, 1]
		keys, masks = append(keys, h), append(masks, graph.LogicalAnd(mk, present))
	}
	kv := graph.Concatenate(keys, 1)     // [B, M, D]
	kmask := graph.Concatenate(masks, 1) // [B, M]
	dh := D / heads
	split := func(x *graph.Node) *graph.Node {
		return graph.Reshape(x, x.Shape().Dim(0), x.Shape().Dim(1), heads, dh)
	}
	x := encoder.LayerNorm(scope.In("norm_q"), h0)
	q := split(layers.DenseWithBias(scope.In("query"), x, D))
	k := split(layers.DenseWithBias(scope.In("key"), kv, D))
	v := split(layers.DenseWithBias(scope.In("value"), kv, D))
	scores := graph.MulScalar(graph.Einsum("blhd,bmhd->bhlm", q, k), 1/math.Sqrt(float64(dh))) // [B, H, L, M]
	a := graph.MaskedSoftmax(scores, graph.BroadcastToShape(graph.ExpandAxes(kmask, 1, 2), scores.Shape()), -1)
	att := graph.Einsum("bhlm,bmhd->blhd", a, v) // [B, L, H, dh]
	att = graph.Reshape(att, B, h0.Shape().Dim(1), D)
	hx := graph.Add(h0, layers.DenseWithBias(scope.In("out"), att, D))
	fused := encoder.MaskedMeanPool(encoder.LayerNorm(scope.In("norm_out"), hx), m0) // [B, D]
	// A trip without the primary view: the mean of its other views.
	p0 := graph.ExpandAxes(pi[0], -1)
	return graph.Add(graph.Mul(fused, p0), graph.Mul(MeanOfPresent(outs, pi, 1), graph.OneMinus(p0)))
}
