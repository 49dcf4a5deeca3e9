package gps

import (
	"bytes"
	"math"

	"github.com/tfm-course/course/tfm/modality"
	"github.com/tfm-course/course/tfm/modality/internal/roadmatch"
	"github.com/tfm-course/course/tfm/traj"
)

var (
	_ modality.Roads       = (*Modality)(nil)
	_ modality.MapUser     = (*Modality)(nil)
	_ modality.Coordinates = (*Modality)(nil)
)

func init() {
	modality.Register("gps", modality.Kind{
		Fit: func(src modality.Source) (modality.Modality, error) {
			f, err := Fit(src.Trajectories)
			if err != nil {
				return nil, err
			}
			m := &Modality{F: f}
			return m, m.UseMap(src.Map)
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
// Fitted with a map (modality.Source.Map with a road network), its
// road-aware masking units are the map-matched road segments; the network
// is not saved in its State (UseMap gives it back to a restored one).
type Modality struct {
	F               *Featurizer
	roadmatch.Roads // UseMap, RoadUnits; Matched is nil without a road network
}

func (m *Modality) Name() string        { return "gps" }
func (m *Modality) Spec() modality.Spec { return modality.Spec{Features: NumFeatures} }

// Batch is the Featurizer's batch, with the rows' trajectories kept
// (Batch.Trajs) for road-aware masking.
func (m *Modality) Batch(trajs []*traj.Trajectory, maxLen int) (*modality.Batch, error) {
	b, err := m.F.Batch(trajs, maxLen)
	if err != nil {
		return nil, err
	}
	b.Trajs = append([]*traj.Trajectory(nil), trajs...)
	return b, nil
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

// RoadRuns gives each real step start..end-1 of row r a road id
// (modality.Roads). With a road network it is the id of the segment the
// step's point was map-matched to (each trajectory is matched once, all
// rows of b together): a run of equal ids is one segment of the matched
// path, ending at an intersection. Without one — or for a row whose
// trajectory is unknown or does not match — the path is cut at turns of
// more than 30° of its heading features: a road ends where the path turns.
func (m *Modality) RoadRuns(b *modality.Batch, r, start, end int) []int {
	if seg := m.matchedRow(b, r, start, end); seg != nil {
		return seg
	}
	headings := make([]float64, end-start)
	for i := start; i < end; i++ {
		f := b.Features[(r*b.Len+i)*b.NumFeatures:]
		headings[i-start] = degrees(float64(f[HeadingSin]), float64(f[HeadingCos]))
	}
	return modality.TurnSegments(headings, 30)
}

// MatchedSegments returns the matched road segment of each point of t (as
// RoadRuns uses them), or nil without a road network or when t does not
// match.
func (m *Modality) MatchedSegments(t *traj.Trajectory) []int {
	if m.Matched == nil || t == nil {
		return nil
	}
	seg := m.Matched.Segments([]*traj.Trajectory{t})[0]
	if seg == nil {
		return nil
	}
	out := make([]int, len(seg))
	for i, s := range seg {
		out[i] = int(s)
	}
	return out
}

// matchedRow is the matched segment of each step start..end-1 of row r, or
// nil when it cannot be known.
func (m *Modality) matchedRow(b *modality.Batch, r, start, end int) []int {
	if m.Matched == nil || r >= len(b.Trajs) || b.Trajs[r] == nil {
		return nil
	}
	t := b.Trajs[r]
	idx, err := modality.SampleIndices(len(t.Points), b.Len, m.F.Sampling)
	if err != nil || end > len(idx) || rowLength(b, r) != len(idx) { // not the row this trajectory makes
		return nil
	}
	seg := m.Matched.Segments(b.Trajs)[r] // one match of every row not matched before
	if seg == nil {
		return nil
	}
	out := make([]int, end-start)
	for i := start; i < end; i++ {
		out[i-start] = int(seg[idx[i]])
	}
	return out
}

// rowLength is the number of real steps of row r.
func rowLength(b *modality.Batch, r int) int {
	n := 0
	for i := 0; i < b.Len; i++ {
		if b.Mask[r*b.Len+i] {
			n++
		}
	}
	return n
}

func degrees(sin, cos float64) float64 { return math.Atan2(sin, cos) * 180 / math.Pi }
