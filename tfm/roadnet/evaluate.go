package roadnet

import (
	"fmt"
	"io"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/tfm-course/course/tfm/traj"
)

// EvalTrip is one simulated trip of an evaluation: what the GPS recorded,
// the true path and the travel mode (scores are also reported per mode).
type EvalTrip struct {
	Observed *traj.Trajectory
	Path     []int // true segment ids, in order
	Mode     string
}

// TripSimulator simulates cfg.Trajectories trips with known paths for
// Evaluate, with cfg's Seed, Interval, Noise (and Dropout where it models
// lost fixes), on g — or, when g is nil, on a network of its own. It returns
// the network the trips are on. DriveTrips is roadnet's; the synthetic
// city's agents are synth.EvalTrips (package datasets/synth).
type TripSimulator func(g *Graph, cfg EvalConfig) (*Graph, []EvalTrip, error)

// EvalConfig configures Evaluate: which trips to simulate, and the matcher.
type EvalConfig struct {
	// Network names the network in the report (e.g. "synthetic" or the
	// OSM file); Evaluate does not read it.
	Network string
	// Simulator names Simulate in the report ("drive" for DriveTrips).
	Simulator string
	// Simulate makes the trips; nil is DriveTrips.
	Simulate     TripSimulator
	Seed         int64
	Trajectories int
	Interval     time.Duration // GPS sampling interval
	Noise        float64       // GPS noise σ per axis, metres
	Dropout      float64       // probability that a fix is lost (simulators that model it)
	Match        MatchConfig
	// Log, when not nil, receives a progress line before matching.
	Log io.Writer
}

// DefaultEvalConfig is the course's benchmark setting: 200 drives
// (DriveTrips), seed 1, 15 s sampling, 10 m GPS noise, DefaultMatchConfig.
func DefaultEvalConfig() EvalConfig {
	return EvalConfig{Simulator: "drive", Seed: 1, Trajectories: 200, Interval: 15 * time.Second, Noise: 10, Match: DefaultMatchConfig()}
}

// EvalReport is what Evaluate measured; its JSON is the output of
// `tfm mapmatch eval --json`.
type EvalReport struct {
	Network      string  `json:"network"`
	Simulator    string  `json:"simulator"`
	Nodes        int     `json:"nodes"`
	Segments     int     `json:"segments"`
	Seed         int64   `json:"seed"`
	Trajectories int     `json:"trajectories"`
	Points       int     `json:"points"`
	Interval     string  `json:"interval"` // e.g. "15s"
	Noise        float64 `json:"noise_m"`
	// SegmentAccuracy is Σ LCS(true, matched) / Σ len(true), SegmentPrecision
	// Σ LCS / Σ len(matched) and ExactShare the share of trips matched
	// exactly (ScorePaths); a trip that failed to match counts as empty.
	SegmentAccuracy  float64            `json:"segment_accuracy"`
	SegmentPrecision float64            `json:"segment_precision"`
	ExactShare       float64            `json:"exact_share"`
	ByMode           map[string]float64 `json:"segment_accuracy_by_mode,omitempty"` // segment accuracy per trip mode
	Breaks           int                `json:"breaks"`                             // matching restarts, all trips
	Failed           int                `json:"failed"`                             // trips that could not be matched
	Workers          int                `json:"workers"`
	Seconds          float64            `json:"seconds"` // wall time of matching
	PointsPerSecond  float64            `json:"points_per_second"`
	CPUSeconds       float64            `json:"cpu_seconds"` // process CPU time of matching (0 where unknown)
	// PerCore is points per CPU-second (one core's throughput even on a busy
	// machine); where CPU time is unknown, points/s over the workers used.
	PerCore float64 `json:"points_per_second_per_core"`
	Sigma   float64 `json:"sigma"`
	Beta    float64 `json:"beta"`
	Radius  float64 `json:"radius"`
}

// Evaluate simulates trips with known paths on g (nil: the simulator's own
// network), matches their noisy fixes with cfg.Match, and reports how much
// of the true paths was recovered and how fast. Everything but the timings
// is deterministic for a seed.
func Evaluate(g *Graph, cfg EvalConfig) (*EvalReport, error) {
	if cfg.Trajectories <= 0 || cfg.Interval <= 0 || cfg.Noise < 0 {
		return nil, fmt.Errorf("evaluate: need Trajectories > 0, Interval > 0, Noise >= 0 (got %d, %v, %g)", cfg.Trajectories, cfg.Interval, cfg.Noise)
	}
	if err := cfg.Match.check(); err != nil { // before a long simulation
		return nil, err
	}
	sim := cfg.Simulate
	if sim == nil {
		sim = DriveTrips
	}
	g, trips, err := sim(g, cfg)
	if err != nil {
		return nil, err
	}
	m, err := NewMatcher(g, cfg.Match)
	if err != nil {
		return nil, err
	}
	ts := make([]*traj.Trajectory, len(trips))
	points := 0
	for i, tr := range trips {
		ts[i] = tr.Observed
		points += len(tr.Observed.Points)
	}
	if cfg.Log != nil {
		fmt.Fprintf(cfg.Log, "matching %d trajectories (%d points) on %d segments…\n", len(ts), points, len(g.Segments))
	}
	start, cpu0 := time.Now(), cpuTime()
	ms, errs := m.MatchAll(ts)
	el := time.Since(start).Seconds()
	cpu := (cpuTime() - cpu0).Seconds()
	workers := cfg.Match.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	r := &EvalReport{Network: cfg.Network, Simulator: cfg.Simulator, Nodes: len(g.Nodes), Segments: len(g.Segments), Seed: cfg.Seed,
		Trajectories: len(ts), Points: points, Interval: cfg.Interval.String(), Noise: cfg.Noise, Workers: workers, Seconds: el,
		Sigma: cfg.Match.Sigma, Beta: cfg.Match.Beta, Radius: cfg.Match.Radius, ByMode: map[string]float64{}}
	truth := make([][]int, len(trips))
	got := make([][]int, len(trips))
	byMode := map[string][2][][]int{}
	for i, tr := range trips {
		truth[i] = tr.Path
		if errs[i] != nil {
			r.Failed++
		} else {
			got[i] = ms[i].Path()
			r.Breaks += len(ms[i].Breaks)
		}
		b := byMode[tr.Mode]
		b[0], b[1] = append(b[0], truth[i]), append(b[1], got[i])
		byMode[tr.Mode] = b
	}
	sc := ScorePaths(truth, got)
	r.SegmentAccuracy, r.SegmentPrecision, r.ExactShare = sc.Accuracy, sc.Precision, sc.Exact
	for mode, b := range byMode {
		r.ByMode[mode] = ScorePaths(b[0], b[1]).Accuracy
	}
	if el > 0 {
		r.PointsPerSecond = float64(points) / el
		r.PerCore = r.PointsPerSecond / float64(min(workers, max(len(ts), 1)))
	}
	r.CPUSeconds = cpu
	if cpu > 0 {
		// CPU time measures one core's throughput even on a shared machine.
		r.PerCore = float64(points) / cpu
	}
	return r, nil
}

// DriveTrips is the TripSimulator of Simulate: random shortest-path car
// drives on g at 70–100 % of the speed limit (mode "car"). It needs a
// network.
func DriveTrips(g *Graph, cfg EvalConfig) (*Graph, []EvalTrip, error) {
	if g == nil {
		return nil, nil, fmt.Errorf("evaluate: the drive simulator needs a road network")
	}
	sim, err := Simulate(g, SimConfig{Seed: uint64(cfg.Seed), Trajectories: cfg.Trajectories, Interval: cfg.Interval, Noise: cfg.Noise})
	if err != nil {
		return nil, nil, err
	}
	trips := make([]EvalTrip, len(sim))
	for i, tr := range sim {
		trips[i] = EvalTrip{Observed: tr.Traj, Path: tr.Path, Mode: tr.Traj.Mode}
	}
	return g, trips, nil
}

// String is the human-readable summary: the scores and speed on one line,
// then the segment accuracy of each mode.
func (r *EvalReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "segment_accuracy %.4f  segment_precision %.4f  exact %.3f  breaks %d  %.0f points/s (%d workers), %.0f points per CPU-second\n",
		r.SegmentAccuracy, r.SegmentPrecision, r.ExactShare, r.Breaks, r.PointsPerSecond, r.Workers, r.PerCore)
	modes := make([]string, 0, len(r.ByMode))
	for mode := range r.ByMode {
		modes = append(modes, mode)
	}
	sort.Strings(modes)
	for _, mode := range modes {
		fmt.Fprintf(&b, "  %-6s segment_accuracy %.4f\n", mode, r.ByMode[mode])
	}
	return b.String()
}
