package traj_test

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/tfm-course/course/datasets/geolife"
	"github.com/tfm-course/course/tfm/traj"
)

// Cleaning the real GeoLife sample: every promise of CleanConfig holds on
// the output, the counts add up, and the result is deterministic.
func TestCleanGeoLifeSample(t *testing.T) {
	root := geolifeSample(t)
	ds, err := geolife.Load(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := traj.DefaultCleanConfig()
	out, rep := traj.Clean(ds, cfg)
	if rep.InPoints != 164531 || rep.InTrajectories != 111 || ds.NumPoints() != 164531 {
		t.Fatalf("input changed or miscounted: %+v", rep)
	}
	if rep.OutTrajectories == 0 || rep.OutPoints < rep.InPoints/2 {
		t.Fatalf("cleaning removed too much: %v", rep)
	}
	if rep.InTrajectories+rep.GapSplits-rep.DroppedShort != rep.OutTrajectories {
		t.Errorf("trajectory counts do not add up: %v", rep)
	}
	for _, tr := range out.Trajectories {
		if tr.Len() < cfg.MinPoints || tr.Length() < cfg.MinLength || tr.Duration() < cfg.MinDuration {
			t.Fatalf("%s below minimums", tr.ID)
		}
		sp := tr.Speeds()
		for i := 1; i < tr.Len(); i++ {
			dt := tr.Points[i].Time.Sub(tr.Points[i-1].Time)
			if dt <= 0 || dt > cfg.MaxGap {
				t.Fatalf("%s step %d: dt %v", tr.ID, i, dt)
			}
			if max := traj.DefaultMaxSpeed[""]; sp[i-1] > max && !math.IsNaN(sp[i-1]) {
				t.Fatalf("%s step %d: %.1f m/s", tr.ID, i, sp[i-1])
			}
		}
	}
	t.Logf("GeoLife sample, default cleaning: %v", rep)
	again, rep2 := traj.Clean(ds, cfg)
	if rep2 != rep || !reflect.DeepEqual(again.Trajectories[7].LineString(), out.Trajectories[7].LineString()) || again.Trajectories[7].ID != out.Trajectories[7].ID {
		t.Error("cleaning is not deterministic")
	}
	// Resampled to 5 s, every step is exactly 5 s.
	cfg.Resample = 5 * time.Second
	res, _ := traj.Clean(ds, cfg)
	tr := res.Trajectories[0]
	for i := 1; i < tr.Len(); i++ {
		if d := tr.Points[i].Time.Sub(tr.Points[i-1].Time); d != 5*time.Second {
			t.Fatalf("resampled step %v", d)
		}
	}
	s, err := traj.SplitByUser(out, 0.1, 0.2, 1)
	if err != nil || len(s.Test.Users()) != 2 || len(s.Val.Users()) != 1 || len(s.Train.Users()) != 8 {
		t.Errorf("user split of 11 users: %v train %d val %d test %d", err, len(s.Train.Users()), len(s.Val.Users()), len(s.Test.Users()))
	}
}

// geolifeSample finds ../shared/datasets/geolife next to the module root
// or skips the test.
func geolifeSample(t *testing.T) string {
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(dir, "..", "shared", "datasets", "geolife")
			if fi, err := os.Stat(p); err == nil && fi.IsDir() {
				return p
			}
			break
		}
		if filepath.Dir(dir) == dir {
			break
		}
		dir = filepath.Dir(dir)
	}
	t.Skip("GeoLife sample not found at ../shared/datasets/geolife (relative to the module root); skipping real-data test")
	return ""
}
