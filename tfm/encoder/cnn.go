package encoder

import (
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/model"
)

// ImageCNN builds the convolutional trunk for image trajectories,
// pixels [B, C, H, W] → features [B, D]. It defaults to SmallCNN; the image
// modality package may install its own (tfm/modality/image/cnn.go).
var ImageCNN = SmallCNN

// CNNEncoder encodes image trajectories (rasterised tracks) with ImageCNN.
func CNNEncoder(scope *model.Scope, cfg Config, in Inputs) Output {
	return Output{Pooled: ImageCNN(scope.In("cnn"), in.Pixels, cfg.Dim)}
}

// SmallCNN: cfg-free three-stage conv net, each stage
// conv3×3 → ReLU → 2×2 max-pool, then global mean pooling and a dense to D.
func SmallCNN(scope *model.Scope, pixels *Node, dim int) *Node {
	x := Transpose(Transpose(pixels, 1, 2), 2, 3) // [B, H, W, C] channels-last
	for i, ch := range []int{16, 32, 64} {
		x = layers.Convolution(scope.In("conv_%d", i), x).Filters(ch).KernelSize(3).PadSame().Done()
		x = activation.Relu(x)
		if x.Shape().Dim(1) >= 2 && x.Shape().Dim(2) >= 2 {
			x = MaxPool(x).Window(2).Done()
		}
	}
	x = ReduceMean(x, 1, 2) // [B, 64]
	return layers.DenseWithBias(scope.In("out"), x, dim)
}
