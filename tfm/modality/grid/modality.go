package grid

import (
	"bytes"
	"math"

	"github.com/tfm-course/course/tfm/modality"
	"github.com/tfm-course/course/tfm/traj"
)

// CellMetres is the side of a cell of the grid modality: the metric grid is
// fitted over the training data's bounding box.
var CellMetres = 200.0

func init() {
	modality.Register("grid", modality.Kind{
		Fit: func(src modality.Source) (modality.Modality, error) {
			ds := &traj.Dataset{Trajectories: src.Trajectories}
			g, err := NewMetric(ds.Bound().Pad(1e-4), CellMetres)
			if err != nil {
				return nil, err
			}
			v, err := Build(g, src.Trajectories, Options{MinCount: 1, SkipOutside: true})
			if err != nil {
				return nil, err
			}
			return &Modality{V: v}, nil
		},
		Restore: func(state []byte) (modality.Modality, error) {
			v, err := Read(bytes.NewReader(state), "grid state")
			if err != nil {
				return nil, err
			}
			return &Modality{V: v}, nil
		},
	})
}

// Modality is the token modality of grid cells: a trajectory becomes the
// sequence of cells it visits, as ids of a vocabulary fitted on training data.
type Modality struct{ V *Vocab }

func (m *Modality) Name() string        { return "grid" }
func (m *Modality) Spec() modality.Spec { return modality.Spec{Vocab: m.V.Size()} }
func (m *Modality) Batch(trajs []*traj.Trajectory, maxLen int) (*modality.Batch, error) {
	return m.V.Batch(trajs, maxLen)
}

func (m *Modality) State() ([]byte, error) {
	var b bytes.Buffer
	err := m.V.Write(&b)
	return b.Bytes(), err
}

// RoadRuns cuts the cell path at turns of more than 30° of the bearing
// between consecutive cell centres (modality.Roads).
func (m *Modality) RoadRuns(b *modality.Batch, r, start, end int) []int {
	headings := make([]float64, end-start)
	for i := start + 1; i < end; i++ {
		p, ok1 := m.V.Centre(b.Tokens[r*b.Len+i-1])
		q, ok2 := m.V.Centre(b.Tokens[r*b.Len+i])
		if ok1 && ok2 {
			headings[i-start] = math.Atan2(q[0]-p[0], q[1]-p[1]) * 180 / math.Pi
		} else {
			headings[i-start] = headings[i-start-1]
		}
	}
	if len(headings) > 1 {
		headings[0] = headings[1]
	}
	return modality.TurnSegments(headings, 30)
}
