package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfm-course/course/tfm/experiment"
	"github.com/tfm-course/course/tfm/output"
)

// `data synth --out` into a folder holding a file of the same name
// refuses, naming the file, and leaves it as it was; --force replaces.
func TestDataSynthDoesNotReplaceFiles(t *testing.T) {
	dir := t.TempDir()
	mine := filepath.Join(dir, "trajectories.csv")
	os.WriteFile(mine, []byte("mine\n"), 0o644)
	_, err := capture(t, "data", "synth", "--seed", "1", "--trajectories", "5", "--out", dir)
	if !errors.Is(err, output.ErrExists) || !strings.Contains(err.Error(), mine) {
		t.Fatalf("err = %v, want one naming %s", err, mine)
	}
	if b, _ := os.ReadFile(mine); string(b) != "mine\n" {
		t.Fatalf("the user's file became %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("refused, yet wrote %d files", len(entries)-1)
	}
	if _, err := capture(t, "data", "synth", "--seed", "1", "--trajectories", "5", "--out", dir, "--force"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(mine); !strings.HasPrefix(string(b), "traj_id,") {
		t.Fatalf("--force did not replace: %q", b)
	}
	// Its own unchanged output it replaces without --force; an edited file it does not.
	if _, err := capture(t, "data", "synth", "--seed", "2", "--trajectories", "5", "--out", dir); err != nil {
		t.Fatalf("rerun into its own folder: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "city.json"), []byte("{}"), 0o644)
	if _, err := capture(t, "data", "synth", "--seed", "2", "--trajectories", "5", "--out", dir); !errors.Is(err, output.ErrExists) || !strings.Contains(err.Error(), "city.json") {
		t.Fatalf("rerun over an edited file: %v", err)
	}
}

func TestDataSynthRefusesWhatWillNotFit(t *testing.T) {
	_, err := capture(t, "data", "synth", "--trajectories", "10000000", "--out", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "--trajectories 10000000") || !strings.Contains(err.Error(), "limit") {
		t.Fatalf("err = %v", err)
	}
}

func TestMapmatchDoesNotReplaceFiles(t *testing.T) {
	dir := t.TempDir()
	if _, err := capture(t, "data", "synth", "--seed", "3", "--trajectories", "4", "--out", dir); err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "trajectories.csv")
	for _, flag := range []string{"--out", "--geojson"} {
		p := filepath.Join(dir, "taken"+flag)
		os.WriteFile(p, []byte("mine"), 0o644)
		args := []string{"--network", "synthetic", "--seed", "3", "--format", "csv", in, flag, p}
		if flag == "--geojson" {
			args = append(args, "--out", filepath.Join(dir, "m.csv"))
		}
		if _, err := capture(t, "mapmatch", args...); !errors.Is(err, output.ErrExists) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s over a file: %v", flag, err)
		}
		if b, _ := os.ReadFile(p); string(b) != "mine" {
			t.Errorf("%s replaced the user's file", flag)
		}
		if _, err := capture(t, "mapmatch", append(args, "--force")...); err != nil {
			t.Errorf("%s --force: %v", flag, err)
		}
	}
}

// --skip-bad counts reach the JSON of distance and mapmatch as they do data stats'.
func TestSkippedRowsInJSON(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "t.csv")
	os.WriteFile(path, []byte("id,lon,lat\na,0,0\na,1,0\nb,x,1\nb,0,1\nb,1,1\n"), 0o644)
	out, err := capture(t, "distance", "pdist", "--format", "csv", "--skip-bad", "--json", path)
	if err != nil {
		t.Fatal(err)
	}
	if got := lastJSON(t, out); got["skipped_rows"] != 1.0 {
		t.Errorf("distance JSON %v, want skipped_rows 1", got)
	}
	if _, err := capture(t, "data", "synth", "--seed", "3", "--trajectories", "4", "--out", dir); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "trajectories.csv"))
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, append(b, []byte("x,u,walk,999,0,2024-01-01T00:00:00Z\n")...), 0o644)
	out, err = capture(t, "mapmatch", "--network", "synthetic", "--seed", "3", "--format", "csv", "--skip-bad", "--json", bad, "--out", filepath.Join(dir, "m.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if got := lastJSON(t, out); got["skipped_rows"] != 1.0 {
		t.Errorf("mapmatch JSON %v, want skipped_rows 1", got)
	}
}

// Porto's empty trips: a clear error naming the line, or with --skip-bad skipped and counted.
func TestDistancePortoEmptyTrips(t *testing.T) {
	path := filepath.Join(t.TempDir(), "train.csv")
	os.WriteFile(path, []byte(`"TRIP_ID","TIMESTAMP","MISSING_DATA","POLYLINE"`+"\n"+
		`"1","1372636858","False","[[-8.61,41.14],[-8.62,41.15]]"`+"\n"+
		`"2","1372636858","False","[]"`+"\n"+
		`"3","1372636858","False","[[-8.60,41.14],[-8.63,41.15]]"`+"\n"), 0o644)
	if _, err := capture(t, "distance", "pdist", "--format", "porto", path); err == nil || !strings.Contains(err.Error(), "train.csv:3") {
		t.Errorf("strict: %v", err)
	}
	out, err := capture(t, "distance", "pdist", "--format", "porto", "--skip-bad", "--json", path)
	if err != nil {
		t.Fatal(err)
	}
	if got := lastJSON(t, out); got["values"] != 1.0 || got["skipped_rows"] != 1.0 {
		t.Errorf("JSON %v", got)
	}
}

// A quote opened in the last column never closed: an error naming file:line, not one swallowed field.
func TestDistanceUnterminatedQuote(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.csv")
	os.WriteFile(path, []byte("id,lon,lat,time\na,0,0,\"1\na,1,0,2\nb,0,1,3\nb,1,1,4\nb,2,1,5\n"), 0o644)
	if _, err := capture(t, "distance", "pdist", "--format", "csv", path); err == nil || !strings.Contains(err.Error(), "q.csv:2") {
		t.Fatalf("strict: %v", err)
	}
	out, err := capture(t, "distance", "pdist", "--format", "csv", "--skip-bad", "--json", path)
	if err != nil {
		t.Fatal(err)
	}
	if got := lastJSON(t, out); got["rows"] != 2.0 || got["values"] != 1.0 || got["skipped_rows"] != 1.0 {
		t.Errorf("JSON %v", got)
	}
}

// experiment --out refuses a folder holding someone else's results.md before it runs.
func TestExperimentRefusesBeforeRunning(t *testing.T) {
	dir := t.TempDir()
	mine := filepath.Join(dir, "results.md")
	os.WriteFile(mine, []byte("my notes"), 0o644)
	_, err := capture(t, "experiment", experiment.Names()[0], "--quick", "--quiet", "--out", dir)
	if !errors.Is(err, output.ErrExists) || !strings.Contains(err.Error(), mine) {
		t.Fatalf("err = %v", err)
	}
}

// A T-Drive file cut inside its last number loads, with a warning counted in the JSON.
func TestDataStatsWarnsOnACutFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "1.txt")
	os.WriteFile(path, []byte("1,2008-02-02 15:36:08,116.51172,39.92123\n1,2008-02-02 15:46:08,116.51135,3"), 0o644)
	out, err := capture(t, "data", "stats", "--format", "tdrive", "--json", path)
	if err != nil {
		t.Fatal(err)
	}
	if got := lastJSON(t, out); got["warnings"] != 1.0 || got["points"] != 2.0 {
		t.Errorf("JSON %v", got)
	}
}
