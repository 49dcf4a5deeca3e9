package figures

import (
	stdimage "image"

	"github.com/tfm-course/course/tfm/modality/image"
	"github.com/tfm-course/course/tfm/traj"
)

// ImageGrid rasterises trajs with r and lays the images out in a grid of
// cols columns, each pixel drawn scale×scale: what the CNN sees.
func ImageGrid(r *image.Rasterizer, trajs []*traj.Trajectory, cols, scale int) (*stdimage.RGBA, error) {
	b, err := r.Batch(trajs)
	if err != nil {
		return nil, err
	}
	return image.Mosaic(b, r.Channels, nil, cols, scale)
}
