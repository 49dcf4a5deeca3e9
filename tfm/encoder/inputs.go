package encoder

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/tfm-course/course/tfm/modality"
)

// Inputs are one batch as graph nodes. Sequence modalities set Mask and
// Tokens and/or Features (and the time features); images set Pixels.
type Inputs struct {
	Tokens    *Node // [B, L] int32
	Features  *Node // [B, L, F] float32
	Mask      *Node // [B, L] bool, true for real steps
	TimeOfDay *Node // [B, L] float32 in [0, 1)
	DayOfWeek *Node // [B, L] int32 0..6
	DeltaT    *Node // [B, L] float32 seconds
	Pixels    *Node // [B, C, H, W] float32
}

// Tensors converts a batch to the input tensors the encoder expects, in the
// order InputsFromNodes reads them: for images [pixels]; otherwise
// [tokens?, features?, mask, timeOfDay, dayOfWeek, deltaT] where tokens are
// present iff cfg.VocabSize > 0 and features iff cfg.NumFeatures > 0.
// Missing time features are zero.
func Tensors(cfg Config, b *modality.Batch) ([]*tensors.Tensor, error) {
	if err := b.Check(); err != nil {
		return nil, err
	}
	if cfg.Arch == CNN {
		if b.Pixels == nil {
			return nil, fmt.Errorf("the cnn encoder needs an image batch (Pixels is empty)")
		}
		return []*tensors.Tensor{tensors.FromFlatDataAndDimensions(b.Pixels, b.Size, b.Channels, b.H, b.W)}, nil
	}
	B, L := b.Size, b.Len
	var out []*tensors.Tensor
	if cfg.VocabSize > 0 {
		if b.Tokens == nil {
			return nil, fmt.Errorf("encoder configured with vocab=%d but the batch has no Tokens", cfg.VocabSize)
		}
		for i, t := range b.Tokens {
			if t < 0 || int(t) >= cfg.VocabSize {
				return nil, fmt.Errorf("batch token %d at row %d step %d is outside the vocabulary [0, %d)", t, i/L, i%L, cfg.VocabSize)
			}
		}
		out = append(out, tensors.FromFlatDataAndDimensions(b.Tokens, B, L))
	}
	if cfg.NumFeatures > 0 {
		if b.Features == nil || b.NumFeatures != cfg.NumFeatures {
			return nil, fmt.Errorf("encoder configured with features=%d but the batch has %d features", cfg.NumFeatures, b.NumFeatures)
		}
		out = append(out, tensors.FromFlatDataAndDimensions(b.Features, B, L, b.NumFeatures))
	}
	if cfg.VocabSize == 0 && cfg.NumFeatures == 0 {
		return nil, fmt.Errorf("encoder needs vocab > 0 (token modality) or features > 0 (continuous modality)")
	}
	orZeros := func(x []float32) []float32 {
		if x == nil {
			return make([]float32, B*L)
		}
		return x
	}
	dow := b.DayOfWeek
	if dow == nil {
		dow = make([]int32, B*L)
	}
	out = append(out,
		tensors.FromFlatDataAndDimensions(b.Mask, B, L),
		tensors.FromFlatDataAndDimensions(orZeros(b.TimeOfDay), B, L),
		tensors.FromFlatDataAndDimensions(dow, B, L),
		tensors.FromFlatDataAndDimensions(orZeros(b.DeltaT), B, L))
	return out, nil
}

// NumInputs is how many nodes InputsFromNodes consumes for cfg.
func NumInputs(cfg Config) int {
	if cfg.Arch == CNN {
		return 1
	}
	n := 4
	if cfg.VocabSize > 0 {
		n++
	}
	if cfg.NumFeatures > 0 {
		n++
	}
	return n
}

// InputsFromNodes reads the nodes in the order Tensors produced them.
func InputsFromNodes(cfg Config, nodes []*Node) Inputs {
	if cfg.Arch == CNN {
		return Inputs{Pixels: nodes[0]}
	}
	var in Inputs
	i := 0
	if cfg.VocabSize > 0 {
		in.Tokens = nodes[i]
		i++
	}
	if cfg.NumFeatures > 0 {
		in.Features = nodes[i]
		i++
	}
	in.Mask, in.TimeOfDay, in.DayOfWeek, in.DeltaT = nodes[i], nodes[i+1], nodes[i+2], nodes[i+3]
	return in
}
