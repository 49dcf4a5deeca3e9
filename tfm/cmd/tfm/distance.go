package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tfm-course/course/datasets"
	"github.com/tfm-course/course/tfm/distance"
	"github.com/tfm-course/course/tfm/traj"
)

func init() {
	register(&command{
		Name:    "distance",
		Summary: "trajectory distances: pdist (condensed vector of one input), cdist (matrix of two inputs)",
		Example: "tfm distance pdist --metric dtw --format synthetic seed=1,trajectories=20",
		Subs: []*command{
			{Name: "cdist", Summary: "distance matrix between the trajectories of two inputs", Run: func(a []string) error { return distanceRun("cdist", a) }},
			{Name: "pdist", Summary: "condensed vector of the pairwise distances within one input", Run: func(a []string) error { return distanceRun("pdist", a) }},
		},
	})
}

// distanceResult is the --json summary line of `tfm distance`.
type distanceResult struct {
	Metric      string  `json:"metric"`
	Rows        int     `json:"rows"`
	Cols        int     `json:"cols"`
	Values      int     `json:"values"`
	Threads     int     `json:"threads"`
	Seconds     float64 `json:"seconds"`
	CellsPerSec float64 `json:"cells_per_sec"`
	// SkippedRows and SkippedFiles are what --skip-bad dropped (as in `data stats`).
	SkippedRows  int `json:"skipped_rows"`
	SkippedFiles int `json:"skipped_files"`
}

func distanceRun(sub string, args []string) error {
	fs := flag.NewFlagSet("distance "+sub, flag.ContinueOnError)
	metric := fs.String("metric", "dtw", "dtw|frechet|cfrechet|hausdorff|sspd|edr|lcss|erp")
	geo := fs.Bool("geo", false, "haversine metres on lon/lat instead of Euclidean distance on the coordinates")
	eps := fs.Float64("eps", 0, "match threshold of edr and lcss (coordinate units, metres with --geo)")
	gap := fs.String("gap", "0,0", "erp gap point X,Y (lon,lat with --geo)")
	threads := fs.Int("threads", 0, "workers (0 = all cores)")
	limit := fs.Int("limit", 0, "use only the first K trajectories of each input (0 = all)")
	in := dataFlags(fs, "data format: "+strings.Join(datasets.Formats(), "|")+", or synthetic (PATH = seed=S,trajectories=N or nothing)")
	asJSON := fs.Bool("json", false, "after the values, print one JSON summary line")
	h := help{
		About:   "Computes the distance of every pair i<j of the trajectories of PATH, in file order, one value per line (%.17g).",
		Usage:   "tfm distance pdist [flags] --format F PATH",
		Example: "tfm distance pdist --metric dtw --format synthetic --limit 20 seed=1,trajectories=20 --json",
	}
	if sub == "cdist" {
		h = help{
			About:   "Computes the distance from every trajectory of PATH to every trajectory of PATH2, row by row, one value per line (%.17g).",
			Usage:   "tfm distance cdist [flags] --format F PATH PATH2",
			Example: "tfm distance cdist --metric frechet --format synthetic seed=1,trajectories=10 seed=2,trajectories=5 --json",
		}
	}
	setHelp(fs, h)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if err := validateFlags(fs, atLeast("eps", 0), atLeast("threads", 0), atLeast("limit", 0),
		oneOf("metric", "dtw", "frechet", "cfrechet", "hausdorff", "sspd", "edr", "lcss", "erp")); err != nil {
		return err
	}
	want := 1
	if sub == "cdist" {
		want = 2
	}
	synthetic := strings.HasPrefix(in.Format, "synthetic")
	if err := in.requireFormat(); err != nil {
		return err
	}
	if len(pos) != want && !(synthetic && len(pos) < want) {
		return fmt.Errorf("want %d input path(s), got %d", want, len(pos))
	}
	kind, err := distance.ParseKind(*metric)
	if err != nil {
		return err
	}
	m := distance.Metric{Kind: kind, Geo: *geo, Eps: *eps}
	if m.Gap, err = parsePair(*gap); err != nil {
		return fmt.Errorf("--gap: %w", err)
	}
	if err := m.Validate(); err != nil {
		return err
	}
	if (kind == distance.EDR || kind == distance.LCSS) && *eps == 0 {
		fmt.Fprintf(os.Stderr, "tfm distance: warning: --eps 0 matches only identical points\n")
	}
	load := func(path string) ([]*distance.Series, error) {
		var (
			ds  *traj.Dataset
			err error
		)
		if synthetic {
			spec := "synthetic"
			if path != "" {
				spec += ":" + path
			}
			var d *datasets.Data
			if d, err = datasets.Load(spec); err == nil {
				ds = d.Dataset
			}
		} else {
			ds, err = in.open(path)
		}
		if err != nil {
			return nil, err
		}
		ts := ds.Trajectories
		if *limit > 0 && len(ts) > *limit {
			ts = ts[:*limit]
		}
		return distance.FromTrajectories(ts)
	}
	inputs := make([][]*distance.Series, want)
	for i := range inputs {
		path := ""
		if i < len(pos) {
			path = pos[i]
		}
		if inputs[i], err = load(path); err != nil {
			return err
		}
	}
	opt := distance.Options{Threads: *threads}
	start := time.Now()
	var vals []float64
	rows, cols := len(inputs[0]), len(inputs[0])
	var cells float64
	if sub == "pdist" {
		vals, err = distance.Condensed(inputs[0], m, opt)
		for i, a := range inputs[0] {
			for _, b := range inputs[0][i+1:] {
				cells += float64(a.Len() * b.Len())
			}
		}
	} else {
		cols = len(inputs[1])
		vals, err = distance.Pairwise(inputs[0], inputs[1], m, opt)
		for _, a := range inputs[0] {
			for _, b := range inputs[1] {
				cells += float64(a.Len() * b.Len())
			}
		}
	}
	if err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	if err := writeValues(os.Stdout, vals, *threads); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "tfm distance %s: %v, %d×%d trajectories, %d values in %.3fs (%.3g cells/s)\n",
		sub, m, rows, cols, len(vals), secs, cells/max(secs, 1e-9))
	if *asJSON {
		th := *threads
		if th <= 0 {
			th = runtime.GOMAXPROCS(0)
		}
		return printJSON(distanceResult{Metric: m.String(), Rows: rows, Cols: cols, Values: len(vals),
			Threads: th, Seconds: secs, CellsPerSec: cells / max(secs, 1e-9),
			SkippedRows: in.Skipped.Rows, SkippedFiles: in.Skipped.Files})
	}
	return nil
}

// writeValues prints vals one per line (%.17g, strconv's fixed-precision
// Ryū) to w: blocks of values are formatted into byte buffers by the workers
// (threads, 0 = all cores) and written in order, so printing half a million
// distances scales with the cores like the kernels do.
func writeValues(w io.Writer, vals []float64, threads int) error {
	const block = 1 << 14
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	nb := (len(vals) + block - 1) / block
	bufs := make([][]byte, nb)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(threads, max(nb, 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := int(next.Add(1)) - 1
				if k >= nb {
					return
				}
				buf := make([]byte, 0, block*20)
				for _, v := range vals[k*block : min((k+1)*block, len(vals))] {
					buf = strconv.AppendFloat(buf, v, 'g', 17, 64)
					buf = append(buf, '\n')
				}
				bufs[k] = buf
			}
		}()
	}
	wg.Wait()
	for _, b := range bufs {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// parsePair parses "X,Y".
func parsePair(s string) ([2]float64, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 2 {
		return [2]float64{}, fmt.Errorf("want X,Y, got %q", s)
	}
	var p [2]float64
	for i, v := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return p, fmt.Errorf("want X,Y, got %q", s)
		}
		p[i] = f
	}
	return p, nil
}
