package encoder

import (
	"math"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/model"
)

// SpatialEmbedding maps each step's location to a D-vector:
//
//	token modalities (grid cell, road segment, word):  e_i = E[token_i]
//	continuous modalities (GPS features x_i ∈ R^F):    e_i = W·x_i + b
//
// Both are summed when a modality provides both.
func SpatialEmbedding(scope *model.Scope, cfg Config, in Inputs) *Node {
	var e *Node
	if in.Tokens != nil {
		e = layers.Embedding(scope.In("tokens"), in.Tokens, dtypes.Float32, cfg.VocabSize, cfg.Dim)
	}
	if in.Features != nil {
		f := layers.DenseWithBias(scope.In("features"), in.Features, cfg.Dim)
		if e == nil {
			e = f
		} else {
			e = Add(e, f)
		}
	}
	return e
}

// NumTimeHarmonics is K, the number of Fourier harmonics of the time of day.
const NumTimeHarmonics = 4

// TemporalEmbedding maps each step's time to a D-vector (one matmul for the
// continuous parts, one lookup for the weekday):
//
//	τ_i = [sin(2πk·tod_i), cos(2πk·tod_i)]_{k=1..K} ⊕ [log(1+Δt_i)/log(3600)]
//	e_i = W_τ·τ_i + E_dow[dow_i]
//
// Time of day is periodic (23:59 is next to 00:00), hence the harmonics;
// Δt is heavy-tailed (1 s … hours), hence the log.
func TemporalEmbedding(scope *model.Scope, cfg Config, in Inputs) *Node {
	g := in.TimeOfDay.Graph()
	tod := ExpandAxes(in.TimeOfDay, -1)                               // [B, L, 1]
	k := Reshape(Const(g, harmonics(NumTimeHarmonics)), 1, 1, -1)     // [1, 1, K]
	angle := Mul(MulScalar(tod, 2*math.Pi), k)                        // [B, L, K]
	dt := ExpandAxes(in.DeltaT, -1)                                   // [B, L, 1]
	logDt := DivScalar(Log1p(Max(dt, ZerosLike(dt))), math.Log(3600)) // [B, L, 1]
	tau := Concatenate([]*Node{Sin(angle), Cos(angle), logDt}, -1)    // [B, L, 2K+1]
	e := layers.DenseWithBias(scope.In("time"), tau, cfg.Dim)
	dow := layers.Embedding(scope.In("weekday"), in.DayOfWeek, dtypes.Float32, 7, cfg.Dim)
	return Add(e, dow)
}

func harmonics(k int) []float32 {
	h := make([]float32, k)
	for i := range h {
		h[i] = float32(i + 1)
	}
	return h
}

// PositionalEncoding is the fixed sinusoidal encoding of "Attention Is All
// You Need" (Vaswani et al. 2017), shaped [L, D]:
//
//	PE(i, 2j)   = sin(i / 10000^(2j/D))
//	PE(i, 2j+1) = cos(i / 10000^(2j/D))
func PositionalEncoding(g *Graph, length, dim int) *Node {
	pe := make([][]float32, length)
	for i := range pe {
		pe[i] = make([]float32, dim)
		for j := 0; j < dim; j += 2 {
			freq := math.Pow(10000, -float64(j)/float64(dim))
			pe[i][j] = float32(math.Sin(float64(i) * freq))
			if j+1 < dim {
				pe[i][j+1] = float32(math.Cos(float64(i) * freq))
			}
		}
	}
	return Const(g, pe)
}

// TimeIntervalBias is START's time-interval-aware attention bias (Jiang et
// al., ICDE 2023): attention between steps i and j is shifted by a learned
// per-head weight times a decreasing function of their time gap,
//
//	t_i = Σ_{k≤i} Δt_k,   b_{h,i,j} = w_h · 1 / log(e + |t_i − t_j| / 60 s)
//
// so steps close in time attend to each other more. Returns [B, H, L, L].
func TimeIntervalBias(scope *model.Scope, cfg Config, deltaT *Node) *Node {
	g := deltaT.Graph()
	t := DivScalar(CumSum(deltaT, 1), 60)                                                     // [B, L] minutes
	gap := Abs(Sub(ExpandAxes(t, 2), ExpandAxes(t, 1)))                                       // [B, L, L]
	closeness := Reciprocal(Log(AddScalar(gap, math.E)))                                      // [B, L, L] in (0, 1]
	w := scope.VariableWithValue("time_bias_weight", make([]float32, cfg.Heads)).NodeValue(g) // [H]
	return Mul(ExpandAxes(closeness, 1), Reshape(w, 1, cfg.Heads, 1, 1))                      // [B, H, L, L]
}
