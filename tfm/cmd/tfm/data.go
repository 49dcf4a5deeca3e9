package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"

	"github.com/tfm-course/course/datasets"
	"github.com/tfm-course/course/datasets/download"
)

func init() {
	register(&command{
		Name:    "data",
		Summary: "data sets: stats (load and summarise), download (public sets), synth (synthetic city)",
		Example: "tfm data synth --seed 1 --trajectories 50 --out /tmp/city",
		Subs: []*command{
			{Name: "download", Summary: "fetch a public data set (resumable, SHA-256 checked)", Run: dataDownload},
			{Name: "stats", Summary: "load a data set and summarise it", Run: dataStats},
			{Name: "synth", Summary: "generate the synthetic city and write it to a folder", Run: dataSynth}, // data_synth.go
		},
	})
}

// parseInterspersed parses flags that may come before or after the
// positional arguments ("tfm data download geolife --to DIR").
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// statsResult is the --json output of `tfm data stats`.
type statsResult struct {
	datasets.Summary
	Format       string `json:"format"`
	Path         string `json:"path"`
	SkippedRows  int    `json:"skipped_rows"`
	SkippedFiles int    `json:"skipped_files"`
	Warnings     int    `json:"warnings"` // loaded but suspicious input, e.g. a last line without newline (on stderr)
}

func dataStats(args []string) error {
	fs := flag.NewFlagSet("data stats", flag.ContinueOnError)
	in := dataFlags(fs, "data format: "+strings.Join(datasets.Formats(), "|")+" (required)")
	asJSON := fs.Bool("json", false, "print one JSON object on stdout")
	limit := fs.Int("limit", 0, "porto: read only the first N trips (0 = all)")
	setHelp(fs, help{
		About:   "Loads a data set without cleaning and reports trajectories, points, users, mode labels, bounding box and time span.",
		Usage:   "tfm data stats --format FORMAT [--json] [--skip-bad] PATH",
		Example: "tfm data synth --seed 1 --trajectories 50 --out /tmp/city && tfm data stats --format csv /tmp/city/trajectories.csv",
	})
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if err := validateFlags(fs, atLeast("limit", 0)); err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return fmt.Errorf("want exactly one PATH, got %d", len(pos))
	}
	if err := in.requireFormat(); err != nil {
		return err
	}
	rep := &datasets.Report{}
	opt := in.options()
	opt.Limit, opt.Report = *limit, rep
	ds, err := datasets.Open(in.Format, pos[0], opt)
	if err != nil {
		return err
	}
	s := datasets.Summarize(ds)
	if rep.SkippedRows > 0 || rep.SkippedFiles > 0 {
		fmt.Fprintf(os.Stderr, "skipped %d bad rows and %d bad files (--skip-bad): %v\n", rep.SkippedRows, rep.SkippedFiles, rep)
		for _, e := range rep.Examples {
			fmt.Fprintf(os.Stderr, "  e.g. %s\n", e)
		}
	}
	if *asJSON {
		return printJSON(statsResult{Summary: s, Format: strings.ToLower(in.Format), Path: pos[0], SkippedRows: rep.SkippedRows, SkippedFiles: rep.SkippedFiles, Warnings: rep.NumWarnings})
	}
	fmt.Print(s.String())
	return nil
}

func dataDownload(args []string) error {
	fs := flag.NewFlagSet("data download", flag.ContinueOnError)
	to := fs.String("to", "data", "target folder")
	noExtract := fs.Bool("no-extract", false, "keep archives zipped")
	url := fs.String("url", "", "download from this URL instead (a mirror)")
	sum := fs.String("sha256", "", "expected SHA-256 of the file (overrides the table)")
	asJSON := fs.Bool("json", false, "print one JSON object with the downloaded paths on stdout")
	setHelp(fs, help{
		About:   "Downloads a public data set with resume (rerun after an interruption) and SHA-256 check, then unzips it; offline, it prints where to get it by hand.",
		Usage:   "tfm data download " + strings.Join(download.Names(), "|") + " --to DIR",
		Example: "tfm data download geolife --to data",
	})
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return fmt.Errorf("want one data set name (%s)", strings.Join(download.Names(), ", "))
	}
	src, ok := download.Lookup(pos[0])
	if !ok {
		return unknownName("data set", pos[0], download.Names())
	}
	if *url != "" || *sum != "" {
		f := src.Files[0]
		if *url != "" {
			f.URL = *url
		}
		if *sum != "" {
			f.SHA256 = *sum
		}
		src.Files = []download.File{f}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	paths, err := download.Get(ctx, src, *to, download.Options{Progress: os.Stderr, NoExtract: *noExtract})
	if err != nil {
		if errors.Is(err, download.ErrOffline) || errors.Is(err, download.ErrNoURL) {
			fmt.Fprint(os.Stderr, "\n"+download.Manual(src, *to))
		}
		return err
	}
	fmt.Fprintf(os.Stderr, "done; read it with: tfm data stats --format %s %q\n", src.Format, *to+"/"+src.After)
	if *asJSON {
		return printJSON(map[string]any{"dataset": src.Name, "files": paths, "dir": *to, "format": src.Format})
	}
	return nil
}
