package roadnet

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/paulmach/orb"
	"github.com/tfm-course/course/tfm/traj"
)

// SimConfig describes simulated drives for evaluating a map matcher.
type SimConfig struct {
	Seed         uint64
	Trajectories int
	Interval     time.Duration // GPS sampling period (e.g. 15 s)
	Noise        float64       // GPS noise σ (m) per axis, Gaussian
	MinLength    float64       // shortest trip (m); 0: 1000
	MaxLength    float64       // longest trip (m); 0: 15000
	Start        time.Time     // first departure; zero: 2024-01-01 08:00 UTC
}

// SimTrip is one simulated drive: the true path and the noisy observation.
type SimTrip struct {
	Path  []int            // true segment ids, in order
	Entry []time.Time      // true time of entering each segment (the departure for the first)
	Truth []orb.Point      // true positions at the sample times
	Traj  *traj.Trajectory // noisy GPS samples
}

// Simulate drives cars on random shortest (free-flow time) routes between
// random points of random segments, at 70–100 % of the speed limit,
// sampling every Interval (plus the arrival) with Gaussian noise.
func Simulate(g *Graph, cfg SimConfig) ([]SimTrip, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	if cfg.Trajectories <= 0 || cfg.Interval <= 0 || cfg.Noise < 0 {
		return nil, fmt.Errorf("simulate: need Trajectories > 0, Interval > 0, Noise >= 0 (got %d, %v, %g)", cfg.Trajectories, cfg.Interval, cfg.Noise)
	}
	if cfg.MinLength <= 0 {
		cfg.MinLength = 1000
	}
	if cfg.MaxLength <= 0 {
		cfg.MaxLength = 15000
	}
	if cfg.Start.IsZero() {
		cfg.Start = time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC)
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	proj := NewLocalProjection(g.Bound().Center())
	trips := make([]SimTrip, 0, cfg.Trajectories)
	for tries := 0; len(trips) < cfg.Trajectories; tries++ {
		if tries > 50*cfg.Trajectories+1000 {
			return trips, fmt.Errorf("simulate: found only %d routes of %g–%g m in %d tries", len(trips), cfg.MinLength, cfg.MaxLength, tries)
		}
		a, b := rng.IntN(len(g.Segments)), rng.IntN(len(g.Segments))
		if a == b {
			continue
		}
		sa, sb := &g.Segments[a], &g.Segments[b]
		if haversine(g.Nodes[sa.To].Point, g.Nodes[sb.From].Point) > cfg.MaxLength {
			continue // too far for any route within MaxLength
		}
		// Bounded search: no route within MaxLength takes longer than at 10 km/h.
		mid, _, ok := g.ShortestPath(sa.To, sb.From, ByFreeFlowTime, cfg.MaxLength/(10/3.6))
		if !ok {
			continue
		}
		path := append(append([]int{a}, mid...), b)
		if !simplePath(g, path) {
			continue
		}
		startOff := rng.Float64() * sa.Length
		endOff := rng.Float64() * sb.Length
		total := g.PathLength(path) - startOff - (sb.Length - endOff)
		if total < cfg.MinLength || total > cfg.MaxLength {
			continue
		}
		dep := cfg.Start.Add(time.Duration(len(trips)) * 7 * time.Minute)
		trips = append(trips, drive(g, proj, rng, path, startOff, endOff, dep, cfg, len(trips)))
	}
	return trips, nil
}

func drive(g *Graph, proj LocalProjection, rng *rand.Rand, path []int, startOff, endOff float64, dep time.Time, cfg SimConfig, n int) SimTrip {
	// Time to enter each segment (seconds from departure) at a random
	// share of the speed limit per segment.
	speed := make([]float64, len(path))
	enter := make([]float64, len(path)+1)
	for i, sid := range path {
		s := &g.Segments[sid]
		speed[i] = s.SpeedLimit * (0.7 + 0.3*rng.Float64())
		from, to := 0.0, s.Length
		if i == 0 {
			from = startOff
		}
		if i == len(path)-1 {
			to = endOff
		}
		enter[i+1] = enter[i] + math.Max(to-from, 0)/speed[i]
	}
	arrive := enter[len(path)]
	step := cfg.Interval.Seconds()
	tr := &traj.Trajectory{ID: fmt.Sprintf("sim-%d", n), UserID: "sim", Mode: "car", Labels: map[string]string{"trip": fmt.Sprint(n)}}
	trip := SimTrip{Path: path, Traj: tr}
	for i := range path {
		trip.Entry = append(trip.Entry, dep.Add(time.Duration(enter[i]*float64(time.Second))))
	}
	seg := 0
	for k := 0; ; k++ {
		ts := float64(k) * step
		if ts > arrive {
			ts = arrive
		}
		for seg < len(path)-1 && enter[seg+1] <= ts {
			seg++
		}
		off := speed[seg] * (ts - enter[seg])
		if seg == 0 {
			off += startOff
		}
		off = math.Min(off, g.Segments[path[seg]].Length)
		truth := g.PointAt(path[seg], off)
		x, y := proj.XY(truth)
		obs := proj.LonLat(x+rng.NormFloat64()*cfg.Noise, y+rng.NormFloat64()*cfg.Noise)
		trip.Truth = append(trip.Truth, truth)
		tr.Points = append(tr.Points, traj.NewPoint(obs[0], obs[1], dep.Add(time.Duration(ts*float64(time.Second)))))
		if ts >= arrive {
			break
		}
	}
	return trip
}

// simplePath rejects routes that repeat a segment or make a U-turn.
func simplePath(g *Graph, path []int) bool {
	seen := make(map[int]bool, len(path))
	for i, s := range path {
		if seen[s] || (i > 0 && g.Segments[s].Reverse == path[i-1]) {
			return false
		}
		seen[s] = true
	}
	return true
}

// LCS is the length of the longest common subsequence of two segment paths.
func LCS(a, b []int) int {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			switch {
			case a[i-1] == b[j-1]:
				cur[j] = prev[j-1] + 1
			case prev[j] >= cur[j-1]:
				cur[j] = prev[j]
			default:
				cur[j] = cur[j-1]
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// PathScore compares matched paths with true ones over a set of trips.
type PathScore struct {
	// Accuracy is Σ LCS(true, matched) / Σ len(true): the share of true
	// segments recovered in order (the segment_accuracy of the course).
	Accuracy float64
	// Precision is Σ LCS / Σ len(matched): the share of matched segments
	// that are on the true path, in order.
	Precision float64
	// Exact is the share of trips matched with exactly the true path.
	Exact float64
	Trips int
}

// ScorePaths scores matched against true paths (same order). A nil matched
// path counts as empty.
func ScorePaths(truth, matched [][]int) PathScore {
	var lcs, nt, nm, exact int
	for i := range truth {
		var m []int
		if i < len(matched) {
			m = matched[i]
		}
		l := LCS(truth[i], m)
		lcs += l
		nt += len(truth[i])
		nm += len(m)
		if l == len(truth[i]) && l == len(m) {
			exact++
		}
	}
	s := PathScore{Trips: len(truth)}
	if nt > 0 {
		s.Accuracy = float64(lcs) / float64(nt)
	}
	if nm > 0 {
		s.Precision = float64(lcs) / float64(nm)
	}
	if len(truth) > 0 {
		s.Exact = float64(exact) / float64(len(truth))
	}
	return s
}
