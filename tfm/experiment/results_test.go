package experiment

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// Results are generated, never hand-copied: every committed results folder
// holds a results.json whose tables (Markdown, CSV) are what the generator
// writes from it (`tfm experiment report DIR` regenerates them).
func TestCommittedResultsAreGenerated(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("results", "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Skip("no committed results")
	}
	for _, dir := range dirs {
		rep, err := ReadReport(dir)
		if err != nil {
			t.Fatal(err)
		}
		md, err := os.ReadFile(filepath.Join(dir, "results.md"))
		if err != nil {
			t.Fatal(err)
		}
		if string(md) != rep.Markdown() {
			t.Errorf("%s/results.md differs from what %s generates: run `go run ./tfm/cmd/tfm experiment report %s`", dir, ResultsFile, filepath.Join("tfm", "experiment", dir))
		}
		var csv bytes.Buffer
		if err := rep.WriteCSV(&csv); err != nil {
			t.Fatal(err)
		}
		if got, err := os.ReadFile(filepath.Join(dir, "results.csv")); err != nil || !bytes.Equal(got, csv.Bytes()) {
			t.Errorf("%s/results.csv differs from what %s generates (%v)", dir, ResultsFile, err)
		}
		for name, fig := range rep.Figures() {
			svg, err := fig.SVG()
			if err != nil {
				t.Fatal(err)
			}
			if got, err := os.ReadFile(filepath.Join(dir, name+".svg")); err != nil || !bytes.Equal(got, svg) {
				t.Errorf("%s/%s.svg differs from what %s generates (%v)", dir, name, ResultsFile, err)
			}
		}
	}
}

// A report survives results.json: same tables after the round trip.
func TestReportJSONRoundTrip(t *testing.T) {
	cfg := QuickConfig()
	cfg.Seeds = []int64{1, 2}
	rep := &Report{Name: "x", Config: cfg, Headline: map[string]float64{"a_b": 0.5}, Rows: []Row{
		{"x", "plain", 1, "accuracy", "P(y|x)", "iid", 0.8}, {"x", "plain", 2, "accuracy", "P(y|x)", "iid", 0.9},
	}}
	back, dir := roundTrip(t, rep)
	if back.Headline["a_b"] != 0.5 {
		t.Errorf("round trip lost the headline: %v", back.Headline)
	}
	if _, err := ReadReport(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("a missing file read")
	}
}

// roundTrip writes rep to a temporary folder and reads it back: the same
// tables come out of results.json.
func roundTrip(t *testing.T, rep *Report) (*Report, string) {
	t.Helper()
	dir := t.TempDir()
	if _, err := rep.Write(dir); err != nil {
		t.Fatal(err)
	}
	back, err := ReadReport(dir)
	if err != nil {
		t.Fatal(err)
	}
	if back.Markdown() != rep.Markdown() {
		t.Errorf("results.json does not regenerate the tables:\n%s\nvs\n%s", back.Markdown(), rep.Markdown())
	}
	return back, dir
}
