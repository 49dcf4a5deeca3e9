package image

import (
	"encoding/json"
	"fmt"

	"github.com/tfm-course/course/tfm/modality"
	"github.com/tfm-course/course/tfm/traj"
)

// Size is the side in pixels of the image modality's rasters.
var Size = 32

func init() {
	modality.Register("image", modality.Kind{
		Fit: func(modality.Source) (modality.Modality, error) { return &Modality{R: New(Size, Size)}, nil },
		Restore: func(state []byte) (modality.Modality, error) {
			var st imageState
			if err := json.Unmarshal(state, &st); err != nil {
				return nil, fmt.Errorf("image state: %w", err)
			}
			r := New(st.H, st.W)
			r.Channels, r.Lines = st.Channels, st.Lines
			return &Modality{R: r}, nil
		},
	})
}

// Modality is the image modality: each trajectory rasterised in its own box
// (occupancy, time and speed channels by default), for a CNN encoder.
type Modality struct{ R *Rasterizer }

type imageState struct {
	H, W     int
	Channels []Channel
	Lines    bool
}

func (m *Modality) Name() string { return "image" }
func (m *Modality) Spec() modality.Spec {
	return modality.Spec{Channels: len(m.R.Channels), ImageSize: m.R.H}
}
func (m *Modality) Batch(trajs []*traj.Trajectory, _ int) (*modality.Batch, error) {
	return m.R.Batch(trajs)
}
func (m *Modality) State() ([]byte, error) {
	return json.Marshal(imageState{H: m.R.H, W: m.R.W, Channels: m.R.Channels, Lines: m.R.Lines})
}
