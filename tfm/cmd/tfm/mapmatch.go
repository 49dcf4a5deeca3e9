package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/tfm-course/course/datasets"
	"github.com/tfm-course/course/datasets/synth"
	"github.com/tfm-course/course/tfm/output"
	"github.com/tfm-course/course/tfm/roadnet"
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
		Subs: []*command{{Name: "eval", Summary: "simulate trips with known paths, match them, report accuracy and speed", Run: mapmatchEval}},
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

// matchRules are the valid ranges of matchFlags.
var matchRules = []flagRule{above("radius", 0), above("sigma", 0), above("beta", 0), atLeast("candidates", 0),
	atLeast("workers", 0), atLeast("min-move", 0), atLeast("uturn", 0)}

// loadNetwork reads an OSM file, or generates the synthetic city's network
// for "synthetic" (datasets.Load's city: the same for a seed as
// `tfm data synth --seed`).
func loadNetwork(spec string, seed int64) (*roadnet.Graph, error) {
	if spec == "" {
		return nil, fmt.Errorf("--network is required (an .osm, .osm.bz2, .osm.gz or .osm.pbf file, or 'synthetic')")
	}
	if spec == "synthetic" {
		d, err := datasets.Load(fmt.Sprintf("synthetic:seed=%d,trajectories=1", seed))
		if err != nil {
			return nil, err
		}
		if d.Map == nil || d.Map.Network == nil {
			return nil, fmt.Errorf("the synthetic city of seed %d has no road network", seed)
		}
		return d.Map.Network, nil
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
	SkippedRows     int     `json:"skipped_rows"`  // dropped by --skip-bad (as in `data stats`)
	SkippedFiles    int     `json:"skipped_files"` // dropped by --skip-bad
}

func mapmatchRun(args []string) error {
	fs := flag.NewFlagSet("mapmatch", flag.ContinueOnError)
	network := fs.String("network", "", "road network: an OpenStreetMap file (.osm, .osm.bz2, .osm.gz, .osm.pbf) or 'synthetic'")
	seed := fs.Int64("seed", synth.DefaultConfig().Seed, "seed of the synthetic city (with --network synthetic)")
	in := dataFlags(fs, "trajectory format: "+strings.Join(datasets.Formats(), ", "))
	out := fs.String("out", "-", "CSV of matched paths (traj_id,seq,segment_id,entry_time,break); '-' is stdout")
	gj := fs.String("geojson", "", "also write the matched paths as GeoJSON LineStrings to this file")
	asJSON := fs.Bool("json", false, "print one JSON summary line last on stdout")
	force := fs.Bool("force", false, "replace --out and --geojson files that exist")
	cfg := matchFlags(fs)
	setHelp(fs, help{
		About: "Matches every trajectory of PATH onto a road network with an HMM (Newson & Krumm 2009) and writes each matched path: its road segments in order with the time each was entered.",
		Usage: "tfm mapmatch --network FILE|synthetic --format F [--out matched.csv] [--geojson paths.geojson] [--json] PATH\n" +
			"tfm mapmatch eval --network synthetic|FILE --seed S --trajectories N --interval 15s --noise 10m [--json]",
		Example: "tfm data synth --seed 1 --trajectories 20 --out /tmp/city && tfm mapmatch --network synthetic --seed 1 --format csv --out /tmp/matched.csv /tmp/city/trajectories.csv",
	})
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if err := validateFlags(fs, matchRules...); err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return fmt.Errorf("want one PATH of trajectories, got %d arguments", len(pos))
	}
	if err := in.requireFormat(); err != nil {
		return err
	}
	for _, p := range []string{*out, *gj} { // refuse before the work
		if p != "" && p != "-" {
			if err := output.CheckFile(p, *force); err != nil {
				return err
			}
		}
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
		Trajectories: len(ds.Trajectories), Points: ds.NumPoints(), Seconds: el.Seconds(), Out: *out, GeoJSON: *gj,
		SkippedRows: in.Skipped.Rows, SkippedFiles: in.Skipped.Files}
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
	if err := writeMatchCSV(*out, ms, *force); err != nil {
		return err
	}
	if *gj != "" {
		if err := writeMatchGeoJSON(*gj, g, ms, *force); err != nil {
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

// writeMatchCSV writes traj_id,seq,segment_id,entry_time,break rows to
// path ('-': stdout), atomically and, without force, never over a file.
func writeMatchCSV(path string, ms []*roadnet.Match, force bool) error {
	if path != "-" {
		return output.WriteWith(path, force, func(w io.Writer) error { return matchCSV(w, ms) })
	}
	return matchCSV(os.Stdout, ms)
}

func matchCSV(w io.Writer, ms []*roadnet.Match) error {
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
func writeMatchGeoJSON(path string, g *roadnet.Graph, ms []*roadnet.Match, force bool) error {
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
	return output.WriteFile(path, b, force)
}

// metres parses "10", "10m" or "10 m".
func metres(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "m")), 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("%q is not a distance in metres (e.g. 10m)", s)
	}
	return v, nil
}

// mapmatchEval is `tfm mapmatch eval`: roadnet.Evaluate with the flags'
// settings; its roadnet.EvalReport is the --json line.
func mapmatchEval(args []string) error {
	d := roadnet.DefaultEvalConfig()
	fs := flag.NewFlagSet("mapmatch eval", flag.ContinueOnError)
	network := fs.String("network", "synthetic", "'synthetic' (the generated city) or an OpenStreetMap file to simulate on")
	seed := fs.Int64("seed", d.Seed, "random seed")
	n := fs.Int("trajectories", d.Trajectories, "number of simulated trajectories")
	interval := fs.Duration("interval", d.Interval, "GPS sampling interval")
	noiseS := fs.String("noise", fmt.Sprintf("%gm", d.Noise), "GPS noise σ per axis (metres, e.g. 10m)")
	sim := fs.String("simulator", "synth", "'synth': the synthetic city's agents (all modes, Trip ground truth); 'drive': random shortest-path car drives at the speed limit (roadnet.Simulate)")
	dropout := fs.Float64("dropout", d.Dropout, "probability that a fix is lost (synth simulator)")
	asJSON := fs.Bool("json", false, "print one JSON line last on stdout")
	cfg := matchFlags(fs)
	setHelp(fs, help{
		About:   "Simulates trips with known paths on the network, adds GPS noise, matches them and reports accuracy and matching speed.",
		Usage:   "tfm mapmatch eval --network synthetic|FILE --seed S --trajectories N --interval 15s --noise 10m [--json]",
		Example: "tfm mapmatch eval --network synthetic --seed 1 --trajectories 20 --interval 15s --noise 10m --json",
		Notes: "segment_accuracy = Σ LCS(true path, matched path) / Σ len(true path) (share of true segments\n" +
			"recovered in order), segment_precision = Σ LCS / Σ len(matched).",
	})
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if err := validateFlags(fs, append(matchRules, atLeast("trajectories", 1), between("dropout", 0, 0.5, false, true))...); err != nil {
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
	ec := roadnet.EvalConfig{Network: *network, Simulator: *sim, Seed: *seed, Trajectories: *n, Interval: *interval,
		Noise: noise, Dropout: *dropout, Match: cfg(), Log: os.Stderr}
	switch *sim {
	case "synth":
		ec.Simulate = synth.EvalTrips // on its own city for --network synthetic
	case "drive":
		ec.Simulate = roadnet.DriveTrips
	default:
		return fmt.Errorf("--simulator %q: want synth or drive", *sim)
	}
	var g *roadnet.Graph
	if *network != "synthetic" || *sim == "drive" {
		if g, err = loadNetwork(*network, *seed); err != nil {
			return err
		}
	}
	res, err := roadnet.Evaluate(g, ec)
	if err != nil {
		return err
	}
	fmt.Fprint(os.Stderr, res)
	if *asJSON {
		return printJSON(res)
	}
	return nil
}
