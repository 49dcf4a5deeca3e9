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

// Names of the encoder's inputs: a batch enters the graph as named nodes
// (Feed on the host, InputsOf in the graph), never as a positional list.
const (
	InTokens    = "tokens"
	InFeatures  = "features"
	InMask      = "mask"
	InTimeOfDay = "time_of_day"
	InDayOfWeek = "day_of_week"
	InDeltaT    = "delta_t"
	InPixels    = "pixels"
)

// Fit sets the fields a modality decides (vocabulary, features, image
// size) from its Spec; an image modality gets the CNN.
func (c *Config) Fit(s modality.Spec) {
	c.VocabSize, c.NumFeatures, c.Channels, c.ImageSize = s.Vocab, s.Features, s.Channels, s.ImageSize
	if s.Image() {
		c.Arch = CNN
	}
}

// Feed converts a batch to the encoder's named input tensors: for images
// pixels; otherwise tokens (iff cfg.VocabSize > 0), features (iff
// cfg.NumFeatures > 0), mask and the time features (zeros where the batch
// has none).
func Feed(cfg Config, b *modality.Batch) (map[string]*tensors.Tensor, error) {
	if err := b.Check(); err != nil {
		return nil, err
	}
	if cfg.Arch == CNN {
		if b.Pixels == nil {
			return nil, fmt.Errorf("the cnn encoder needs an image batch (Pixels is empty)")
		}
		return map[string]*tensors.Tensor{InPixels: tensors.FromFlatDataAndDimensions(b.Pixels, b.Size, b.Channels, b.H, b.W)}, nil
	}
	B, L := b.Size, b.Len
	out := map[string]*tensors.Tensor{}
	if cfg.VocabSize > 0 {
		if b.Tokens == nil {
			return nil, fmt.Errorf("encoder configured with vocab=%d but the batch has no Tokens", cfg.VocabSize)
		}
		for i, t := range b.Tokens {
			if t < 0 || int(t) >= cfg.VocabSize {
				return nil, fmt.Errorf("batch token %d at row %d step %d is outside the vocabulary [0, %d)", t, i/L, i%L, cfg.VocabSize)
			}
		}
		out[InTokens] = tensors.FromFlatDataAndDimensions(b.Tokens, B, L)
	}
	if cfg.NumFeatures > 0 {
		if b.Features == nil || b.NumFeatures != cfg.NumFeatures {
			return nil, fmt.Errorf("encoder configured with features=%d but the batch has %d features", cfg.NumFeatures, b.NumFeatures)
		}
		out[InFeatures] = tensors.FromFlatDataAndDimensions(b.Features, B, L, b.NumFeatures)
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
	out[InMask] = tensors.FromFlatDataAndDimensions(b.Mask, B, L)
	out[InTimeOfDay] = tensors.FromFlatDataAndDimensions(orZeros(b.TimeOfDay), B, L)
	out[InDayOfWeek] = tensors.FromFlatDataAndDimensions(dow, B, L)
	out[InDeltaT] = tensors.FromFlatDataAndDimensions(orZeros(b.DeltaT), B, L)
	return out, nil
}

// InputsOf picks the encoder's inputs out of named nodes (as Feed named
// them); absent names stay nil.
func InputsOf(nodes map[string]*Node) Inputs {
	return Inputs{Tokens: nodes[InTokens], Features: nodes[InFeatures], Mask: nodes[InMask],
		TimeOfDay: nodes[InTimeOfDay], DayOfWeek: nodes[InDayOfWeek], DeltaT: nodes[InDeltaT], Pixels: nodes[InPixels]}
}
