package gps

import (
	"bytes"
	"math"

	"github.com/tfm-course/course/tfm/modality"
	"github.com/tfm-course/course/tfm/traj"
)

func init() {
	modality.Register("gps", modality.Kind{
		Fit: func(src modality.Source) (modality.Modality, error) {
			f, err := Fit(src.Trajectories)
			if err != nil {
				return nil, err
			}
			return &Modality{F: f}, nil
		},
		Restore: func(state []byte) (modality.Modality, error) {
			f, err := Read(bytes.NewReader(state), "gps state")
			if err != nil {
				return nil, err
			}
			return &Modality{F: f}, nil
		},
	})
}

// Modality is the continuous modality: NumFeatures normalised features per
// point (local x/y, speed, heading, Δt, …), fitted on the training data.
type Modality struct{ F *Featurizer }

func (m *Modality) Name() string        { return "gps" }
func (m *Modality) Spec() modality.Spec { return modality.Spec{Features: NumFeatures} }
func (m *Modality) Batch(trajs []*traj.Trajectory, maxLen int) (*modality.Batch, error) {
	return m.F.Batch(trajs, maxLen)
}

func (m *Modality) State() ([]byte, error) {
	var b bytes.Buffer
	err := m.F.Write(&b)
	return b.Bytes(), err
}

// CoordColumns are the columns of the local x and y (modality.Coordinates).
func (m *Modality) CoordColumns() (int, int) { return X, Y }

// MetresPerUnit undoes the normalisation of x and y.
func (m *Modality) MetresPerUnit() (float64, float64) {
	return m.F.Stats.Std[X], m.F.Stats.Std[Y]
}

// RoadRuns cuts the path at turns of more than 30° of its heading features
// (modality.Roads): without map matching, a road ends where the path turns.
func (m *Modality) RoadRuns(b *modality.Batch, r, start, end int) []int {
	headings := make([]float64, end-start)
	for i := start; i < end; i++ {
		f := b.Features[(r*b.Len+i)*b.NumFeatures:]
		headings[i-start] = degrees(float64(f[HeadingSin]), float64(f[HeadingCos]))
	}
	return modality.TurnSegments(headings, 30)
}

func degrees(sin, cos float64) float64 { return math.Atan2(sin, cos) * 180 / math.Pi }
