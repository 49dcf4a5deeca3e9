// Package roadmatch places every point of a trajectory on the road segment
// the map matcher of tfm/roadnet (HMM, Newson & Krumm) put it on, matching
// each trajectory once. The gps and grid modalities use it for road-aware
// masking on the map-matched path (a masked unit = a run of points on one
// segment, so it ends at an intersection).
package roadmatch

import (
	"fmt"
	"sync"

	"github.com/tfm-course/course/tfm/modality"
	"github.com/tfm-course/course/tfm/roadnet"
	"github.com/tfm-course/course/tfm/traj"
)

// MaxCached bounds the cache; past it the cache starts afresh (matching is
// deterministic, so only time is lost).
const MaxCached = 1 << 16

// Points matches trajectories onto a road network and keeps, per
// trajectory, the matched segment of each point. It is safe for concurrent
// use.
type Points struct {
	Network *roadnet.Graph
	matcher *roadnet.Matcher
	mu      sync.Mutex
	cache   map[*traj.Trajectory]entry
}

type entry struct {
	n   int     // points when matched (a changed trajectory is matched again)
	seg []int32 // nil: the trajectory did not match
}

// FromMap returns the point matcher of a data set's map (a *roadnet.Map,
// as modality.Source.Map), or nil when there is no road network.
func FromMap(m any) (*Points, error) {
	rm, ok := m.(*roadnet.Map)
	if !ok || rm == nil || rm.Network == nil || len(rm.Network.Segments) == 0 {
		return nil, nil
	}
	return New(rm.Network)
}

// New indexes g for matching with roadnet.DefaultMatchConfig.
func New(g *roadnet.Graph) (*Points, error) {
	m, err := roadnet.NewMatcher(g, roadnet.DefaultMatchConfig())
	if err != nil {
		return nil, fmt.Errorf("road-aware masking: %w", err)
	}
	return &Points{Network: g, matcher: m, cache: map[*traj.Trajectory]entry{}}, nil
}

// Segments returns, for each trajectory, the segment id of each of its
// points, or nil where the trajectory does not match (no point near the
// network, bad points). A point the matcher left unmatched (no segment
// within its radius) takes the segment of the matched point before it
// (the first matched point's, before any). Trajectories not seen before
// are matched together, on all cores; the result does not depend on the
// order or the number of workers.
func (p *Points) Segments(trajs []*traj.Trajectory) [][]int32 {
	out := make([][]int32, len(trajs))
	var todo []*traj.Trajectory
	var at []int
	p.mu.Lock()
	for i, t := range trajs {
		if t == nil {
			continue
		}
		if e, ok := p.cache[t]; ok && e.n == len(t.Points) {
			out[i] = e.seg
		} else {
			todo, at = append(todo, t), append(at, i)
		}
	}
	p.mu.Unlock()
	if len(todo) == 0 {
		return out
	}
	ms, errs := p.matcher.MatchAll(todo)
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.cache)+len(todo) > MaxCached {
		p.cache = map[*traj.Trajectory]entry{}
	}
	for k, i := range at {
		var seg []int32
		if errs[k] == nil {
			seg = fill(ms[k].Points)
		}
		out[i] = seg
		p.cache[todo[k]] = entry{n: len(todo[k].Points), seg: seg}
	}
	return out
}

// fill turns matched points into segment ids, unmatched points taking the
// previous matched point's segment (the first matched one's before any);
// nil when no point matched.
func fill(pts []roadnet.MatchedPoint) []int32 {
	first := -1
	for i, q := range pts {
		if q.Segment >= 0 {
			first = i
			break
		}
	}
	if first < 0 {
		return nil
	}
	seg := make([]int32, len(pts))
	cur := int32(pts[first].Segment)
	for i, q := range pts {
		if q.Segment >= 0 {
			cur = int32(q.Segment)
		}
		seg[i] = cur
	}
	return seg
}

// Roads is embedded by the modalities whose road-aware masking cuts at
// map-matched segments (gps, grid): Matched is their matcher, nil without
// a road network.
type Roads struct{ Matched *Points }

// UseMap gives the modality a data set's map (modality.MapUser): with a
// road network, road-aware masking cuts at map-matched segments. A
// modality that has a matcher keeps it.
func (r *Roads) UseMap(mp any) error {
	if r.Matched != nil {
		return nil
	}
	p, err := FromMap(mp)
	if err != nil {
		return err
	}
	r.Matched = p
	return nil
}

// RoadUnits is modality.RoadSegments with a road network, else
// modality.RoadTurns.
func (r *Roads) RoadUnits() string {
	if r.Matched != nil {
		return modality.RoadSegments
	}
	return modality.RoadTurns
}
