package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDataSynth(t *testing.T) {
	dir := t.TempDir()
	out, err := runDataCapture(t, "synth", "--seed", "5", "--trajectories", "40", "--agents", "10", "--out", dir, "--json")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var got struct {
		Trajectories, Points, Users int
		Files                       []string
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil {
		t.Fatalf("last stdout line is not JSON: %v\n%s", err, out)
	}
	if got.Trajectories != 40 || got.Users < 5 || got.Users > 10 || got.Points < 40*5 {
		t.Errorf("synth JSON %+v", got)
	}
	for _, f := range got.Files {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	// The loaders read what synth wrote.
	out, err = runDataCapture(t, "stats", "--format", "csv", "--json", filepath.Join(dir, "trajectories.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines = strings.Split(strings.TrimSpace(out), "\n")
	var stats struct{ Trajectories, Points, Users int }
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &stats); err != nil {
		t.Fatal(err)
	}
	if stats.Trajectories != 40 || stats.Points != got.Points || stats.Users != got.Users {
		t.Errorf("stats of the written CSV %+v, synth said %+v", stats, got)
	}
	for _, bad := range [][]string{
		{"synth", "--trajectories", "10"},                        // no --out
		{"synth", "--trajectories", "0", "--out", dir},           // no trips
		{"synth", "--noise", "-1", "--out", dir},                 // negative noise
		{"synth", "--network", "/nonexistent.osm", "--out", dir}, // missing network
	} {
		if _, err := runDataCapture(t, bad...); err == nil {
			t.Errorf("tfm data %v: no error", bad)
		}
	}
}
