package image

import (
	"fmt"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/tfm-course/course/tfm/modality"
)

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
