// Package datasets is the one door to trajectory data: Load("synthetic"),
// Load("geolife:/data/Geolife Trajectories 1.3"), or Open(format, path,
// Options) for the formats of the sub-packages (geolife, porto, tdrive,
// gpx, csv, geojson). Loading never cleans; see traj.Clean for that.
//
// Bad rows are errors that name file:line and field, unless
// Options.SkipBad is set: then they are skipped and counted in a Report.
package datasets

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tfm-course/course/datasets/csvtraj"
	"github.com/tfm-course/course/datasets/geojson"
	"github.com/tfm-course/course/datasets/geolife"
	"github.com/tfm-course/course/datasets/gpx"
	"github.com/tfm-course/course/datasets/parse"
	"github.com/tfm-course/course/datasets/porto"
	"github.com/tfm-course/course/datasets/synth"
	"github.com/tfm-course/course/datasets/tdrive"
	"github.com/tfm-course/course/tfm/roadnet"
	"github.com/tfm-course/course/tfm/traj"
)

// Report counts files, rows and skipped rows of a load (see parse.Report).
type Report = parse.Report

// ParseError is the error type of bad input: File, Line, Field, Value.
type ParseError = parse.Error

// Columns names CSV columns explicitly (see csvtraj).
type Columns = csvtraj.Columns

// Options tune Open.
type Options struct {
	// SkipBad skips (and counts) bad rows and files instead of failing.
	SkipBad bool
	// Columns overrides CSV column detection (format "csv" only).
	Columns Columns
	// Limit > 0 stops after that many trajectories (format "porto" only,
	// whose file holds 1.7 million trips).
	Limit int
	// Report, when not nil, receives the counts of the load. When it is
	// nil and SkipBad dropped something, Open says so on stderr: skipped
	// rows are never silent.
	Report *Report
}

// Formats lists the formats Open understands.
func Formats() []string { return []string{"csv", "geojson", "geolife", "gpx", "porto", "tdrive"} }

// Open loads the data set at path in the given format. Files ending in
// .gz are decompressed on the fly (porto, csv, geojson, gpx files).
func Open(format, path string, opt Options) (*traj.Dataset, error) {
	rep := opt.Report
	if rep == nil {
		rep = &Report{}
	}
	rep.SkipBad = opt.SkipBad
	var (
		ds  *traj.Dataset
		err error
	)
	switch strings.ToLower(format) {
	case "geolife":
		ds, err = geolife.Load(path, rep)
	case "tdrive", "t-drive":
		ds, err = tdrive.Load(path, rep)
	case "gpx":
		if strings.HasSuffix(path, ".gz") {
			ds, err = readGz(path, rep, func(r io.Reader) (*traj.Dataset, error) { return gpx.Read(r, path, rep) })
		} else {
			ds, err = gpx.Load(path, rep)
		}
	case "porto":
		ds, err = readGz(path, rep, func(r io.Reader) (*traj.Dataset, error) { return porto.Read(r, path, rep, opt.Limit) })
	case "csv":
		ds, err = readGz(path, rep, func(r io.Reader) (*traj.Dataset, error) { return csvtraj.Read(r, path, opt.Columns, rep) })
	case "geojson", "json":
		ds, err = readGz(path, rep, func(r io.Reader) (*traj.Dataset, error) { return geojson.Read(r, path, rep) })
	default:
		return nil, fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(Formats(), ", "))
	}
	if err != nil {
		return nil, err
	}
	if opt.Report == nil && (rep.SkippedRows > 0 || rep.SkippedFiles > 0) {
		fmt.Fprintf(os.Stderr, "datasets: %s %s: %v\n", format, path, rep)
	}
	PrintWarnings(os.Stderr, rep)
	ds.Name = strings.ToLower(format)
	return ds, nil
}

// PrintWarnings writes the warnings of a load (input that was loaded but
// may be wrong, such as a last line without newline) to w, one per line,
// with the count of those left out.
func PrintWarnings(w io.Writer, rep *Report) {
	for _, s := range rep.Warnings {
		fmt.Fprintf(w, "datasets: warning: %s\n", s)
	}
	if n := rep.NumWarnings - len(rep.Warnings); n > 0 {
		fmt.Fprintf(w, "datasets: warning: … and %d more like these\n", n)
	}
}

// readGz opens path (gunzipping *.gz) and hands the stream to read.
func readGz(path string, rep *Report, read func(io.Reader) (*traj.Dataset, error)) (*traj.Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, parse.FileError(path, err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return nil, &ParseError{File: path, Err: errors.New("is a folder, want a file")}
	}
	rep.File()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, &ParseError{File: path, Err: fmt.Errorf("gzip: %w", err)}
		}
		defer zr.Close()
		r = zr
	}
	return read(r)
}

// Data is a loaded data set: the trajectories and, where the source has
// one, its map (road network, POIs, districts) for the road and text
// modalities. The embedded Dataset keeps ds.Trajectories working.
type Data struct {
	*traj.Dataset
	Map *roadnet.Map // nil when the source has no map
}

// Load loads a data set named by spec:
//
//	synthetic                              the synthetic city, default config, with its map
//	synthetic:seed=S,trajectories=N        … with that seed and trip count
//	synthetic:…,inequity=1                 … recorded with the planted inequity (synth.InequityOptions defaults)
//	synthetic:…,drift=1                    … the "after" city of the seed (synth.Config.Drift)
//	FORMAT:PATH                            Open(FORMAT, PATH, Options{}), no map
//
// It is the only parser of data specs; LoadWithNetwork adds an OSM network
// as the map of data that has none.
func Load(spec string) (*Data, error) {
	name, arg, _ := strings.Cut(spec, ":")
	if strings.EqualFold(name, "synthetic") || strings.EqualFold(name, "synth") {
		sp, err := ParseSynthSpec(arg)
		if err != nil {
			return nil, err
		}
		cfg := sp.Config
		if err := synth.CheckMemory(cfg, 0); err != nil {
			return nil, fmt.Errorf("data set spec %q: %w", spec, err)
		}
		city, err := synth.Generate(cfg)
		if err != nil {
			return nil, err
		}
		if sp.Inequity == nil {
			return &Data{Dataset: city.Dataset(), Map: city.Map()}, nil
		}
		ds, _, err := city.InequityDataset(*sp.Inequity)
		if err != nil {
			return nil, fmt.Errorf("data set spec %q: %w", spec, err)
		}
		return &Data{Dataset: ds, Map: city.Map()}, nil
	}
	if arg == "" {
		return nil, fmt.Errorf("data set spec %q: want synthetic[:seed=S,trajectories=N] or FORMAT:PATH with FORMAT one of %s", spec, strings.Join(Formats(), ", "))
	}
	ds, err := Open(name, arg, Options{})
	if err != nil {
		return nil, err
	}
	return &Data{Dataset: ds}, nil
}

// LoadWithNetwork is Load with an OpenStreetMap extract (.osm, .osm.bz2,
// .osm.gz, .osm.pbf) as the data's road network; an empty osmPath is Load.
// The network replaces the synthetic city's own.
func LoadWithNetwork(spec, osmPath string) (*Data, error) {
	d, err := Load(spec)
	if err != nil || osmPath == "" {
		return d, err
	}
	g, _, err := roadnet.LoadOSM(osmPath, roadnet.OSMOptions{})
	if err != nil {
		return nil, err
	}
	d.Map = &roadnet.Map{Network: g}
	return d, nil
}

// SynthSpec is a parsed synthetic data spec: the city's configuration and,
// with inequity=1, the planted recording inequity (nil: the plain city).
type SynthSpec struct {
	Config   synth.Config
	Inequity *synth.InequityOptions
}

// ParseSynthSpec parses "seed=S,trajectories=N,inequity=0|1,drift=0|1"
// (every part optional, in any order) over synth.DefaultConfig().
// inequity=1 takes the defaults of synth.InequityOptions, seeded by the
// city's seed; drift=1 sets synth.Config.Drift (the after city).
func ParseSynthSpec(args string) (SynthSpec, error) {
	sp := SynthSpec{Config: synth.DefaultConfig()}
	if strings.TrimSpace(args) == "" {
		return sp, nil
	}
	inequity := false
	for _, kv := range strings.Split(args, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok {
			return sp, fmt.Errorf("synthetic spec %q: want key=value", kv)
		}
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return sp, fmt.Errorf("synthetic spec %q: %s is not an integer", kv, v)
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "seed":
			sp.Config.Seed = n
		case "trajectories", "n":
			if n <= 0 {
				return sp, fmt.Errorf("synthetic spec %q: trajectories must be > 0", kv)
			}
			sp.Config.Trajectories = int(n)
		case "inequity":
			if n != 0 && n != 1 {
				return sp, fmt.Errorf("synthetic spec %q: inequity must be 0 or 1", kv)
			}
			inequity = n == 1
		case "drift":
			if n != 0 && n != 1 {
				return sp, fmt.Errorf("synthetic spec %q: drift must be 0 or 1", kv)
			}
			sp.Config.Drift = n == 1
		default:
			return sp, fmt.Errorf("synthetic spec: unknown key %q (want seed, trajectories, inequity, drift)", k)
		}
	}
	if inequity {
		sp.Inequity = &synth.InequityOptions{Seed: uint64(sp.Config.Seed)}
	}
	return sp, nil
}

// SynthConfig is the city configuration of a synthetic spec (see
// ParseSynthSpec; the inequity key does not change the city, drift does).
func SynthConfig(args string) (synth.Config, error) {
	sp, err := ParseSynthSpec(args)
	return sp.Config, err
}

// Summary is what `tfm data stats` reports about a data set.
type Summary struct {
	Trajectories  int            `json:"trajectories"`
	Points        int            `json:"points"`
	Users         int            `json:"users"`
	LabeledPoints int            `json:"labeled_points"`
	Modes         map[string]int `json:"modes"`
	// BBox is [min_lon, min_lat, max_lon, max_lat]; nil when there are no points.
	BBox  []float64 `json:"bbox"`
	Start string    `json:"start,omitempty"` // RFC 3339, earliest point time
	End   string    `json:"end,omitempty"`   // RFC 3339, latest point time
}

// Summarize counts trajectories, points, users and mode labels (a point's
// label is its per-point mode, else its trajectory's mode) and finds the
// bounding box and time span (zero times are ignored).
func Summarize(ds *traj.Dataset) Summary {
	s := Summary{Trajectories: len(ds.Trajectories), Points: ds.NumPoints(), Users: len(ds.Users()), Modes: map[string]int{}}
	var start, end time.Time
	for _, t := range ds.Trajectories {
		for i, p := range t.Points {
			if m := t.ModeAt(i); m != "" {
				s.LabeledPoints++
				s.Modes[m]++
			}
			if p.Time.IsZero() {
				continue
			}
			if start.IsZero() || p.Time.Before(start) {
				start = p.Time
			}
			if end.IsZero() || p.Time.After(end) {
				end = p.Time
			}
		}
	}
	if s.Points > 0 {
		b := ds.Bound()
		s.BBox = []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
	}
	if !start.IsZero() {
		s.Start, s.End = start.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339)
	}
	return s
}

// String renders the summary as a few human-readable lines.
func (s Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "trajectories   %d\npoints         %d\nusers          %d\nlabeled points %d\n", s.Trajectories, s.Points, s.Users, s.LabeledPoints)
	if len(s.Modes) > 0 {
		modes := make([]string, 0, len(s.Modes))
		for m := range s.Modes {
			modes = append(modes, m)
		}
		sort.Strings(modes)
		for _, m := range modes {
			fmt.Fprintf(&b, "  %-12s %d\n", m, s.Modes[m])
		}
	}
	if s.BBox != nil {
		fmt.Fprintf(&b, "bbox           [%.6f, %.6f, %.6f, %.6f]\n", s.BBox[0], s.BBox[1], s.BBox[2], s.BBox[3])
	}
	if s.Start != "" {
		fmt.Fprintf(&b, "time span      %s .. %s\n", s.Start, s.End)
	}
	return b.String()
}
