package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDataStatsJSON(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "trips.csv")
	os.WriteFile(path, []byte("traj_id,user_id,mode,lon,lat,time\n"+
		"1,u1,bus,116.30,39.90,2008-10-23T02:53:04Z\n1,u1,bus,116.31,39.91,2008-10-23T02:54:04Z\n"+
		"2,u2,walk,116.20,39.95,2008-10-23T01:00:00Z\n2,u2,walk,116.20,99,2008-10-23T01:01:00Z\n"), 0o644)
	if _, err := capture(t, "data", "stats", "--format", "csv", "--json", path); err == nil || !strings.Contains(err.Error(), "trips.csv:5: field lat") {
		t.Fatalf("strict load: %v", err)
	}
	out, err := capture(t, "data", "stats", "--format", "csv", "--json", "--skip-bad", path)
	if err != nil {
		t.Fatal(err)
	}
	got := lastJSON(t, out)
	for k, v := range map[string]any{"trajectories": 2.0, "points": 3.0, "users": 2.0, "labeled_points": 3.0, "skipped_rows": 1.0,
		"start": "2008-10-23T01:00:00Z", "end": "2008-10-23T02:54:04Z"} {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if m := got["modes"].(map[string]any); m["bus"] != 2.0 || m["walk"] != 1.0 {
		t.Errorf("modes %v", m)
	}
	if b := got["bbox"].([]any); len(b) != 4 || b[0] != 116.2 || b[3] != 39.95 {
		t.Errorf("bbox %v", b)
	}
	if _, err := capture(t, "data", "stats", path); err == nil {
		t.Error("missing --format accepted")
	}
	if _, err := capture(t, "data", "download", "nowhere"); err == nil {
		t.Error("unknown data set accepted")
	}
}
