package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDataSynth(t *testing.T) {
	dir := t.TempDir()
	out, err := capture(t, "data", "synth", "--seed", "5", "--trajectories", "40", "--agents", "10", "--out", dir, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Trajectories, Points, Users int
		Files                       []string
	}
	lastJSONInto(t, out, &got)
	if got.Trajectories != 40 || got.Users < 5 || got.Users > 10 || got.Points < 40*5 {
		t.Errorf("synth JSON %+v", got)
	}
	for _, f := range got.Files {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	// The loaders read what synth wrote.
	out, err = capture(t, "data", "stats", "--format", "csv", "--json", filepath.Join(dir, "trajectories.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var stats struct{ Trajectories, Points, Users int }
	lastJSONInto(t, out, &stats)
	if stats.Trajectories != 40 || stats.Points != got.Points || stats.Users != got.Users {
		t.Errorf("stats of the written CSV %+v, synth said %+v", stats, got)
	}
	for _, bad := range [][]string{
		{"synth", "--trajectories", "10"},                        // no --out
		{"synth", "--trajectories", "0", "--out", dir},           // no trips
		{"synth", "--noise", "-1", "--out", dir},                 // negative noise
		{"synth", "--network", "/nonexistent.osm", "--out", dir}, // missing network
	} {
		if _, err := capture(t, "data", bad...); err == nil {
			t.Errorf("tfm data %v: no error", bad)
		}
	}
}

func TestDataSynthDrift(t *testing.T) {
	dir := t.TempDir()
	out, err := capture(t, "data", "synth", "--seed", "5", "--trajectories", "40", "--agents", "10", "--out", dir, "--drift", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Before, After struct {
			Trajectories, Segments int
			Out                    string
			Drift                  *struct {
				NewDistrictName string `json:"new_district_name"`
				ClosedSegments  []int  `json:"closed_segments"`
			}
		}
	}
	lastJSONInto(t, out, &got)
	if got.Before.Trajectories != 40 || got.After.Trajectories != 40 || got.Before.Drift != nil || got.After.Drift == nil ||
		got.After.Segments <= got.Before.Segments || len(got.After.Drift.ClosedSegments) != 2 {
		t.Errorf("synth --drift JSON %+v", got)
	}
	for _, sub := range []string{"before", "after"} {
		if fi, err := os.Stat(filepath.Join(dir, sub, "trips.csv")); err != nil || fi.Size() == 0 {
			t.Errorf("%s/trips.csv: %v", sub, err)
		}
	}
	if _, err := capture(t, "data", "synth", "--drift", "--network", "x.osm", "--out", t.TempDir()); err == nil {
		t.Error("--drift --network accepted")
	}
}
