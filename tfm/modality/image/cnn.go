package image

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/core/tensors/images"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/tfm-course/course/tfm/modality"
)

// CNNConfig sizes the CNN encoder.
type CNNConfig struct {
	// Widths are the output channels of the 3×3 convolution blocks; each
	// block is conv → ReLU → 2×2 max-pool, so the image shrinks by 2 per block.
	Widths []int
	// Dim is the size of the output embedding.
	Dim int
}

// DefaultCNN is three blocks of 16, 32 and 64 channels and a 64-d output.
func DefaultCNN() CNNConfig { return CNNConfig{Widths: []int{16, 32, 64}, Dim: 64} }

// CNN encodes images pixels [B, C, H, W] (channels first, as in
// modality.Batch) into embeddings [B, cfg.Dim]: convolution blocks, global
// average pooling over the remaining pixels, then a dense projection.
// Variables live under scope ("conv_0"…, "project").
func CNN(scope *model.Scope, pixels *Node, cfg CNNConfig) *Node {
	if pixels.Rank() != 4 {
		panic(fmt.Sprintf("image.CNN: pixels must be [B, C, H, W], got shape %s", pixels.Shape()))
	}
	if cfg.Dim <= 0 || len(cfg.Widths) == 0 {
		panic(fmt.Sprintf("image.CNN: config %+v needs Widths and a positive Dim", cfg))
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

// PixelsTensor converts the pixels of an image batch to a [B, C, H, W]
// float32 tensor.
func PixelsTensor(b *modality.Batch) (*tensors.Tensor, error) {
	if b == nil || b.Pixels == nil {
		return nil, fmt.Errorf("image: batch has no pixels")
	}
	if err := b.Check(); err != nil {
		return nil, err
	}
	return tensors.FromFlatDataAndDimensions(b.Pixels, b.Size, b.Channels, b.H, b.W), nil
}
