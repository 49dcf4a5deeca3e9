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
		Run: func(args []string) error {
			return dispatch("data", map[string]func([]string) error{
				"stats":    dataStats,
				"download": dataDownload,
				"synth":    dataSynth, // data_synth.go
			}, args)
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
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: tfm data stats --format FORMAT [--json] [--skip-bad] PATH\n\n"+
			"Loads a data set without cleaning and reports trajectories, points, users,\n"+
			"mode labels, bounding box and time span.\n\nFlags:\n")
		fs.PrintDefaults()
	}
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
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: tfm data download %s --to DIR\n\n"+
			"Downloads a public data set with resume (rerun after an interruption) and\n"+
			"SHA-256 check, then unzips it. Offline, it prints where to get it by hand.\n\nFlags:\n",
			strings.Join(download.Names(), "|"))
		fs.PrintDefaults()
	}
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
		return fmt.Errorf("unknown data set %q (want one of %s)", pos[0], strings.Join(download.Names(), ", "))
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
