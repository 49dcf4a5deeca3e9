package encoder

import (
	"math"
	"strings"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
)

// Parameter-efficient adaptation of a pre-trained Transformer: LoRA in its
// dense layers (cfg.LoRARank) and bottleneck adapters after its sublayers
// (cfg.Adapter). Their variables live in scopes whose last element is
// LoRAScope or AdapterScope (IsAdaptation), so a continued pre-training run
// can train them alone (model.FreezeAllBut(encoder.IsAdaptation)).

// Scope names of the adaptation variables.
const (
	LoRAScope    = "lora"
	AdapterScope = "adapter"
)

// IsAdaptation reports whether a variable scope holds LoRA or adapter
// variables: its last element is "lora" or "adapter".
func IsAdaptation(scope string) bool {
	last := scope[strings.LastIndex(scope, "/")+1:]
	return last == LoRAScope || last == AdapterScope
}

// LoRAScale is α/r, the factor of the low-rank update (α defaults to r).
func (c Config) LoRAScale() float64 {
	if c.LoRARank <= 0 {
		return 0
	}
	if c.LoRAAlpha == 0 {
		return 1
	}
	return c.LoRAAlpha / float64(c.LoRARank)
}

// Dense is the encoder's linear layer, with LoRA (Hu et al. 2021) of rank
// r > 0 and scale = α/r (Config.LoRARank, Config.LoRAScale):
//
//	y = x·W + b                      (variables scope/dense/{weights,biases}, as layers.DenseWithBias)
//	  + (α/r)·(x·A)·B                A [in, r] ~ N(0, 1/in), B [r, out] = 0   (scope/lora/{a,b})
//
// B starts at zero, so a fresh LoRA layer computes exactly the base layer;
// training only A and B adapts W by the rank-r product A·B. With r = 0 it is
// layers.DenseWithBias itself (same variables, same graph).
func Dense(scope *model.Scope, x *Node, out, r int, scale float64) *Node {
	y := layers.DenseWithBias(scope, x, out)
	if r <= 0 {
		return y
	}
	s := scope.In(LoRAScope)
	in := x.Shape().Dim(-1)
	a := s.WithInitializer(initializer.RandomNormalFn(s, 1/math.Sqrt(float64(in)))).
		VariableWithShape("a", shapes.Make(dtypes.Float32, in, r)).NodeValue(x.Graph())
	b := s.WithInitializer(initializer.Zero).
		VariableWithShape("b", shapes.Make(dtypes.Float32, r, out)).NodeValue(x.Graph())
	return Add(y, MulScalar(MatMul(MatMul(x, a), b), scale))
}

// Adapter is a bottleneck adapter (Houlsby et al. 2019) of width m
// (Config.Adapter) on a sublayer's output h [..., D]:
//
//	h ← h + W_up·GELU(W_down·h + b_down) + b_up     W_down [D, m], W_up [m, D] = 0, b_up = 0
//
// with variables under scope/adapter. W_up and b_up start at zero, so a
// fresh adapter is the identity. With m = 0 it returns h unchanged.
func Adapter(scope *model.Scope, h *Node, m int) *Node {
	if m <= 0 {
		return h
	}
	s := scope.In(AdapterScope)
	g, d := h.Graph(), h.Shape().Dim(-1)
	down := s.WithInitializer(initializer.RandomNormalFn(s, 1/math.Sqrt(float64(d)))).
		VariableWithShape("down", shapes.Make(dtypes.Float32, d, m)).NodeValue(g)
	zero := s.WithInitializer(initializer.Zero)
	downBias := zero.VariableWithShape("down_bias", shapes.Make(dtypes.Float32, m)).NodeValue(g)
	up := zero.VariableWithShape("up", shapes.Make(dtypes.Float32, m, d)).NodeValue(g)
	upBias := zero.VariableWithShape("up_bias", shapes.Make(dtypes.Float32, d)).NodeValue(g)
	z := activation.Gelu(Add(MatMul(h, down), ExpandLeftToRank(downBias, h.Rank())))
	return Add(h, Add(MatMul(z, up), ExpandLeftToRank(upBias, h.Rank())))
}
