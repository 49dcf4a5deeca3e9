package encoder

import (
	"github.com/gomlx/gomlx/ml/model"

	"github.com/tfm-course/course/tfm/modality/image"
)

// CNNWidths are the channels of the image CNN's convolution blocks.
var CNNWidths = []int{16, 32, 64}

// CNNEncoder encodes image trajectories (rasterised tracks, pixels
// [B, C, H, W]) with the image modality's CNN (tfm/modality/image/cnn.go):
// conv3×3 → ReLU → 2×2 max-pool blocks, global mean pooling, dense to D.
func CNNEncoder(scope *model.Scope, cfg Config, in Inputs) Output {
	z := image.CNN(scope.In("cnn"), in.Pixels, image.CNNConfig{Widths: CNNWidths, Dim: cfg.Dim})
	return Output{Pooled: z}
}
