package encoder

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors/images"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/model"
)

// CNNWidths are the channels of the image CNN's convolution blocks.
var CNNWidths = []int{16, 32, 64}

// CNNEncoder encodes image trajectories (rasterised tracks, pixels
// [B, C, H, W], tfm/modality/image) with ConvNet: conv3×3 → ReLU → 2×2
// max-pool blocks, global mean pooling, dense to D.
func CNNEncoder(scope *model.Scope, cfg Config, in Inputs) Output {
	z := ConvNet(scope.In("cnn"), in.Pixels, ConvNetConfig{Widths: CNNWidths, Dim: cfg.Dim})
	return Output{Pooled: z}
}

// ConvNetConfig sizes the CNN encoder.
type ConvNetConfig struct {
	// Widths are the output channels of the 3×3 convolution blocks; each
	// block is conv → ReLU → 2×2 max-pool, so the image shrinks by 2 per block.
	Widths []int
	// Dim is the size of the output embedding.
	Dim int
}

// DefaultConvNet is three blocks of 16, 32 and 64 channels and a 64-d output.
func DefaultConvNet() ConvNetConfig { return ConvNetConfig{Widths: []int{16, 32, 64}, Dim: 64} }

// ConvNet encodes images pixels [B, C, H, W] (channels first, as in
// modality.Batch) into embeddings [B, cfg.Dim]: convolution blocks, global
// average pooling over the remaining pixels, then a dense projection.
// Variables live under scope ("conv_0"…, "project").
func ConvNet(scope *model.Scope, pixels *Node, cfg ConvNetConfig) *Node {
	if pixels.Rank() != 4 {
		panic(fmt.Sprintf("encoder.ConvNet: pixels must be [B, C, H, W], got shape %s", pixels.Shape()))
	}
	if cfg.Dim <= 0 || len(cfg.Widths) == 0 {
		panic(fmt.Sprintf("encoder.ConvNet: config %+v needs Widths and a positive Dim", cfg))
	}
	x := pixels
	for i, w := range cfg.Widths {
		x = layers.Convolution(scope.In("conv_%d", i), x).
			ChannelsAxis(images.ChannelsFirst).Channels(w).KernelSize(3).PadSame().Done()
		x = activation.Relu(x)
		if x.Shape().Dimensions[2] >= 2 && x.Shape().Dimensions[3] >= 2 {
			x = MaxPool(x).ChannelsAxis(images.ChannelsFirst).Window(2).Done()
		}
	}
	x = ReduceMean(x, 2, 3) // [B, channels]
	return layers.DenseWithBias(scope.In("project"), x, cfg.Dim)
}
