package datasets

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tfm-course/course/datasets/internal/sample"
)

// Expected values computed with awk over the sample's .plt files.
func TestGeoLifeSummary(t *testing.T) {
	root := sample.GeoLife(t)
	rep := &Report{}
	ds, err := Open("geolife", root, Options{Report: rep})
	if err != nil {
		t.Fatal(err)
	}
	s := Summarize(ds)
	want := Summary{Trajectories: 111, Points: 164531, Users: 11, LabeledPoints: 0, Modes: map[string]int{},
		BBox: []float64{115.974445, 39.106237, 129.60396, 45.759483}, Start: "2007-08-04T03:30:32Z", End: "2008-11-13T11:02:26Z"}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("summary\n got %+v\nwant %+v", s, want)
	}
	if rep.Files != 112 || rep.SkippedRows != 0 {
		t.Errorf("report %v", rep)
	}
	viaSpec, err := Load("geolife:" + root)
	if err != nil || viaSpec.NumPoints() != 164531 {
		t.Errorf("Load(geolife:...) = %v", err)
	}
}

func TestLoadSynthetic(t *testing.T) {
	ds, err := Load("synthetic:seed=3,trajectories=12")
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Trajectories) != 12 {
		t.Fatalf("%d trajectories", len(ds.Trajectories))
	}
	if ds.Map == nil || ds.Map.Network == nil || len(ds.Map.POIs) == 0 || len(ds.Map.Districts) == 0 {
		t.Errorf("the synthetic city comes with its map: %+v", ds.Map)
	}
	s := Summarize(ds.Dataset)
	if s.LabeledPoints != s.Points || len(s.Modes) == 0 {
		t.Errorf("synthetic trips all carry a mode: %+v", s)
	}
	again, _ := Load("synthetic:seed=3,trajectories=12")
	if !reflect.DeepEqual(Summarize(again.Dataset), s) {
		t.Error("same seed, different data")
	}
	for _, bad := range []string{"synthetic:seed=x", "synthetic:trajectories=0", "synthetic:colour=red", "nope", "shapefile:/x"} {
		if _, err := Load(bad); err == nil {
			t.Errorf("Load(%q) accepted", bad)
		}
	}
}

func TestOpenFormatsAndSkipBad(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "p.csv")
	os.WriteFile(csvPath, []byte("id,x,y,when\n1,10,50,1\n1,10.1,50.1,2\n1,10.2,95,3\n"), 0o644)
	if _, err := Open("csv", csvPath, Options{Columns: Columns{Time: "when"}}); err == nil || !strings.Contains(err.Error(), "p.csv:4: field lat") {
		t.Errorf("strict: %v", err)
	}
	rep := &Report{}
	ds, err := Open("csv", csvPath, Options{SkipBad: true, Columns: Columns{Time: "when"}, Report: rep})
	if err != nil || ds.NumPoints() != 2 || rep.SkippedRows != 1 {
		t.Errorf("skip-bad: %v, report %v", err, rep)
	}
	if _, err := Open("csv", filepath.Join(dir, "missing.csv"), Options{}); err == nil || !strings.Contains(err.Error(), "missing.csv") {
		t.Errorf("missing: %v", err)
	}
	if _, err := Open("porto", dir, Options{}); err == nil || !strings.Contains(err.Error(), "folder") {
		t.Errorf("folder for porto: %v", err)
	}
	if _, err := Open("kml", csvPath, Options{}); err == nil {
		t.Error("unknown format accepted")
	}
}
