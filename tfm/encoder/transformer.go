package encoder

import (
	"fmt"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/layers/attention"
	"github.com/gomlx/gomlx/ml/layers/norm"
	"github.com/gomlx/gomlx/ml/model"
)

// Output is what an encoder returns for a batch.
type Output struct {
	Hidden *Node // [B, L, D] one vector per input step (nil for the CNN)
	Mask   *Node // [B, L] bool, the input padding mask (nil for the CNN)
	Pooled *Node // [B, D] one vector per trajectory
	// Shared is a parameter every objective backpropagates through (the
	// final LayerNorm's gain): GradNorm measures task gradients on it. Nil
	// for the CNN.
	Shared *Node
	// Attention holds each Transformer layer's attention weights (softmax
	// coefficients A_ℓ, [B, H, L', L'], rows are queries, columns keys, each
	// row sums to 1 over the real keys), one per layer in order. With cls
	// pooling L' = L+1 and position 0 is the [CLS] token (row/column 0),
	// the inputs follow at 1…L; with mean pooling L' = L. Nil for the mha
	// attention implementation, the LSTM and the CNN.
	Attention []*Node
}

// layerNorm is GoMLX's LayerNorm over the last axis that leaves a frozen
// gain and offset frozen: norm.LayerNorm marks them trainable on every
// graph it builds (GoMLX v0.28.16, ml/layers/norm/layernorm.go), which
// would let LoRA or adapter training (Model.FreezeAllBut) move the norms.
func layerNorm(scope *model.Scope, x *Node) *Node {
	var frozen []*model.Variable
	for _, name := range []string{"gain", "offset"} {
		if v := scope.Store().GetVariable(scope.Scope() + "/layer_normalization/" + name); v != nil && !v.Trainable {
			frozen = append(frozen, v)
		}
	}
	h := norm.LayerNorm(scope, x, -1).Done()
	for _, v := range frozen {
		v.SetTrainable(false)
	}
	return h
}

// finalNorm is the last LayerNorm of a sequence encoder, with its gain as
// Output.Shared.
func finalNorm(scope *model.Scope, x *Node) (h, shared *Node) {
	s := scope.In("final_norm")
	h = layerNorm(s, x)
	if v := scope.Store().GetVariable(s.Scope() + "/layer_normalization/gain"); v != nil {
		shared = v.NodeValue(x.Graph())
	}
	return h, shared
}

// Encode runs the encoder cfg.Arch over the inputs, with variables under scope.
func Encode(scope *model.Scope, cfg Config, in Inputs) Output {
	switch cfg.Arch {
	case Transformer:
		return TransformerEncoder(scope, cfg, in)
	case LSTM:
		return LSTMEncoder(scope, cfg, in)
	case CNN:
		return CNNEncoder(scope, cfg, in)
	}
	panic(fmt.Sprintf("encoder: unknown arch %q", cfg.Arch))
}

// Embed is the sum of the per-step embeddings every sequence encoder starts
// from: x_i = spatial_i + temporal_i (the temporal part when cfg.Temporal).
func Embed(scope *model.Scope, cfg Config, in Inputs) *Node {
	x := SpatialEmbedding(scope.In("spatial"), cfg, in)
	if cfg.Temporal {
		x = Add(x, TemporalEmbedding(scope.In("temporal"), cfg, in))
	}
	return x
}

// TransformerEncoder is a pre-LayerNorm Transformer encoder:
//
//	x⁰_i = spatial_i + temporal_i + PE(i)          ([CLS] prepended for cls pooling)
//	for each layer ℓ:
//	  a  = x + MHA(LN(x), mask, bias)              (bias: START's time-interval bias, optional)
//	  x  = a + W₂·GELU(W₁·LN(a))
//	h = LN(x);  z = pool(h)
//
// With cfg.LoRARank > 0 the four dense layers of a block (qkv, output,
// ffn_in, ffn_out) carry LoRA updates (Dense); with cfg.Adapter > 0 each
// sublayer's output passes a bottleneck adapter before the residual add
// (Adapter).
//
// Attention runs with fusion off: the decomposed graph is ~10× faster on the
// pure-Go backend than its fused kernel.
func TransformerEncoder(scope *model.Scope, cfg Config, in Inputs) Output {
	g := in.Mask.Graph()
	x := Embed(scope.In("embed"), cfg, in) // [B, L, D]
	B, L := x.Shape().Dim(0), x.Shape().Dim(1)
	mask, deltaT := in.Mask, in.DeltaT
	cls := cfg.Pooling == PoolCLS
	if cls {
		token := scope.In("cls").VariableWithShape("embedding", shapes.Make(dtypes.Float32, 1, 1, cfg.Dim)).NodeValue(g)
		x = Concatenate([]*Node{BroadcastToDims(token, B, 1, cfg.Dim), x}, 1)
		mask = Concatenate([]*Node{Const(g, trueColumn(B)), mask}, 1)
		deltaT = Concatenate([]*Node{ZerosLike(SliceAxis(deltaT, 1, AxisRange(0, 1))), deltaT}, 1)
	}
	x = Add(x, ExpandAxes(PositionalEncoding(g, x.Shape().Dim(1), cfg.Dim), 0))
	var bias *Node
	if cfg.TimeBias {
		bias = TimeIntervalBias(scope.In("time_bias"), cfg, deltaT)
	}
	var weights []*Node
	for l := range cfg.Layers {
		var a *Node
		x, a = TransformerBlockWithAttention(scope.In("layer_%d", l), cfg, x, mask, bias)
		if a != nil {
			weights = append(weights, a)
		}
	}
	h, shared := finalNorm(scope, x)
	out := Output{Mask: in.Mask, Shared: shared, Attention: weights}
	if cls {
		out.Pooled = CLSPool(h)
		out.Hidden = SliceAxis(h, 1, AxisRange(1, L+1))
	} else {
		out.Pooled = MaskedMeanPool(h, mask)
		out.Hidden = h
	}
	return out
}

// TransformerBlock is one pre-LN block: self-attention then feed-forward,
// each added back to the residual stream.
func TransformerBlock(scope *model.Scope, cfg Config, x, mask, bias *Node) *Node {
	y, _ := TransformerBlockWithAttention(scope, cfg, x, mask, bias)
	return y
}

// TransformerBlockWithAttention is TransformerBlock that also returns the
// block's attention weights [B, H, L, L] (nil for the mha implementation).
func TransformerBlockWithAttention(scope *model.Scope, cfg Config, x, mask, bias *Node) (y, weights *Node) {
	h := layerNorm(scope.In("attn_norm"), x)
	var a *Node
	if cfg.Attention == AttentionMHA {
		mha := attention.SelfAttention(scope.In("attention"), h, cfg.Heads, cfg.Dim/cfg.Heads).
			UseQKVProjection().
			WithKeyMask(mask).
			WithFusion(false)
		if bias != nil {
			mha = mha.WithAttentionBias(bias)
		}
		a = mha.Done()
	} else {
		a, weights = SelfAttentionWithWeights(scope.In("self_attention"), cfg, h, mask, bias)
	}
	a = Adapter(scope.In("attn"), a, cfg.Adapter) // identity unless cfg.Adapter > 0
	x = Add(x, dropout(scope.In("attn_dropout"), cfg, a))

	h = layerNorm(scope.In("ffn_norm"), x)
	h = Dense(scope.In("ffn_in"), h, cfg.FFN, cfg.LoRARank, cfg.LoRAScale()) // + LoRA when cfg.LoRARank > 0
	h = activation.Gelu(h)
	h = Dense(scope.In("ffn_out"), h, cfg.Dim, cfg.LoRARank, cfg.LoRAScale())
	h = Adapter(scope.In("ffn"), h, cfg.Adapter)
	return Add(x, dropout(scope.In("ffn_dropout"), cfg, h)), weights
}

// SelfAttention is multi-head scaled dot-product self-attention
// (Vaswani et al. 2017) laid out heads-major, so the two attention matmuls
// need no transposes on the pure-Go backend:
//
//	[Q K V] = x·W_qkv                   one fused projection, split into H heads of D/H
//	A_h = softmax(Q_h·K_hᵀ/√(D/H) + bias_h + mask)     mask: −∞ on padded keys
//	y = concat_h(A_h·V_h)·W_o
//
// The core is GoMLX's attention.Core (LayoutBHSD, fusion off).
func SelfAttention(scope *model.Scope, cfg Config, x, mask, bias *Node) *Node {
	y, _ := SelfAttentionWithWeights(scope, cfg, x, mask, bias)
	return y
}

// SelfAttentionWithWeights is SelfAttention that also returns the attention
// weights A = [A_1 … A_H], [B, H, L, L] (query rows, key columns; the
// decomposed core computes them anyway, so nothing changes numerically).
func SelfAttentionWithWeights(scope *model.Scope, cfg Config, x, mask, bias *Node) (y, weights *Node) {
	B, L, D, H := x.Shape().Dim(0), x.Shape().Dim(1), cfg.Dim, cfg.Heads
	qkv := Dense(scope.In("qkv"), x, 3*D, cfg.LoRARank, cfg.LoRAScale()) // [B, L, 3D]
	qkv = TransposeAllAxes(Reshape(qkv, B, L, 3, H, D/H), 2, 0, 3, 1, 4) // [3, B, H, L, D/H]
	q := Squeeze(SliceAxis(qkv, 0, AxisElem(0)), 0)
	k := Squeeze(SliceAxis(qkv, 0, AxisElem(1)), 0)
	v := Squeeze(SliceAxis(qkv, 0, AxisElem(2)), 0)
	keyMask := Reshape(mask, B, 1, 1, L) // broadcast over heads and queries
	y, weights = attention.Core(q, k, v, attention.LayoutBHSD, attention.CoreOptions{
		DisableFusion: true, AttentionMask: keyMask, AttentionBias: bias,
	}) // [B, H, L, D/H], [B, H, L, L]
	y = Reshape(TransposeAllAxes(y, 0, 2, 1, 3), B, L, D)
	return Dense(scope.In("output"), y, D, cfg.LoRARank, cfg.LoRAScale()), weights
}

func dropout(scope *model.Scope, cfg Config, x *Node) *Node {
	if cfg.Dropout <= 0 {
		return x
	}
	return layers.DropoutStatic(scope, x, cfg.Dropout)
}

func trueColumn(b int) [][]bool {
	c := make([][]bool, b)
	for i := range c {
		c[i] = []bool{true}
	}
	return c
}

// LayerNorm is layer normalisation over the last axis under scope, kept
// frozen where its variables were frozen (GoMLX's norm.LayerNorm marks
// them trainable on every graph it builds): what code outside the encoders
// (multi-modal fusion) normalises with.
func LayerNorm(scope *model.Scope, x *Node) *Node { return layerNorm(scope, x) }
