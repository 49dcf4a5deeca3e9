package encoder

import "strconv"

// FLOP counting convention (every count below follows it):
//
//   - a multiply-add is 2 FLOPs: a matmul [m,k]×[k,n] costs 2·m·k·n, a bias
//     add m·n;
//   - every element-wise arithmetic op is 1 FLOP per element, and so is each
//     transcendental (exp, erf, tanh, sin, log) and each comparison (ReLU, a
//     max-pool window);
//   - layer norm is 7 per element (mean, centre, square, variance sum,
//     scale by 1/σ, gain, offset; the per-row rsqrt is not counted);
//   - softmax is 4 per score (subtract the row max, exp, sum, divide; the
//     max itself is not counted); scaling the scores by 1/√(D/H) is 1;
//   - GELU (exact, as activation.Gelu) is 5 per element (x/√2, erf, +1, ×½, ×x);
//     a sigmoid is 3 (exp, +1, reciprocal), tanh 1;
//   - not counted: embedding lookups (gathers), reshapes, transposes,
//     concatenations, masks (selects), dropout, the constant positional
//     table, the time featurisation's few ops per step (sin/cos of K
//     harmonics, log Δt) and the scalar-per-row work of pooling.
//
// The backward pass is counted as twice the forward (a matmul's gradient is
// two matmuls of the same size, one for the input and one for the weight:
// the usual 6·N·tokens rule, Kaplan et al. 2020), so a training step costs
// 3× the forward pass.

// LayerFLOPs is one layer's forward cost for one sequence, with its terms.
type LayerFLOPs struct {
	Name    string
	Forward float64
	// Terms splits Forward: "qkv", "scores", "softmax", "weighted_sum",
	// "out_proj", "ffn", "gelu", "norm", "residual" for a Transformer block;
	// "embed", "positional", "time_bias", "pool" … for the others.
	Terms map[string]float64
}

// FLOPs is the forward and backward cost of encoding one sequence.
type FLOPs struct {
	Layers   []LayerFLOPs // the embedding, every block, the final norm and pooling
	Forward  float64      // Σ Layers' Forward
	Backward float64      // 2 × Forward (see the convention above)
}

// Training is the cost of one sequence in a training step: forward + backward.
func (f FLOPs) Training() float64 { return f.Forward + f.Backward }

// FLOPs counts the cost of encoding one sequence of seqLen steps (the
// padded length of a batch: every modality pads to MaxLen, so pass
// c.MaxLen). The Transformer attends over seqLen+1 positions with cls
// pooling (the prepended [CLS]). The CNN ignores seqLen (its input is the
// ImageSize² image).
func (c Config) FLOPs(seqLen int) FLOPs {
	var layers []LayerFLOPs
	switch c.Arch {
	case Transformer:
		L := seqLen
		if c.Pooling == PoolCLS {
			L++
		}
		embed := c.embedFLOPs(seqLen)
		embed.Terms["positional"] = float64(L * c.Dim)
		if c.TimeBias {
			// t = cumsum(Δt)/60, |t_i − t_j|, +e, log, reciprocal, × w_h.
			embed.Terms["time_bias"] = float64(2*L + 4*L*L + c.Heads*L*L)
		}
		layers = append(layers, embed.sum())
		for l := range c.Layers {
			b := c.TransformerLayerFLOPs(L)
			b.Name = "layer_" + strconv.Itoa(l)
			layers = append(layers, b)
		}
		layers = append(layers, c.finalFLOPs(L, seqLen, c.Pooling == PoolMean).sum())
	case LSTM:
		L, D := float64(seqLen), float64(c.Dim)
		layers = append(layers, c.embedFLOPs(seqLen).sum())
		for l := range c.Layers {
			// Per step: 4 gates from x and h (two [D]×[D,4D] matmuls, their sum,
			// the bias), σ on three gates, tanh on c̃ and c, c = f⊙c + i⊙c̃, h = o⊙tanh(c).
			layers = append(layers, LayerFLOPs{Name: "lstm_" + strconv.Itoa(l), Terms: map[string]float64{
				"gates":       L * (2*2*D*4*D + 2*4*D),
				"activations": L * (3*3*D + 2*D),
				"state":       L * (3*D + D),
			}}.sum())
		}
		final := c.finalFLOPs(seqLen, seqLen, c.Pooling == PoolMean)
		if c.Pooling != PoolMean {
			final.Terms["pool"] = 7 * D // the last state's layer norm
		}
		layers = append(layers, final.sum())
	case CNN:
		layers = append(layers, c.cnnFLOPs()...)
	}
	f := FLOPs{Layers: layers}
	for _, l := range layers {
		f.Forward += l.Forward
	}
	f.Backward = 2 * f.Forward
	return f
}

// TransformerLayerFLOPs is the forward cost of one pre-LN block over L
// positions (Dim D, Heads H, FFN F):
//
//	norm         2 · 7·L·D                      attention and FFN layer norms
//	qkv          2·L·D·3D + 3·L·D               fused projection and its bias
//	scores       2·L²·D + H·L² (+ H·L² bias)    Q_h·K_hᵀ over H heads of D/H, the 1/√(D/H) scale
//	softmax      4·H·L²
//	weighted_sum 2·L²·D                         A_h·V_h
//	out_proj     2·L·D² + L·D
//	ffn          2·L·D·F + L·F + 2·L·F·D + L·D
//	gelu         5·L·F
//	residual     2·L·D
//	lora         2·L·r·(8D + 2F) + 2·L·(5D + F)  x·A, ·B, scale and add in qkv, output, ffn_in, ffn_out (lora=r)
//	adapter      2 · (4·L·D·m + 6·L·m + 2·L·D)    down, bias, GELU, up, bias, skip; after both sublayers (adapter=m)
func (c Config) TransformerLayerFLOPs(L int) LayerFLOPs {
	l, d, h, f := float64(L), float64(c.Dim), float64(c.Heads), float64(c.FFN)
	scores := 2*l*l*d + h*l*l
	if c.TimeBias {
		scores += h * l * l
	}
	terms := map[string]float64{
		"norm":         2 * 7 * l * d,
		"qkv":          2*l*d*3*d + 3*l*d,
		"scores":       scores,
		"softmax":      4 * h * l * l,
		"weighted_sum": 2 * l * l * d,
		"out_proj":     2*l*d*d + l*d,
		"ffn":          2*l*d*f + l*f + 2*l*f*d + l*d,
		"gelu":         5 * l * f,
		"residual":     2 * l * d,
	}
	if r := float64(c.LoRARank); r > 0 {
		terms["lora"] = 2*l*r*(8*d+2*f) + 2*l*(5*d+f)
	}
	if m := float64(c.Adapter); m > 0 {
		terms["adapter"] = 2 * (4*l*d*m + 6*l*m + 2*l*d)
	}
	return LayerFLOPs{Name: "layer", Terms: terms}.sum()
}

// embedFLOPs is x_i = spatial_i + temporal_i over seqLen steps: the
// features' dense layer, the temporal dense layer of 2K+1 inputs, the adds.
func (c Config) embedFLOPs(seqLen int) LayerFLOPs {
	L, D := float64(seqLen), float64(c.Dim)
	t := map[string]float64{}
	if c.NumFeatures > 0 {
		t["features"] = 2*L*float64(c.NumFeatures)*D + L*D
		if c.VocabSize > 0 {
			t["features"] += L * D // token + features
		}
	}
	if c.Temporal {
		t["temporal"] = 2*L*float64(2*NumTimeHarmonics+1)*D + L*D + 2*L*D // dense, + weekday, + spatial
	}
	return LayerFLOPs{Name: "embed", Terms: t}
}

// finalFLOPs is the final layer norm over L positions and the pooling of
// the seqLen real positions (mean: mask multiply and sum).
func (c Config) finalFLOPs(L, seqLen int, mean bool) LayerFLOPs {
	D := float64(c.Dim)
	t := map[string]float64{"norm": 7 * float64(L) * D}
	if mean {
		t["pool"] = 2*float64(seqLen)*D + D
	}
	return LayerFLOPs{Name: "final", Terms: t}
}

// cnnFLOPs is ConvNet with CNNWidths on a Channels×ImageSize² image: per
// block a same-padded 3×3 convolution (2·9·C_in per output value + bias),
// ReLU, 2×2 max-pool (3 comparisons per output); then the global mean and
// the dense projection.
func (c Config) cnnFLOPs() []LayerFLOPs {
	var out []LayerFLOPs
	hw, cin := c.ImageSize, max(c.Channels, 1)
	for i, w := range CNNWidths {
		px := float64(hw * hw * w)
		t := map[string]float64{"conv": px * (2*9*float64(cin) + 1), "relu": px}
		if hw >= 2 {
			hw /= 2
			t["pool"] = 3 * float64(hw*hw*w)
		}
		out = append(out, LayerFLOPs{Name: "conv_" + strconv.Itoa(i), Terms: t}.sum())
		cin = w
	}
	D := float64(c.Dim)
	out = append(out, LayerFLOPs{Name: "project", Terms: map[string]float64{
		"pool":  float64(hw*hw*cin + cin),
		"dense": 2*float64(cin)*D + D,
	}}.sum())
	return out
}

// sum sets Forward to the sum of the terms.
func (l LayerFLOPs) sum() LayerFLOPs {
	l.Forward = 0
	for _, v := range l.Terms {
		l.Forward += v
	}
	return l
}
