package grid

import (
	"bytes"
	"math"

	"github.com/tfm-course/course/tfm/modality"
	"github.com/tfm-course/course/tfm/modality/internal/roadmatch"
	"github.com/tfm-course/course/tfm/traj"
)

// CellMetres is the side of a cell of the grid modality: the metric grid is
// fitted over the training data's bounding box.
var CellMetres = 200.0

var (
	_ modality.Roads   = (*Modality)(nil)
	_ modality.MapUser = (*Modality)(nil)
	_ modality.Grower  = (*Modality)(nil)
)

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
			m := &Modality{V: v}
			return m, m.UseMap(src.Map)
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
// Fitted with a map (modality.Source.Map with a road network), its
// road-aware masking units are the map-matched road segments; the network
// is not saved in its State (UseMap gives it back to a restored one).
type Modality struct {
	V               *Vocab
	roadmatch.Roads // UseMap, RoadUnits; Matched is nil without a road network
}

func (m *Modality) Name() string        { return "grid" }
func (m *Modality) Spec() modality.Spec { return modality.Spec{Vocab: m.V.Size()} }

// Batch is the vocabulary's batch, with the rows' trajectories kept
// (Batch.Trajs) for road-aware masking.
func (m *Modality) Batch(trajs []*traj.Trajectory, maxLen int) (*modality.Batch, error) {
	b, err := m.V.Batch(trajs, maxLen)
	if err != nil {
		return nil, err
	}
	b.Trajs = append([]*traj.Trajectory(nil), trajs...)
	return b, nil
}

func (m *Modality) State() ([]byte, error) {
	var b bytes.Buffer
	err := m.V.Write(&b)
	return b.Bytes(), err
}

// Grow appends the cells of src's trajectories the vocabulary lacks
// (modality.Grower; Vocab.Grow): the grid keeps the bound it was fitted on,
// so cells outside it stay [UNK]. With a road network in src.Map the grown
// modality map-matches on it (the changed city's), else on m's.
func (m *Modality) Grow(src modality.Source) (modality.Modality, int, error) {
	v, err := m.V.Grow(src.Trajectories)
	if err != nil {
		return nil, 0, err
	}
	g := &Modality{V: v}
	if err := g.UseMap(src.Map); err != nil {
		return nil, 0, err
	}
	if g.Matched == nil {
		g.Roads = m.Roads
	}
	return g, v.Size() - m.V.Size(), nil
}

// RoadRuns gives each real step start..end-1 of row r a road id
// (modality.Roads). With a road network it is the segment most of the
// cell's points were map-matched to (the earliest of a tie; each
// trajectory is matched once, all rows of b together), so a run of equal
// ids is the cells along one segment of the matched path. Without one — or
// for a row whose trajectory is unknown or does not match — the cell path is
// cut at turns of more than 30° of the bearing between consecutive cell
// centres.
func (m *Modality) RoadRuns(b *modality.Batch, r, start, end int) []int {
	if seg := m.matchedRow(b, r, start, end); seg != nil {
		return seg
	}
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

// matchedRow is the matched segment of each step start..end-1 of row r
// (a [CLS] step takes its first cell's), or nil when it cannot be known.
func (m *Modality) matchedRow(b *modality.Batch, r, start, end int) []int {
	if m.Matched == nil || r >= len(b.Trajs) || b.Trajs[r] == nil {
		return nil
	}
	t := b.Trajs[r]
	ids, first, err := m.V.Tokenize(t)
	if err != nil {
		return nil
	}
	off := 0
	if m.V.Options.CLS {
		off = 1
	}
	keep, err := modality.SampleIndices(len(ids), b.Len-off, m.V.Options.Sampling)
	if err != nil || end > off+len(keep) {
		return nil
	}
	for i, j := range keep { // the row must be this trajectory's (hidden tokens aside)
		if k := r*b.Len + off + i; !b.Mask[k] || (b.Tokens[k] != ids[j] && b.Tokens[k] != modality.MASK) {
			return nil
		}
	}
	seg := m.Matched.Segments(b.Trajs)[r] // one match of every row not matched before
	if seg == nil {
		return nil
	}
	out := make([]int, end-start)
	for i := start; i < end; i++ {
		c := keep[max(0, i-off)]
		to := len(t.Points)
		if c+1 < len(first) {
			to = first[c+1]
		}
		out[i-start] = majority(seg[first[c]:to])
	}
	return out
}

// majority is the most frequent id (the earliest of a tie).
func majority(seg []int32) int {
	best, bestN := seg[0], 0
	for i, s := range seg {
		n := 0
		for _, u := range seg[i:] {
			if u == s {
				n++
			}
		}
		if n > bestN {
			best, bestN = s, n
		}
	}
	return int(best)
}
