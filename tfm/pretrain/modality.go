package pretrain

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/tfm-course/course/tfm/encoder"
	"github.com/tfm-course/course/tfm/modality"
	"github.com/tfm-course/course/tfm/modality/gps"
	"github.com/tfm-course/course/tfm/modality/grid"
	"github.com/tfm-course/course/tfm/modality/image"
	"github.com/tfm-course/course/tfm/traj"
)

// Modality turns trajectories into encoder batches. It is fitted on the
// training data (normalisation statistics, vocabulary) and saved with the
// checkpoint so inference featurises identically.
type Modality interface {
	Name() string
	// Configure sets the encoder fields the modality decides (vocab, features).
	Configure(cfg *encoder.Config)
	Batch(trajs []*traj.Trajectory, maxLen int) (*modality.Batch, error)
	// State serialises what Restore needs.
	State() ([]byte, error)
}

// Coordinates is implemented by continuous modalities whose features hold
// planar coordinates: the generative objective regresses them in metres.
type Coordinates interface {
	// CoordColumns are the feature columns of x and y; MetresPerUnit converts
	// a normalised difference of each back to metres.
	CoordColumns() (x, y int)
	MetresPerUnit() (x, y float64)
}

// Modalities lists the names NewModality accepts.
var Modalities = []string{"gps", "grid", "road", "text", "image"}

// ImageSize is the side in pixels of the image modality's rasters.
var ImageSize = 32

// GridCellMetres is the side of a grid cell for the grid modality.
var GridCellMetres = 200.0

// NewModality fits the named modality on trajs.
func NewModality(name string, trajs []*traj.Trajectory) (Modality, error) {
	switch name {
	case "gps":
		f, err := gps.Fit(trajs)
		if err != nil {
			return nil, err
		}
		return &GPS{F: f}, nil
	case "grid":
		ds := &traj.Dataset{Trajectories: trajs}
		g, err := grid.NewMetric(ds.Bound().Pad(1e-4), GridCellMetres)
		if err != nil {
			return nil, err
		}
		v, err := grid.Build(g, trajs, grid.Options{MinCount: 1, SkipOutside: true})
		if err != nil {
			return nil, err
		}
		return &Grid{V: v}, nil
	case "image":
		return &Image{R: image.New(ImageSize, ImageSize)}, nil
	case "road", "text":
		return nil, fmt.Errorf("the %s modality needs a map: set Options.MapSource (a synthetic data spec)", name)
	}
	return nil, fmt.Errorf("modality %q is not supported by pretrain yet (supported: %v)", name, Modalities)
}

// RestoreModality rebuilds a modality from its State.
func RestoreModality(name string, state []byte) (Modality, error) {
	switch name {
	case "gps":
		f, err := gps.Read(bytes.NewReader(state), "gps state")
		if err != nil {
			return nil, err
		}
		return &GPS{F: f}, nil
	case "grid":
		v, err := grid.Read(bytes.NewReader(state), "grid state")
		if err != nil {
			return nil, err
		}
		return &Grid{V: v}, nil
	case "image":
		var st imageState
		if err := json.Unmarshal(state, &st); err != nil {
			return nil, fmt.Errorf("image state: %w", err)
		}
		r := image.New(st.H, st.W)
		r.Channels, r.Lines = st.Channels, st.Lines
		return &Image{R: r}, nil
	case "road":
		return restoreRoad(state)
	case "text":
		return restoreText(state)
	}
	return nil, fmt.Errorf("cannot restore modality %q", name)
}

// GPS is the continuous modality: normalised per-point features.
type GPS struct{ F *gps.Featurizer }

func (m *GPS) Name() string { return "gps" }
func (m *GPS) Configure(cfg *encoder.Config) {
	cfg.NumFeatures, cfg.VocabSize = gps.NumFeatures, 0
}
func (m *GPS) Batch(trajs []*traj.Trajectory, maxLen int) (*modality.Batch, error) {
	return m.F.Batch(trajs, maxLen)
}
func (m *GPS) State() ([]byte, error) {
	var b bytes.Buffer
	err := m.F.Write(&b)
	return b.Bytes(), err
}
func (m *GPS) CoordColumns() (int, int) { return gps.X, gps.Y }
func (m *GPS) MetresPerUnit() (float64, float64) {
	return m.F.Stats.Std[gps.X], m.F.Stats.Std[gps.Y]
}

// Grid is the token modality of grid cells.
type Grid struct{ V *grid.Vocab }

func (m *Grid) Name() string { return "grid" }
func (m *Grid) Configure(cfg *encoder.Config) {
	cfg.VocabSize, cfg.NumFeatures = m.V.Size(), 0
}
func (m *Grid) Batch(trajs []*traj.Trajectory, maxLen int) (*modality.Batch, error) {
	return m.V.Batch(trajs, maxLen)
}
func (m *Grid) State() ([]byte, error) {
	var b bytes.Buffer
	err := m.V.Write(&b)
	return b.Bytes(), err
}

// Image is the image modality: each trajectory rasterised in its own box
// (occupancy, time and speed channels), encoded by the CNN.
type Image struct{ R *image.Rasterizer }

type imageState struct {
	H, W     int
	Channels []image.Channel
	Lines    bool
}

func (m *Image) Name() string { return "image" }
func (m *Image) Configure(cfg *encoder.Config) {
	cfg.Arch, cfg.Channels, cfg.ImageSize = encoder.CNN, len(m.R.Channels), m.R.H
	cfg.VocabSize, cfg.NumFeatures = 0, 0
}
func (m *Image) Batch(trajs []*traj.Trajectory, _ int) (*modality.Batch, error) {
	return m.R.Batch(trajs)
}
func (m *Image) State() ([]byte, error) {
	return json.Marshal(imageState{H: m.R.H, W: m.R.W, Channels: m.R.Channels, Lines: m.R.Lines})
}
