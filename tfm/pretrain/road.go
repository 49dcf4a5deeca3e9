package pretrain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sync"

	"github.com/tfm-course/course/tfm/encoder"
	"github.com/tfm-course/course/tfm/modality"
	"github.com/tfm-course/course/tfm/modality/road"
	"github.com/tfm-course/course/tfm/roadnet"
	"github.com/tfm-course/course/tfm/traj"
)

// Road is the road-segment modality: trajectories are map-matched (HMM,
// tfm/roadnet) onto a road network and become sequences of segment tokens
// with segment features (class, length, speed limit). Matches are cached
// per trajectory. Its road graph lets road-aware masking hide whole roads:
// runs of segments between turns of the network.
type Road struct {
	V       *road.Vocab
	G       *roadnet.Graph
	Source  string // how to rebuild G: a synthetic data spec
	matcher *roadnet.Matcher
	mu      sync.Mutex
	cache   map[*traj.Trajectory]road.Sequence // training trajectories
	views   map[*traj.Trajectory]road.Sequence // recent augmented views (bounded)
}

// maxCachedViews bounds the cache of augmented views' matches.
const maxCachedViews = 4096

// RoadNetwork returns the road graph of a data spec: the synthetic city's
// network for "synthetic[:seed=S,trajectories=N]"; other data sets have no
// network here.
func RoadNetwork(spec string) (*roadnet.Graph, error) {
	city, err := SyntheticCity(spec)
	if err != nil {
		return nil, err
	}
	return city.Network, nil
}

// NewRoad builds the modality on graph g (source names it for restoring).
func NewRoad(g *roadnet.Graph, source string) (*Road, error) {
	v, err := road.NewVocab(g, road.Options{})
	if err != nil {
		return nil, err
	}
	m, err := roadnet.NewMatcher(g, roadnet.DefaultMatchConfig())
	if err != nil {
		return nil, err
	}
	return &Road{V: v, G: g, Source: source, matcher: m,
		cache: map[*traj.Trajectory]road.Sequence{}, views: map[*traj.Trajectory]road.Sequence{}}, nil
}

func (m *Road) Name() string { return "road" }
func (m *Road) Configure(cfg *encoder.Config) {
	cfg.VocabSize, cfg.NumFeatures = m.V.Size(), road.NumFeatures
}

// Match map-matches trajs (cached) and returns their sequences; errs[i] is
// set where trajectory i could not be matched.
func (m *Road) Match(trajs []*traj.Trajectory) ([]road.Sequence, []error) {
	return m.match(trajs, m.cache)
}

// Accepts reports whether an augmented view map-matches (contrastive views
// that do not are replaced by their original trajectory).
func (m *Road) Accepts(t *traj.Trajectory) bool {
	m.mu.Lock()
	if len(m.views) > maxCachedViews {
		m.views = map[*traj.Trajectory]road.Sequence{}
	}
	m.mu.Unlock()
	_, errs := m.match([]*traj.Trajectory{t}, m.views)
	return errs[0] == nil
}

func (m *Road) match(trajs []*traj.Trajectory, cache map[*traj.Trajectory]road.Sequence) ([]road.Sequence, []error) {
	seqs := make([]road.Sequence, len(trajs))
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
	got, gotErrs := road.MatchAll(m.matcher, todo)
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
func (m *Road) Usable(trajs []*traj.Trajectory) []*traj.Trajectory {
	_, errs := m.Match(trajs)
	var out []*traj.Trajectory
	for i, t := range trajs {
		if errs[i] == nil {
			out = append(out, t)
		}
	}
	return out
}

func (m *Road) Batch(trajs []*traj.Trajectory, maxLen int) (*modality.Batch, error) {
	seqs, errs := m.Match(trajs)
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("road: batch row %d: %w", i, err)
		}
	}
	return m.V.Batch(seqs, maxLen)
}

type roadState struct {
	Source string          `json:"source"`
	Vocab  json.RawMessage `json:"vocab"`
}

func (m *Road) State() ([]byte, error) {
	var b bytes.Buffer
	if err := m.V.Write(&b); err != nil {
		return nil, err
	}
	return json.Marshal(roadState{Source: m.Source, Vocab: b.Bytes()})
}

func restoreRoad(state []byte) (*Road, error) {
	var st roadState
	if err := json.Unmarshal(state, &st); err != nil {
		return nil, fmt.Errorf("road state: %w", err)
	}
	g, err := RoadNetwork(st.Source)
	if err != nil {
		return nil, err
	}
	r, err := NewRoad(g, st.Source)
	if err != nil {
		return nil, err
	}
	if r.V, err = road.Read(bytes.NewReader(st.Vocab), "road state"); err != nil {
		return nil, err
	}
	return r, nil
}

// roadSegments groups the road tokens of row r (steps start..n-1) into
// roads: consecutive segments continue the same road while the network
// turns by at most 30° at their junction (bearings from the segments'
// geometry), so road-aware masking hides whole roads between turns.
func (m *Road) roadSegments(b *modality.Batch, r, start, n int) []int {
	headings := make([]float64, n-start)
	for i := start; i < n; i++ {
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
	return TurnSegments(headings, 30)
}
