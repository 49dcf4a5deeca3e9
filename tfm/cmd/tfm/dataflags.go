package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/tfm-course/course/datasets"
	"github.com/tfm-course/course/tfm/traj"
)

// dataInput holds the input-data flags shared by the commands that read a
// trajectory file: --format, --skip-bad and the csv column overrides.
type dataInput struct {
	Format  string
	SkipBad bool
	Columns datasets.Columns
	// Skipped counts what --skip-bad dropped over every open, for the
	// skipped_rows and skipped_files of a command's --json line.
	Skipped struct {
		Rows  int `json:"skipped_rows"`
		Files int `json:"skipped_files"`
	}
}

// dataFlags registers the input-data flags on fs; formatUsage is the help
// of --format.
func dataFlags(fs *flag.FlagSet, formatUsage string) *dataInput {
	d := &dataInput{}
	fs.StringVar(&d.Format, "format", "", formatUsage)
	fs.BoolVar(&d.SkipBad, "skip-bad", false, "skip and count bad rows and files instead of failing")
	fs.StringVar(&d.Columns.ID, "id-col", "", "csv: trajectory id column (default: traj_id|trajectory_id|id)")
	fs.StringVar(&d.Columns.Lon, "lon-col", "", "csv: longitude column (default: lon|lng|longitude|x)")
	fs.StringVar(&d.Columns.Lat, "lat-col", "", "csv: latitude column (default: lat|latitude|y)")
	fs.StringVar(&d.Columns.Time, "time-col", "", "csv: time column (default: time|timestamp|datetime|t)")
	fs.StringVar(&d.Columns.Seq, "seq-col", "", "csv: point order column (default: seq)")
	fs.StringVar(&d.Columns.User, "user-col", "", "csv: user column (default: user_id|uid)")
	fs.StringVar(&d.Columns.Mode, "mode-col", "", "csv: transport mode column (default: mode|label)")
	return d
}

// requireFormat fails when --format was not given.
func (d *dataInput) requireFormat() error {
	if d.Format == "" {
		return fmt.Errorf("--format is required (one of %s)", strings.Join(datasets.Formats(), ", "))
	}
	return nil
}

// options are the datasets.Options of the flags.
func (d *dataInput) options() datasets.Options {
	return datasets.Options{SkipBad: d.SkipBad, Columns: d.Columns}
}

// open loads path in the --format with the flags' options, says on
// stderr what --skip-bad dropped and adds it to Skipped.
func (d *dataInput) open(path string) (*traj.Dataset, error) {
	rep := &datasets.Report{}
	opt := d.options()
	opt.Report = rep
	ds, err := datasets.Open(d.Format, path, opt)
	if err != nil {
		return nil, err
	}
	if rep.SkippedRows > 0 || rep.SkippedFiles > 0 {
		fmt.Fprintf(os.Stderr, "datasets: %s %s: %v\n", d.Format, path, rep)
	}
	d.Skipped.Rows += rep.SkippedRows
	d.Skipped.Files += rep.SkippedFiles
	return ds, nil
}
