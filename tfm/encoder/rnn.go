package encoder

import (
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers/lstm"
	"github.com/gomlx/gomlx/ml/model"
)

// LSTMEncoder is the recurrent baseline the survey weighs against the
// Transformer (Hochreiter & Schmidhuber 1997, GoMLX's lstm layer):
//
//	x_i = spatial_i + temporal_i
//	f,i,o = σ(W·x_t + U·h_{t−1} + b),  c̃ = tanh(W_c·x_t + U_c·h_{t−1} + b_c)
//	c_t = f⊙c_{t−1} + i⊙c̃,            h_t = o⊙tanh(c_t)
//
// cfg.Layers LSTMs are stacked; padding is skipped (ragged lengths). The
// trajectory vector is the last real hidden state (or the masked mean of all
// states with mean pooling). No positional encoding: recurrence is ordered.
func LSTMEncoder(scope *model.Scope, cfg Config, in Inputs) Output {
	x := Embed(scope.In("embed"), cfg, in) // [B, L, D]
	lengths := ReduceSum(ConvertDType(in.Mask, dtypes.Int32), 1)
	var last *Node
	for l := range cfg.Layers {
		all, lastH, _ := lstm.New(scope.In("lstm_%d", l), x, cfg.Dim).Ragged(lengths).Done()
		// all: [L, 1, B, D] → [B, L, D]
		x = Transpose(Squeeze(all, 1), 0, 1)
		last = Squeeze(lastH, 0) // [B, D]
	}
	h, shared := finalNorm(scope, x)
	out := Output{Hidden: h, Mask: in.Mask, Shared: shared}
	if cfg.Pooling == PoolMean {
		out.Pooled = MaskedMeanPool(h, in.Mask)
	} else {
		out.Pooled = layerNorm(scope.In("last_norm"), last)
	}
	return out
}
