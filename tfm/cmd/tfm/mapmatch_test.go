package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMapmatchSyntheticFiles(t *testing.T) {
	dir := t.TempDir()
	if _, err := capture(t, "data", "synth", "--seed", "3", "--trajectories", "20", "--out", dir); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "matched.csv")
	gj := filepath.Join(dir, "matched.geojson")
	stdout, err := capture(t, "mapmatch", "--network", "synthetic", "--seed", "3", "--format", "csv",
		filepath.Join(dir, "trajectories.csv"), "--out", out, "--geojson", gj, "--json")
	if err != nil {
		t.Fatal(err)
	}
	got := lastJSON(t, stdout)
	if got["matched"] != 20.0 || got["failed"] != 0.0 {
		t.Fatalf("summary %v", got)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != "traj_id,seq,segment_id,entry_time,break" || len(rows)-1 != int(got["path_segments"].(float64)) {
		t.Errorf("csv header %v, %d rows for %v segments", rows[0], len(rows)-1, got["path_segments"])
	}
	b, err := os.ReadFile(gj)
	if err != nil || !strings.Contains(string(b), `"FeatureCollection"`) || !strings.Contains(string(b), `"LineString"`) {
		t.Errorf("geojson: %v %.100s", err, b)
	}
}

func TestMapmatchEval(t *testing.T) {
	stdout, err := capture(t, "mapmatch", "eval", "--network", "synthetic", "--seed", "4", "--trajectories", "40",
		"--interval", "15s", "--noise", "10m", "--json")
	if err != nil {
		t.Fatal(err)
	}
	got := lastJSON(t, stdout)
	for _, k := range []string{"segment_accuracy", "points_per_second", "trajectories", "points", "nodes", "segments"} {
		if _, ok := got[k]; !ok {
			t.Errorf("missing %s in %v", k, got)
		}
	}
	if got["trajectories"] != 40.0 || got["segment_accuracy"].(float64) < 0.95 {
		t.Errorf("eval: %v", got)
	}
}

func TestMapmatchBadInputs(t *testing.T) {
	dir := t.TempDir()
	beijing := filepath.Join(dir, "beijing.csv")
	os.WriteFile(beijing, []byte("traj_id,user_id,mode,lon,lat,time\n"+
		"1,u1,car,116.30,39.90,2008-10-23T02:53:04Z\n1,u1,car,116.31,39.91,2008-10-23T02:54:04Z\n"), 0o644)
	notOSM := filepath.Join(dir, "roads.osm")
	os.WriteFile(notOSM, []byte("id,name\n1,road\n"), 0o644)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--network", "synthetic", "--format", "csv", beijing}, "no point within"},
		{[]string{"--network", notOSM, "--format", "csv", beijing}, "not an OSM file"},
		{[]string{"--network", filepath.Join(dir, "roads.shp"), "--format", "csv", beijing}, "unknown OSM file extension"},
		{[]string{"--format", "csv", beijing}, "--network is required"},
		{[]string{"--network", "synthetic", "--format", "nope", beijing}, "nope"},
		{[]string{"--network", "synthetic", beijing}, "--format is required"},
		{[]string{"eval", "--noise", "loud"}, "not a distance"},
		{[]string{"eval", "--simulator", "magic", "--trajectories", "2"}, "--simulator"},
	}
	for _, c := range cases {
		_, err := capture(t, "mapmatch", c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want %q", c.args, err, c.want)
		}
	}
}
