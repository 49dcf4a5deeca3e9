package roadnet

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"time"

	"github.com/paulmach/orb"
	"github.com/tfm-course/course/tfm/traj"
)

// MatchConfig tunes the HMM map matcher (Newson & Krumm 2009).
type MatchConfig struct {
	// Radius (m): segments farther than this from a GPS point are not candidates.
	Radius float64
	// MaxCandidates keeps the nearest k candidates of a point (0: all).
	MaxCandidates int
	// Sigma (m) is the GPS noise: emission log-probability −½(d/σ)².
	Sigma float64
	// Beta (m) scales the transition log-probability −|route − straight|/β.
	Beta float64
	// MaxDetour (m): a route longer than the straight line plus this is
	// not searched (bounds the shortest-path search).
	MaxDetour float64
	// Backtrack (m): a move backwards along the same segment up to this
	// far counts as GPS jitter (route distance = the backward move), not as
	// a loop around the block.
	Backtrack float64
	// UTurn (m) is added to |route − straight| for a route that U-turns
	// (onto the reverse of the segment it leaves, or into the segment it
	// joins from that segment's reverse), which GPS jitter of a slow or
	// waiting vehicle would otherwise make cheap.
	UTurn float64
	// StopTolerance (m): fixes at most this far into a segment still count
	// as before it when timing the entry (a vehicle waiting at a junction).
	StopTolerance float64
	// MinMove (m): a point closer than this to the last matched point is
	// not matched on its own but placed with it (Newson & Krumm drop such
	// points: GPS jitter of a slow or waiting vehicle would make loops).
	// About 4σ: two fixes of a standing vehicle are rarely further apart.
	MinMove float64
	// Workers for MatchAll (0: all cores).
	Workers int
}

// DefaultMatchConfig suits 1–30 s sampling with ~10 m GPS noise.
func DefaultMatchConfig() MatchConfig {
	return MatchConfig{Radius: 50, MaxCandidates: 8, Sigma: 10, Beta: 20, MaxDetour: 1000, Backtrack: 50, UTurn: 100, StopTolerance: 5, MinMove: 40}
}

func (c *MatchConfig) check() error {
	if !(c.Radius > 0) || !(c.Sigma > 0) || !(c.Beta > 0) || !(c.MaxDetour >= 0) || c.Backtrack < 0 || c.StopTolerance < 0 || c.MinMove < 0 || c.UTurn < 0 {
		return fmt.Errorf("map matching: need Radius, Sigma, Beta > 0 and MaxDetour, Backtrack, UTurn, StopTolerance, MinMove >= 0 (got %+v)", *c)
	}
	return nil
}

// MatchedSegment is one segment of a matched path.
type MatchedSegment struct {
	Segment int
	// Entry is when the vehicle entered the segment, interpolated between
	// the GPS times along the path (the first segment of a piece: the time
	// of its first point).
	Entry time.Time
	// Break is true for the first segment after a break: it is not
	// connected to the segment before it.
	Break bool
}

// MatchedPoint is where one GPS point was placed on the network.
type MatchedPoint struct {
	Segment  int       // -1 when the point has no candidate within Radius
	Offset   float64   // metres along the segment
	Point    orb.Point // the position on the segment
	Distance float64   // metres from the GPS point
}

// Match is the matched path of one trajectory.
type Match struct {
	ID       string
	Segments []MatchedSegment
	Points   []MatchedPoint // one per input point
	// Breaks are the indices of the points where matching restarted
	// because no route joined them to the previous matched point.
	Breaks []int
	// Unmatched counts points with no segment within Radius.
	Unmatched int
}

// Path is the segment ids of the match.
func (m *Match) Path() []int {
	p := make([]int, len(m.Segments))
	for i, s := range m.Segments {
		p[i] = s.Segment
	}
	return p
}

// Matcher matches trajectories to a graph. It is safe for concurrent use.
type Matcher struct {
	Graph  *Graph
	Index  *Index
	Config MatchConfig
	pool   sync.Pool
}

// NewMatcher indexes g for matching.
func NewMatcher(g *Graph, cfg MatchConfig) (*Matcher, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	m := &Matcher{Graph: g, Index: NewIndex(g, math.Max(cfg.Radius, 50)), Config: cfg}
	m.pool.New = func() any { return &matchState{router: NewRouter(g)} }
	return m, nil
}

// step is one matched GPS point of the Viterbi lattice.
type step struct {
	point int // index in the trajectory
	cands []Candidate
	score []float64
	back  []int32 // best previous candidate, -1 at a chain start
	start bool    // a chain (re)starts here
	// attached are later points within MinMove of this one: not matched
	// on their own, they share this step's position.
	attached []int
}

type matchState struct {
	router *Router
	near   nearScratch
	steps  []step
	srcs   []int
	tgts   []int
	routes []float64 // [prev candidate][cur candidate] route distance (m)
	pen    []float64 // same shape: U-turn penalty (m)
	path   []int
	pos    []float64
	starts []float64
	tp     []timePos
}

// MatchTrajectory matches one trajectory. A trajectory whose points all
// lie off the network (no segment within Radius) is an error.
func (m *Matcher) MatchTrajectory(t *traj.Trajectory) (*Match, error) {
	st := m.pool.Get().(*matchState)
	defer m.pool.Put(st)
	return m.match(t, st)
}

// MatchAll matches trajectories in parallel (Config.Workers goroutines).
// errs[i] is non-nil where trajectory i could not be matched.
func (m *Matcher) MatchAll(ts []*traj.Trajectory) (matches []*Match, errs []error) {
	matches = make([]*Match, len(ts))
	errs = make([]error, len(ts))
	workers := m.Config.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, max(len(ts), 1))
	var next int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := &matchState{router: NewRouter(m.Graph)}
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= len(ts) {
					return
				}
				matches[i], errs[i] = m.match(ts[i], st)
			}
		}()
	}
	wg.Wait()
	return matches, errs
}

func (m *Matcher) match(t *traj.Trajectory, st *matchState) (*Match, error) {
	cfg := &m.Config
	res := &Match{ID: t.ID, Points: make([]MatchedPoint, len(t.Points))}
	if len(t.Points) == 0 {
		return nil, fmt.Errorf("trajectory %q: no points", t.ID)
	}
	// Candidates of every point.
	steps := st.steps[:0]
	for i, p := range t.Points {
		res.Points[i].Segment = -1
		if err := traj.CheckLonLat(p.Lon(), p.Lat()); err != nil {
			return nil, fmt.Errorf("trajectory %q point %d: %w", t.ID, i, err)
		}
		if i > 0 && p.Time.Before(t.Points[i-1].Time) {
			return nil, fmt.Errorf("trajectory %q point %d: time %s before the previous point's", t.ID, i, p.Time.Format(time.RFC3339))
		}
		if n := len(steps); n > 0 && i < len(t.Points)-1 && cfg.MinMove > 0 && haversine(t.Points[steps[n-1].point].Point, p.Point) < cfg.MinMove {
			steps[n-1].attached = append(steps[n-1].attached, i)
			continue
		}
		if len(steps) < cap(steps) {
			steps = steps[:len(steps)+1]
		} else {
			steps = append(steps, step{})
		}
		s := &steps[len(steps)-1]
		s.cands = m.Index.near(p.Point, cfg.Radius, cfg.MaxCandidates, &st.near, s.cands)
		if len(s.cands) == 0 {
			steps = steps[:len(steps)-1]
			res.Unmatched++
			continue
		}
		s.point, s.start, s.attached = i, false, s.attached[:0]
	}
	st.steps = steps
	if len(steps) == 0 {
		b := m.Graph.Bound()
		return nil, fmt.Errorf("trajectory %q: no point within %.0f m of the road network (network bounds %v..%v, first point %v)",
			t.ID, cfg.Radius, b.Min, b.Max, t.Points[0].Point)
	}
	// Viterbi.
	inv2s2 := 1 / (2 * cfg.Sigma * cfg.Sigma)
	for k := range steps {
		s := &steps[k]
		s.score = resize(s.score, len(s.cands))
		s.back = resizeInt32(s.back, len(s.cands))
		for j := range s.cands {
			s.back[j] = -1
		}
		if k == 0 {
			s.start = true
			for j, c := range s.cands {
				s.score[j] = -c.Distance * c.Distance * inv2s2
			}
			continue
		}
		prev := &steps[k-1]
		gc := haversine(t.Points[prev.point].Point, t.Points[s.point].Point)
		m.transitions(prev, s, gc, st)
		linked := false
		for j, c := range s.cands {
			best, arg := math.Inf(-1), -1
			for i := range prev.cands {
				r := st.routes[i*len(s.cands)+j]
				if math.IsInf(r, 1) {
					continue
				}
				v := prev.score[i] - (math.Abs(r-gc)+st.pen[i*len(s.cands)+j])/cfg.Beta
				if v > best {
					best, arg = v, i
				}
			}
			if arg >= 0 {
				linked = true
			}
			s.score[j] = best - c.Distance*c.Distance*inv2s2
			s.back[j] = int32(arg)
		}
		if !linked { // no route from any previous candidate: restart here
			s.start = true
			res.Breaks = append(res.Breaks, s.point)
			for j, c := range s.cands {
				s.score[j] = -c.Distance * c.Distance * inv2s2
			}
		}
	}
	// Backtrack each chain from its best last candidate.
	chosen := make([]int, len(steps))
	for end := len(steps) - 1; end >= 0; {
		s := &steps[end]
		best := 0
		for j := range s.cands {
			if s.score[j] > s.score[best] {
				best = j
			}
		}
		k := end
		for j := best; ; k-- {
			chosen[k] = j
			if steps[k].start {
				break
			}
			j = int(steps[k].back[j])
		}
		end = k - 1
	}
	m.buildPath(t, steps, chosen, res, st)
	return res, nil
}

// transitions fills st.routes[i*len(cur)+j] with the route distance (m)
// from prev candidate i to cur candidate j, +Inf when none within bound.
// One bounded search runs per distinct source node (the To node of the
// previous candidates' segments), stopping once all targets are settled.
func (m *Matcher) transitions(prev, cur *step, gc float64, st *matchState) {
	g := m.Graph
	np, nc := len(prev.cands), len(cur.cands)
	st.routes = resize(st.routes, np*nc)
	st.pen = resize(st.pen, np*nc)
	bound := gc + m.Config.MaxDetour
	st.tgts = st.tgts[:0]
	for _, c := range cur.cands {
		st.tgts = append(st.tgts, g.Segments[c.Segment].From)
	}
	st.srcs = st.srcs[:0] // prev candidates whose source node was searched already
	for i, a := range prev.cands {
		node := g.Segments[a.Segment].To
		done := false
		for _, k := range st.srcs {
			if g.Segments[prev.cands[k].Segment].To == node {
				done = true
				break
			}
		}
		if done {
			continue
		}
		st.srcs = append(st.srcs, i)
		// The smallest tail among candidates sharing this node bounds the search.
		minTail := math.Inf(1)
		for _, b := range prev.cands[i:] {
			if sb := &g.Segments[b.Segment]; sb.To == node {
				minTail = math.Min(minTail, sb.Length-b.Offset)
			}
		}
		st.router.Search(node, st.tgts, bound-minTail)
		for ii := i; ii < np; ii++ {
			a := prev.cands[ii]
			sa := &g.Segments[a.Segment]
			if sa.To != node {
				continue
			}
			tail := sa.Length - a.Offset
			for j, b := range cur.cands {
				r, pen := math.Inf(1), 0.0
				if d := st.router.Dist(st.tgts[j]); !math.IsInf(d, 1) {
					r = tail + d + b.Offset
					// A U-turn where the route leaves a or joins b.
					first, last := st.router.Ends(st.tgts[j])
					sb := &g.Segments[b.Segment]
					if (first < 0 && b.Segment == sa.Reverse) || (first >= 0 && first == sa.Reverse) || (last >= 0 && last == sb.Reverse) {
						pen = m.Config.UTurn
					}
				}
				if a.Segment == b.Segment {
					if b.Offset >= a.Offset {
						r, pen = b.Offset-a.Offset, 0
					} else if a.Offset-b.Offset <= m.Config.Backtrack {
						r, pen = a.Offset-b.Offset, 0
					}
				}
				if r > bound {
					r = math.Inf(1)
				}
				st.pen[ii*nc+j] = pen
				st.routes[ii*nc+j] = r
			}
		}
	}
}

// buildPath turns the chosen candidates into segments with entry times.
// Each chain (the steps between breaks) is a run of connected segments;
// positions are metres along the chain.
func (m *Matcher) buildPath(t *traj.Trajectory, steps []step, chosen []int, res *Match, st *matchState) {
	g := m.Graph
	st.pos = resize(st.pos, len(steps))
	st.starts = st.starts[:0]   // chain position where each segment of res.Segments starts
	chainSeg, chainStep := 0, 0 // where the current chain starts in res.Segments and steps
	var segStart float64        // chain position of the current segment's start
	finish := func(end int) {
		m.trimChain(steps[chainStep:end], res, chainSeg, st)
		m.entryTimes(t, steps[chainStep:end], st.pos[chainStep:end], res.Segments[chainSeg:], st.starts[chainSeg:], st)
	}
	for k := range steps {
		s := &steps[k]
		c := s.cands[chosen[k]]
		res.Points[s.point] = MatchedPoint{Segment: c.Segment, Offset: c.Offset, Point: c.Point, Distance: c.Distance}
		for _, i := range s.attached {
			res.Points[i] = MatchedPoint{Segment: c.Segment, Offset: c.Offset, Point: c.Point, Distance: haversine(t.Points[i].Point, c.Point)}
		}
		if s.start {
			if k > 0 {
				finish(k)
				st.starts = st.starts[:len(res.Segments)]
			}
			chainSeg, chainStep = len(res.Segments), k
			res.Segments = append(res.Segments, MatchedSegment{Segment: c.Segment, Break: k > 0})
			st.starts = append(st.starts, 0)
			segStart, st.pos[k] = 0, c.Offset
			continue
		}
		p := steps[k-1].cands[chosen[k-1]]
		if p.Segment == c.Segment && (c.Offset >= p.Offset || p.Offset-c.Offset <= m.Config.Backtrack) {
			st.pos[k] = math.Max(st.pos[k-1], segStart+c.Offset)
			continue
		}
		// Route p → c through the network: the rest of p's segment, the
		// segments between, then c's segment.
		sp := &g.Segments[p.Segment]
		st.router.Search(sp.To, []int{g.Segments[c.Segment].From}, math.Inf(1))
		st.path = st.router.Path(g.Segments[c.Segment].From, st.path[:0])
		st.path = append(st.path, c.Segment)
		start := segStart + sp.Length
		for _, sid := range st.path {
			res.Segments = append(res.Segments, MatchedSegment{Segment: sid})
			st.starts = append(st.starts, start)
			segStart = start
			start += g.Segments[sid].Length
		}
		st.pos[k] = math.Max(st.pos[k-1], segStart+c.Offset)
	}
	finish(len(steps))
}

// entryTimes sets the entry time of each segment of a chain from the
// (time, position) of its points (attached points at their step's
// position): the segment starting at S is entered between the last point
// at most StopTolerance past S and the next point, by linear interpolation
// (clamped to those points' times). A vehicle waiting at a junction, its
// fixes jittering around the node, thus enters the next segment when it
// leaves, not at the first fix past it.
func (m *Matcher) entryTimes(t *traj.Trajectory, chain []step, pos []float64, segs []MatchedSegment, starts []float64, st *matchState) {
	tol := m.Config.StopTolerance
	st.tp = st.tp[:0]
	for k := range chain {
		st.tp = append(st.tp, timePos{t.Points[chain[k].point].Time, pos[k]})
		for _, i := range chain[k].attached {
			st.tp = append(st.tp, timePos{t.Points[i].Time, pos[k]})
		}
	}
	tp := st.tp
	k := 0
	for i := range segs {
		S := starts[i]
		for k+1 < len(tp) && tp[k+1].pos <= S+tol {
			k++
		}
		if k+1 >= len(tp) || tp[k].pos >= S {
			segs[i].Entry = tp[k].t
			continue
		}
		frac := math.Min(math.Max((S-tp[k].pos)/(tp[k+1].pos-tp[k].pos), 0), 1)
		segs[i].Entry = tp[k].t.Add(time.Duration(frac * float64(tp[k+1].t.Sub(tp[k].t))))
	}
}

type timePos struct {
	t   time.Time
	pos float64
}

// atNode is how close (m) to a segment's end a matched point counts as
// standing at the node.
const atNode = 0.5

// trimChain drops the first segment of a chain when its first points sit
// at that segment's end node (the trip starts at the node: the segment was
// not driven), and likewise the last segment when the last points sit at
// its start node. Those points move to the neighbouring segment.
func (m *Matcher) trimChain(chain []step, res *Match, first int, st *matchState) {
	g := m.Graph
	segs := res.Segments[first:]
	if len(segs) < 2 {
		return
	}
	// move places a step's point and its attached points on seg at offset.
	move := func(s *step, seg int, offset float64) {
		for _, i := range append([]int{s.point}, s.attached...) {
			res.Points[i].Segment, res.Points[i].Offset = seg, offset
		}
	}
	head := segs[0].Segment
	if p := res.Points[chain[0].point]; p.Offset >= g.Segments[head].Length-atNode {
		next := segs[1].Segment
		for k := range chain {
			if res.Points[chain[k].point].Segment != head {
				break
			}
			move(&chain[k], next, 0)
		}
		segs[1].Break = segs[0].Break
		res.Segments = append(res.Segments[:first], res.Segments[first+1:]...)
		st.starts = append(st.starts[:first], st.starts[first+1:]...)
		segs = res.Segments[first:]
		if len(segs) < 2 {
			return
		}
	}
	tail := segs[len(segs)-1].Segment
	if p := res.Points[chain[len(chain)-1].point]; p.Offset <= atNode {
		prev := segs[len(segs)-2].Segment
		for k := len(chain) - 1; k >= 0; k-- {
			if res.Points[chain[k].point].Segment != tail {
				break
			}
			move(&chain[k], prev, g.Segments[prev].Length)
		}
		res.Segments = res.Segments[:first+len(segs)-1]
		st.starts = st.starts[:first+len(segs)-1]
	}
}

func resize(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

func resizeInt32(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n)
	}
	return s[:n]
}
