package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfm-course/course/datasets/csvtraj"
)

// The short-trip file is what the C peer and `tfm distance` both parse:
// 1,000 trajectories of 5–15 points.
func TestBenchShortTrips(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trips.csv")
	if err := shortTrips(path, 1000); err != nil {
		t.Fatal(err)
	}
	ds, err := csvtraj.Load(path, csvtraj.Columns{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Trajectories) != 1000 {
		t.Fatalf("%d trajectories, want 1000", len(ds.Trajectories))
	}
	for _, tr := range ds.Trajectories {
		if n := len(tr.Points); n < 5 || n > 15 {
			t.Fatalf("%s has %d points, want 5–15", tr.ID, n)
		}
	}
	env := withoutEnv([]string{"A=1", "OPENBLAS_CORETYPE=Haswell", "OPENBLAS_L2_SIZE=512", "B=2"}, "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
	if strings.Join(env, " ") != "A=1 B=2" {
		t.Fatalf("withoutEnv = %v", env)
	}
	if _, err := capture(t, "bench", "--only", "dtw"); err == nil || !strings.Contains(err.Error(), "dtw-short") {
		t.Fatalf("--only dtw: err %v, want one naming the benchmarks", err)
	}
	_ = os.Remove(path)
}
