package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestDistancePdistCdist(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "t.csv")
	csv := "id,lon,lat\na,0,0\na,1,0\na,2,0\nb,0,1\nb,1,1\nb,2,1\nc,0,0\nc,3,0\n"
	if err := os.WriteFile(path, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := capture(t, "distance", "pdist", "--metric", "dtw", "--format", "csv", path)
	if err != nil {
		t.Fatal(err)
	}
	// (a,b): three unit gaps; (a,c): 0+1+1; (b,c): 1+√2+√2.
	if want := "3\n2\n3.8284271247461898\n"; out != want {
		t.Errorf("pdist printed %q, want %q", out, want)
	}
	out, err = capture(t, "distance", "cdist", "--metric", "cfrechet", "--limit", "2", "--format", "csv", path, path)
	if err != nil {
		t.Fatal(err)
	}
	if want := "0\n1\n1\n0\n"; out != want {
		t.Errorf("cdist printed %q, want %q", out, want)
	}
	for _, bad := range [][]string{
		{"--metric", "cosine", "--format", "csv", path},
		{"--metric", "dtw", path},
		{"--metric", "dtw", "--format", "csv", filepath.Join(dir, "missing.csv")},
		{"--metric", "edr", "--eps", "-1", "--format", "csv", path},
	} {
		if _, err := capture(t, "distance", append([]string{"pdist"}, bad...)...); err == nil {
			t.Errorf("pdist %s: no error", strings.Join(bad, " "))
		}
	}
}

// Values formatted by several workers come out in order, each exactly.
func TestWriteValuesInOrder(t *testing.T) {
	vals := make([]float64, 40_000)
	for i := range vals {
		vals[i] = float64(i)/7 + 1e-9*float64(i%13)
	}
	for _, th := range []int{1, 2, 5} {
		var b strings.Builder
		if err := writeValues(&b, vals, th); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
		if len(lines) != len(vals) {
			t.Fatalf("threads %d: %d lines, want %d", th, len(lines), len(vals))
		}
		for i, l := range lines {
			if v, err := strconv.ParseFloat(l, 64); err != nil || v != vals[i] {
				t.Fatalf("threads %d: line %d = %q, want %.17g", th, i+1, l, vals[i])
			}
		}
	}
}
