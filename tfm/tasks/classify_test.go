package tasks

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tfm-course/course/datasets/geolife"
	"github.com/tfm-course/course/datasets/parse"
	"github.com/tfm-course/course/datasets/synth"
	"github.com/tfm-course/course/tfm/traj"
)

func TestSplitByMode(t *testing.T) {
	t0 := time.Date(2008, 4, 1, 0, 0, 0, 0, time.UTC)
	tr := &traj.Trajectory{ID: "x", UserID: "010"}
	modes := []string{"walk", "walk", "walk", "", "bus", "bus", "bus", "bus", "walk"}
	for i := range modes {
		tr.Points = append(tr.Points, traj.NewPoint(116.3, 39.9+float64(i)*1e-4, t0.Add(time.Duration(i)*time.Second)))
	}
	tr.Modes = modes
	segs := SplitByMode(tr, 2)
	if len(segs) != 2 || segs[0].Mode != "walk" || len(segs[0].Points) != 3 || segs[1].Mode != "bus" || len(segs[1].Points) != 4 {
		for _, s := range segs {
			t.Logf("%s %s %d", s.ID, s.Mode, len(s.Points))
		}
		t.Fatalf("got %d segments", len(segs))
	}
	if segs[1].Points[0].Point != tr.Points[4].Point || segs[1].ID != "x#1" {
		t.Errorf("bus segment starts at %v (%s)", segs[1].Points[0].Point, segs[1].ID)
	}
}

// Transport mode on the synthetic city from the classical motion features:
// far above the majority class, with a confusion matrix.
func TestSyntheticModeClassification(t *testing.T) {
	cfg := synth.DefaultConfig()
	cfg.Trajectories = 600
	city, err := synth.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	train, test, err := Split(city.Dataset().Trajectories, 0.25, 1)
	if err != nil {
		t.Fatal(err)
	}
	pc := DefaultProbeConfig()
	pc.Steps = 300
	r, err := ClassifyProbe(MotionFeatures{}, train, test, "mode", pc)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("accuracy %.3f macro-F1 %.3f majority %.3f\n%s", r.Accuracy, r.MacroF1, r.MajorityAccuracy, r.Confusion)
	if r.Accuracy < r.MajorityAccuracy+0.3 || r.MacroF1 < 0.6 {
		t.Errorf("synthetic mode accuracy %.3f (majority %.3f), macro-F1 %.3f", r.Accuracy, r.MajorityAccuracy, r.MacroF1)
	}
}

// geolifeDir finds ../shared/datasets/geolife next to the repository root.
func geolifeDir(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("go.mod not found above the package")
		}
		dir = parent
	}
	g := filepath.Join(dir, "..", "shared", "datasets", "geolife")
	if _, err := os.Stat(filepath.Join(g, "010", "labels.txt")); err != nil {
		t.Skipf("GeoLife user 010 with labels.txt not found at %s: skipping the real-data test", g)
	}
	return g
}

// Transport-mode classification on GeoLife user 010's labelled segments.
// It needs trajectories that overlap labels.txt: the course's 10-file
// sample of user 010 (August–September 2007) predates every label but one
// (labels start in 2008), so the test skips there and runs on the full
// GeoLife 1.3 release.
func TestGeolifeModeClassification(t *testing.T) {
	dir := filepath.Join(geolifeDir(t), "010")
	ts, err := geolife.LoadUser(dir, &parse.Report{SkipBad: true})
	if err != nil {
		t.Fatal(err)
	}
	var segs []*traj.Trajectory
	for _, tr := range ts {
		segs = append(segs, SplitByMode(tr, 20)...)
	}
	counts := map[string]int{}
	for _, s := range segs {
		counts[s.Mode]++
	}
	if len(segs) < 20 || len(counts) < 2 {
		t.Skipf("GeoLife 010 at %s: %d trajectories give %d labelled segments %v (labels.txt covers 2008 onwards): need the full release", dir, len(ts), len(segs), counts)
	}
	train, test, err := Split(segs, 0.3, 1)
	if err != nil {
		t.Fatal(err)
	}
	pc := DefaultProbeConfig()
	pc.Steps = 300
	r, err := ClassifyProbe(MotionFeatures{}, train, test, "mode", pc)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("GeoLife 010: %d segments %v; accuracy %.3f macro-F1 %.3f majority %.3f\n%s", len(segs), counts, r.Accuracy, r.MacroF1, r.MajorityAccuracy, r.Confusion)
	if r.Accuracy < r.MajorityAccuracy+0.1 {
		t.Errorf("accuracy %.3f does not clearly beat the majority class %.3f", r.Accuracy, r.MajorityAccuracy)
	}
}
