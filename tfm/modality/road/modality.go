package road

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sync"

	"github.com/tfm-course/course/tfm/modality"
	"github.com/tfm-course/course/tfm/roadnet"
	"github.com/tfm-course/course/tfm/traj"
)

var (
	_ modality.Roads     = (*Modality)(nil)
	_ modality.Selective = (*Modality)(nil)
)

func init() {
	modality.Register("road", modality.Kind{
		Fit: func(src modality.Source) (modality.Modality, error) {
			m, ok := src.Map.(*roadnet.Map)
			if !ok || m == nil || m.Network == nil {
				return nil, fmt.Errorf("the road modality needs a road network: load data that has one (synthetic) or give an OSM network with it (datasets.LoadWithNetwork, --network)")
			}
			return New(m.Network)
		},
		Restore: func(state []byte) (modality.Modality, error) { return restore(state) },
	})
}

// Modality is the road-segment modality: trajectories are map-matched (HMM,
// tfm/roadnet) onto the road network and become sequences of segment tokens
// with segment features (class, length, speed limit). Matches are cached
// per trajectory. Its road graph lets road-aware masking hide whole roads:
// runs of segments between turns of the network. The graph is saved in the
// modality's State, so a checkpoint needs no data set to be reloaded.
type Modality struct {
	V       *Vocab
	G       *roadnet.Graph
	matcher *roadnet.Matcher
	mu      sync.Mutex
	cache   map[*traj.Trajectory]Sequence // training trajectories
	views   map[*traj.Trajectory]Sequence // recent augmented views (bounded)
}

// maxCachedViews bounds the cache of augmented views' matches.
const maxCachedViews = 4096

// New builds the modality on graph g: every segment of g is a token.
func New(g *roadnet.Graph) (*Modality, error) {
	v, err := NewVocab(g, Options{})
	if err != nil {
		return nil, err
	}
	return withVocab(g, v)
}

func withVocab(g *roadnet.Graph, v *Vocab) (*Modality, error) {
	m, err := roadnet.NewMatcher(g, roadnet.DefaultMatchConfig())
	if err != nil {
		return nil, err
	}
	return &Modality{V: v, G: g, matcher: m,
		cache: map[*traj.Trajectory]Sequence{}, views: map[*traj.Trajectory]Sequence{}}, nil
}

func (m *Modality) Name() string { return "road" }
func (m *Modality) Spec() modality.Spec {
	return modality.Spec{Vocab: m.V.Size(), Features: NumFeatures}
}

// Match map-matches trajs (cached) and returns their sequences; errs[i] is
// set where trajectory i could not be matched.
func (m *Modality) Match(trajs []*traj.Trajectory) ([]Sequence, []error) {
	return m.match(trajs, m.cache)
}

// Accepts reports whether a trajectory (e.g. an augmented view) map-matches.
func (m *Modality) Accepts(t *traj.Trajectory) bool {
	m.mu.Lock()
	if len(m.views) > maxCachedViews {
		m.views = map[*traj.Trajectory]Sequence{}
	}
	m.mu.Unlock()
	_, errs := m.match([]*traj.Trajectory{t}, m.views)
	return errs[0] == nil
}

func (m *Modality) match(trajs []*traj.Trajectory, cache map[*traj.Trajectory]Sequence) ([]Sequence, []error) {
	seqs := make([]Sequence, len(trajs))
	errs := make([]error, len(trajs))
	var todo []*traj.Trajectory
	var at []int
	m.mu.Lock()
	for i, t := range trajs {
		if s, ok := m.cache[t]; ok {
			seqs[i] = s
		} else if s, ok := m.views[t]; ok {
			seqs[i] = s
		} else {
			todo, at = append(todo, t), append(at, i)
		}
	}
	m.mu.Unlock()
	if len(todo) == 0 {
		return seqs, errs
	}
	got, gotErrs := MatchAll(m.matcher, todo)
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, i := range at {
		if gotErrs[k] == nil && len(got[k].Segments) == 0 {
			gotErrs[k] = fmt.Errorf("trajectory %q matched no road segment", todo[k].ID)
		}
		seqs[i], errs[i] = got[k], gotErrs[k]
		if errs[i] == nil {
			cache[todo[k]] = got[k]
		}
	}
	return seqs, errs
}

// Usable keeps the trajectories that map-match.
func (m *Modality) Usable(trajs []*traj.Trajectory) []*traj.Trajectory {
	_, errs := m.Match(trajs)
	var out []*traj.Trajectory
	for i, t := range trajs {
		if errs[i] == nil {
			out = append(out, t)
		}
	}
	return out
}

func (m *Modality) Batch(trajs []*traj.Trajectory, maxLen int) (*modality.Batch, error) {
	seqs, errs := m.Match(trajs)
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("road: batch row %d: %w", i, err)
		}
	}
	return m.V.Batch(seqs, maxLen)
}

type state struct {
	Network *roadnet.Graph  `json:"network"`
	Vocab   json.RawMessage `json:"vocab"`
}

func (m *Modality) State() ([]byte, error) {
	var b bytes.Buffer
	if err := m.V.Write(&b); err != nil {
		return nil, err
	}
	return json.Marshal(state{Network: m.G, Vocab: b.Bytes()})
}

func restore(raw []byte) (*Modality, error) {
	var st state
	if err := json.Unmarshal(raw, &st); err != nil {
		return nil, fmt.Errorf("road state: %w", err)
	}
	if st.Network == nil || len(st.Network.Segments) == 0 {
		return nil, fmt.Errorf("road state has no road network")
	}
	v, err := Read(bytes.NewReader(st.Vocab), "road state")
	if err != nil {
		return nil, err
	}
	return withVocab(st.Network, v)
}

// RoadUnits is modality.RoadStraight: tokens are already map-matched
// segments, and a road runs through the junctions where the network goes
// straight on.
func (m *Modality) RoadUnits() string { return modality.RoadStraight }

// RoadRuns groups the road tokens of row r (steps start..end-1) into roads
// (modality.Roads): consecutive segments continue the same road while the
// network turns by at most 30° at their junction (bearings from the
// segments' geometry), so road-aware masking hides whole roads between turns.
func (m *Modality) RoadRuns(b *modality.Batch, r, start, end int) []int {
	headings := make([]float64, end-start)
	for i := start; i < end; i++ {
		info, ok := m.V.Segment(b.Tokens[r*b.Len+i])
		if !ok || info.Segment >= len(m.G.Segments) {
			if i > start {
				headings[i-start] = headings[i-start-1]
			}
			continue
		}
		geom := m.G.Segments[info.Segment].Geometry
		if len(geom) >= 2 {
			p, q := geom[0], geom[len(geom)-1]
			headings[i-start] = math.Atan2((q[0]-p[0])*math.Cos(p[1]*math.Pi/180), q[1]-p[1]) * 180 / math.Pi
		}
	}
	return modality.TurnSegments(headings, 30)
}
