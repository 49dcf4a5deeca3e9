package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/tfm-course/course/datasets"
	"github.com/tfm-course/course/datasets/synth"
	"github.com/tfm-course/course/tfm/roadnet"
	"github.com/tfm-course/course/tfm/traj"
)

func init() {
	register(&command{
		Name:    "mapmatch",
		Summary: "map-match trajectories onto a road network (HMM); 'mapmatch eval' measures accuracy and speed",
		Run: func(args []string) error {
			if len(args) > 0 && args[0] == "eval" {
				return mapmatchEval(args[1:])
			}
			return mapmatchRun(args)
		},
	})
}

// matchFlags are the matcher's settings, shared by both subcommands.
func matchFlags(fs *flag.FlagSet) func() roadnet.MatchConfig {
	d := roadnet.DefaultMatchConfig()
	radius := fs.Float64("radius", d.Radius, "candidate radius, metres")
	sigma := fs.Float64("sigma", d.Sigma, "GPS noise σ of the emission model, metres")
	beta := fs.Float64("beta", d.Beta, "transition scale β, metres")
	k := fs.Int("candidates", d.MaxCandidates, "nearest candidates kept per point (0: all within radius)")
	workers := fs.Int("workers", 0, "parallel workers (0: all cores)")
	minMove := fs.Float64("min-move", d.MinMove, "a fix closer than this (metres) to the last matched fix is placed with it")
	uturn := fs.Float64("uturn", d.UTurn, "U-turn penalty, metres")
	return func() roadnet.MatchConfig {
		c := d
		c.Radius, c.Sigma, c.Beta, c.MaxCandidates, c.Workers = *radius, *sigma, *beta, *k, *workers
		c.MinMove, c.UTurn = *minMove, *uturn
		return c
	}
}

// loadNetwork reads an OSM file, or generates the synthetic city's network
// for "synthetic" (the same for a seed as `tfm data synth --seed`).
func loadNetwork(spec string, seed int64) (*roadnet.Graph, error) {
	if spec == "" {
		return nil, fmt.Errorf("--network is required (an .osm, .osm.bz2, .osm.gz or .osm.pbf file, or 'synthetic')")
	}
	if spec == "synthetic" {
		cfg := synth.DefaultConfig()
		cfg.Seed, cfg.Trajectories = seed, 1
		city, err := synth.Generate(cfg)
		if err != nil {
			return nil, err
		}
		return city.Network, nil
	}
	g, st, err := roadnet.LoadOSM(spec, roadnet.OSMOptions{})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "network %s: %d drivable ways → %d nodes, %d segments (%d one-way ways)\n",
		spec, st.Drivable, st.GraphNodes, st.Segments, st.OneWay)
	return g, nil
}

// mapmatchResult is the --json output of `tfm mapmatch`.
type mapmatchResult struct {
	Network         string  `json:"network"`
	Nodes           int     `json:"nodes"`
	Segments        int     `json:"segments"`
	Trajectories    int     `json:"trajectories"`
	Matched         int     `json:"matched"`
	Failed          int     `json:"failed"`
	Points          int     `json:"points"`
	UnmatchedPoints int     `json:"unmatched_points"`
	Breaks          int     `json:"breaks"`
	PathSegments    int     `json:"path_segments"`
	Seconds         float64 `json:"seconds"`
	PointsPerSecond float64 `json:"points_per_second"`
	Out             string  `json:"out"`
	GeoJSON         string  `json:"geojson,omitempty"`
}

func mapmatchRun(args []string) error {
	fs := flag.NewFlagSet("mapmatch", flag.ContinueOnError)
	network := fs.String("network", "", "road network: an OpenStreetMap file (.osm, .osm.bz2, .osm.gz, .osm.pbf) or 'synthetic'")
	seed := fs.Int64("seed", synth.DefaultConfig().Seed, "seed of the synthetic city (with --network synthetic)")
	in := dataFlags(fs, "trajectory format: "+strings.Join(datasets.Formats(), ", "))
	out := fs.String("out", "-", "CSV of matched paths (traj_id,seq,segment_id,entry_time,break); '-' is stdout")
	gj := fs.String("geojson", "", "also write the matched paths as GeoJSON LineStrings to this file")
	asJSON := fs.Bool("json", false, "print one JSON summary line last on stdout")
	cfg := matchFlags(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: tfm mapmatch --network FILE|synthetic --format F [--out matched.csv] [--geojson paths.geojson] [--json] PATH\n"+
			"       tfm mapmatch eval --network synthetic|FILE --seed S --trajectories N --interval 15s --noise 10m [--json]\n\n"+
			"Matches every trajectory of PATH onto the road network with an HMM (Newson & Krumm 2009)\n"+
			"and writes each matched path: its road segments in order with the time each was entered.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return fmt.Errorf("want one PATH of trajectories, got %d arguments", len(pos))
	}
	if err := in.requireFormat(); err != nil {
		return err
	}
	g, err := loadNetwork(*network, *seed)
	if err != nil {
		return err
	}
	ds, err := in.open(pos[0])
	if err != nil {
		return err
	}
	m, err := roadnet.NewMatcher(g, cfg())
	if err != nil {
		return err
	}
	start := time.Now()
	ms, errs := m.MatchAll(ds.Trajectories)
	el := time.Since(start)
	res := mapmatchResult{Network: *network, Nodes: len(g.Nodes), Segments: len(g.Segments),
		Trajectories: len(ds.Trajectories), Points: ds.NumPoints(), Seconds: el.Seconds(), Out: *out, GeoJSON: *gj}
	for i, e := range errs {
		if e != nil {
			res.Failed++
			fmt.Fprintf(os.Stderr, "skipping %v\n", e)
			continue
		}
		res.Matched++
		res.UnmatchedPoints += ms[i].Unmatched
		res.Breaks += len(ms[i].Breaks)
		res.PathSegments += len(ms[i].Segments)
	}
	if res.Matched == 0 {
		return fmt.Errorf("no trajectory of %s could be matched onto %s (first error: %v)", pos[0], *network, errs[0])
	}
	if el > 0 {
		res.PointsPerSecond = float64(res.Points) / el.Seconds()
	}
	if err := writeMatchCSV(*out, ms); err != nil {
		return err
	}
	if *gj != "" {
		if err := writeMatchGeoJSON(*gj, g, ms); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "matched %d of %d trajectories (%d points, %d breaks) in %.2fs: %.0f points/s\n",
		res.Matched, res.Trajectories, res.Points, res.Breaks, res.Seconds, res.PointsPerSecond)
	if *asJSON {
		return printJSON(res)
	}
	return nil
}

// writeMatchCSV writes traj_id,seq,segment_id,entry_time,break rows.
func writeMatchCSV(path string, ms []*roadnet.Match) error {
	var w io.Writer = os.Stdout
	if path != "-" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	cw.Write([]string{"traj_id", "seq", "segment_id", "entry_time", "break"})
	for _, m := range ms {
		if m == nil {
			continue
		}
		for i, s := range m.Segments {
			cw.Write([]string{m.ID, strconv.Itoa(i), strconv.Itoa(s.Segment), s.Entry.UTC().Format("2006-01-02T15:04:05.000Z07:00"), strconv.FormatBool(s.Break)})
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// writeMatchGeoJSON writes one LineString feature per matched piece.
func writeMatchGeoJSON(path string, g *roadnet.Graph, ms []*roadnet.Match) error {
	fc := geojson.NewFeatureCollection()
	for _, m := range ms {
		if m == nil {
			continue
		}
		var line orb.LineString
		var segs []int
		flush := func() {
			if len(line) > 1 {
				f := geojson.NewFeature(line)
				f.Properties["id"] = m.ID
				f.Properties["segments"] = segs
				fc.Append(f)
			}
			line, segs = nil, nil
		}
		for _, s := range m.Segments {
			if s.Break {
				flush()
			}
			geom := g.Segments[s.Segment].Geometry
			if len(line) > 0 {
				geom = geom[1:]
			}
			line = append(line, geom...)
			segs = append(segs, s.Segment)
		}
		flush()
	}
	b, err := json.Marshal(fc)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// metres parses "10", "10m" or "10 m".
func metres(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "m")), 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("%q is not a distance in metres (e.g. 10m)", s)
	}
	return v, nil
}

// evalResult is the --json output of `tfm mapmatch eval`.
type evalResult struct {
	Network          string             `json:"network"`
	Simulator        string             `json:"simulator"`
	Nodes            int                `json:"nodes"`
	Segments         int                `json:"segments"`
	Seed             int64              `json:"seed"`
	Trajectories     int                `json:"trajectories"`
	Points           int                `json:"points"`
	Interval         string             `json:"interval"`
	Noise            float64            `json:"noise_m"`
	SegmentAccuracy  float64            `json:"segment_accuracy"`
	SegmentPrecision float64            `json:"segment_precision"`
	ExactShare       float64            `json:"exact_share"`
	ByMode           map[string]float64 `json:"segment_accuracy_by_mode,omitempty"`
	Breaks           int                `json:"breaks"`
	Failed           int                `json:"failed"`
	Workers          int                `json:"workers"`
	Seconds          float64            `json:"seconds"`
	PointsPerSecond  float64            `json:"points_per_second"`
	CPUSeconds       float64            `json:"cpu_seconds"`
	PerCore          float64            `json:"points_per_second_per_core"` // points / CPU seconds (wall/workers where unknown)
	Sigma            float64            `json:"sigma"`
	Beta             float64            `json:"beta"`
	Radius           float64            `json:"radius"`
}

func mapmatchEval(args []string) error {
	fs := flag.NewFlagSet("mapmatch eval", flag.ContinueOnError)
	network := fs.String("network", "synthetic", "'synthetic' (the generated city) or an OpenStreetMap file to simulate on")
	seed := fs.Int64("seed", 1, "random seed")
	n := fs.Int("trajectories", 200, "number of simulated trajectories")
	interval := fs.Duration("interval", 15*time.Second, "GPS sampling interval")
	noiseS := fs.String("noise", "10m", "GPS noise σ per axis (metres, e.g. 10m)")
	sim := fs.String("simulator", "synth", "'synth': the synthetic city's agents (all modes, Trip ground truth); 'drive': random shortest-path car drives at the speed limit (roadnet.Simulate)")
	dropout := fs.Float64("dropout", 0, "probability that a fix is lost (synth simulator)")
	asJSON := fs.Bool("json", false, "print one JSON line last on stdout")
	cfg := matchFlags(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: tfm mapmatch eval --network synthetic|FILE --seed S --trajectories N --interval 15s --noise 10m [--json]\n\n"+
			"Simulates trips with known paths on the network, adds GPS noise, matches them and reports\n"+
			"segment_accuracy = Σ LCS(true path, matched path) / Σ len(true path) (share of true segments\n"+
			"recovered in order), segment_precision = Σ LCS / Σ len(matched), and matching speed.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		fs.Usage()
		return fmt.Errorf("unexpected arguments %q", pos)
	}
	noise, err := metres(*noiseS)
	if err != nil {
		return fmt.Errorf("--noise: %w", err)
	}
	if *n <= 0 || *interval <= 0 {
		return fmt.Errorf("--trajectories and --interval must be positive")
	}
	var g *roadnet.Graph
	if *network != "synthetic" {
		if g, err = loadNetwork(*network, *seed); err != nil {
			return err
		}
	}
	var ts []*traj.Trajectory
	var truth [][]int
	var modes []string
	switch *sim {
	case "synth":
		c := synth.DefaultConfig()
		c.Seed, c.Trajectories, c.SamplingInterval, c.Noise, c.DropoutRate, c.Network = *seed, *n, *interval, noise, *dropout, g
		city, err := synth.Generate(c)
		if err != nil {
			return err
		}
		g = city.Network
		for i := range city.Trips {
			ts, truth, modes = append(ts, city.Trips[i].Observed), append(truth, city.Trips[i].Path), append(modes, city.Trips[i].Mode)
		}
	case "drive":
		if g == nil {
			c := synth.DefaultConfig()
			c.Seed, c.Trajectories = *seed, 1
			city, err := synth.Generate(c)
			if err != nil {
				return err
			}
			g = city.Network
		}
		trips, err := roadnet.Simulate(g, roadnet.SimConfig{Seed: uint64(*seed), Trajectories: *n, Interval: *interval, Noise: noise})
		if err != nil {
			return err
		}
		for _, tr := range trips {
			ts, truth, modes = append(ts, tr.Traj), append(truth, tr.Path), append(modes, tr.Traj.Mode)
		}
	default:
		return fmt.Errorf("--simulator %q: want synth or drive", *sim)
	}
	mc := cfg()
	m, err := roadnet.NewMatcher(g, mc)
	if err != nil {
		return err
	}
	points := 0
	for _, t := range ts {
		points += len(t.Points)
	}
	fmt.Fprintf(os.Stderr, "matching %d trajectories (%d points) on %d segments…\n", len(ts), points, len(g.Segments))
	start, cpu0 := time.Now(), processCPUTime()
	ms, errs := m.MatchAll(ts)
	el := time.Since(start).Seconds()
	cpu := (processCPUTime() - cpu0).Seconds()
	workers := mc.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	res := evalResult{Network: *network, Simulator: *sim, Nodes: len(g.Nodes), Segments: len(g.Segments), Seed: *seed,
		Trajectories: len(ts), Points: points, Interval: interval.String(), Noise: noise, Workers: workers, Seconds: el,
		Sigma: mc.Sigma, Beta: mc.Beta, Radius: mc.Radius, ByMode: map[string]float64{}}
	got := make([][]int, len(ts))
	byMode := map[string][2][][]int{}
	for i := range ts {
		if errs[i] != nil {
			res.Failed++
		} else {
			got[i] = ms[i].Path()
			res.Breaks += len(ms[i].Breaks)
		}
		b := byMode[modes[i]]
		b[0], b[1] = append(b[0], truth[i]), append(b[1], got[i])
		byMode[modes[i]] = b
	}
	sc := roadnet.ScorePaths(truth, got)
	res.SegmentAccuracy, res.SegmentPrecision, res.ExactShare = sc.Accuracy, sc.Precision, sc.Exact
	names := make([]string, 0, len(byMode))
	for mode, b := range byMode {
		res.ByMode[mode] = roadnet.ScorePaths(b[0], b[1]).Accuracy
		names = append(names, mode)
	}
	sort.Strings(names)
	if el > 0 {
		res.PointsPerSecond = float64(points) / el
		res.PerCore = res.PointsPerSecond / float64(min(workers, max(len(ts), 1)))
	}
	res.CPUSeconds = cpu
	if cpu > 0 {
		// CPU time measures one core's throughput even on a shared machine.
		res.PerCore = float64(points) / cpu
	}
	fmt.Fprintf(os.Stderr, "segment_accuracy %.4f  segment_precision %.4f  exact %.3f  breaks %d  %.0f points/s (%d workers), %.0f points per CPU-second\n",
		res.SegmentAccuracy, res.SegmentPrecision, res.ExactShare, res.Breaks, res.PointsPerSecond, workers, res.PerCore)
	for _, mode := range names {
		fmt.Fprintf(os.Stderr, "  %-6s segment_accuracy %.4f\n", mode, res.ByMode[mode])
	}
	if *asJSON {
		return printJSON(res)
	}
	return nil
}
