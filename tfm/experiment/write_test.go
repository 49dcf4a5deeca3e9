package experiment

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfm-course/course/tfm/output"
)

// Writing results never replaces a file that is not an earlier output of
// its own, unless forced; a rerun into the same folder works.
func TestWriteDirDoesNotReplaceOtherFiles(t *testing.T) {
	rep := &Report{Name: "x", Config: Config{Seeds: []int64{1}}, Rows: []Row{
		{Experiment: "x", Variant: "a", Seed: 1, Task: "classify", Metric: "accuracy", Value: 0.5},
		{Experiment: "x", Variant: "b", Seed: 1, Task: "classify", Metric: "accuracy", Value: 0.7},
	}}
	dir := t.TempDir()
	mine := filepath.Join(dir, "results.csv")
	os.WriteFile(mine, []byte("mine"), 0o644)
	if err := CheckOut(dir, false); !errors.Is(err, output.ErrExists) || !strings.Contains(err.Error(), mine) {
		t.Fatalf("CheckOut: %v", err)
	}
	if _, err := rep.Write(dir); !errors.Is(err, output.ErrExists) {
		t.Fatalf("Write over the user's file: %v", err)
	}
	if b, _ := os.ReadFile(mine); string(b) != "mine" {
		t.Fatalf("results.csv = %q", b)
	}
	files, err := rep.WriteDir(dir, true)
	if err != nil || len(files) < 3 {
		t.Fatalf("forced: %v %v", files, err)
	}
	if _, err := rep.Write(dir); err != nil {
		t.Fatalf("rerun over its own files: %v", err)
	}
	if err := CheckOut(dir, false); err != nil {
		t.Fatal(err)
	}
}
