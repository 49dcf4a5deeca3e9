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
	uneq, err := Load("synthetic:seed=3,trajectories=200,inequity=1")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(uneq.Trajectories); n >= 200 || n < 100 || uneq.Trajectories[0].Labels["inequity"] == "" || uneq.Map == nil {
		t.Errorf("inequity=1: %d of 200 trajectories, labels %v", n, uneq.Trajectories[0].Labels)
	}
	after, err := Load("synthetic:drift=1,seed=3,trajectories=12")
	if err != nil {
		t.Fatal(err)
	}
	if after.Name != "synthetic:seed=3,trajectories=12,drift=1" || len(after.Map.Network.Segments) <= len(ds.Map.Network.Segments) {
		t.Errorf("drift=1: data set %q, %d segments (before: %d)", after.Name, len(after.Map.Network.Segments), len(ds.Map.Network.Segments))
	}
	if sp, err := ParseSynthSpec("seed=5,drift=1,inequity=1"); err != nil || !sp.Config.Drift || sp.Inequity == nil || sp.Config.Seed != 5 {
		t.Errorf("ParseSynthSpec(seed=5,drift=1,inequity=1) = %+v, %v", sp, err)
	}
	if _, err := ParseSynthSpec("drift=2"); err == nil || !strings.Contains(err.Error(), "drift") {
		t.Errorf("drift=2: err %v, want one naming drift", err)
	}
	for _, bad := range []string{"synthetic:seed=x", "synthetic:trajectories=0", "synthetic:colour=red", "synthetic:inequity=2", "synthetic:drift=yes", "nope", "shapefile:/x"} {
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

// Data without a map gets one from an OSM extract; the synthetic city's own
// map is replaced; a bad OSM file is an error naming it.
func TestLoadWithNetwork(t *testing.T) {
	dir := t.TempDir()
	osm := filepath.Join(dir, "tiny.osm")
	if err := os.WriteFile(osm, []byte(`<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6">
 <node id="1" lat="42.5000" lon="1.5000"/>
 <node id="2" lat="42.5000" lon="1.5010"/>
 <node id="3" lat="42.5000" lon="1.5020"/>
 <way id="100"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="residential"/><tag k="name" v="Main Street"/></way>
</osm>`), 0o644); err != nil {
		t.Fatal(err)
	}
	csv := filepath.Join(dir, "trips.csv")
	if err := os.WriteFile(csv, []byte("traj_id,lon,lat,time\n1,1.5001,42.5,1\n1,1.5011,42.5,60\n1,1.5019,42.5,120\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	plain, err := Load("csv:" + csv)
	if err != nil || plain.Map != nil {
		t.Fatalf("csv data has no map: %v, %+v", err, plain)
	}
	d, err := LoadWithNetwork("csv:"+csv, osm)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Trajectories) != 1 || d.Map == nil || len(d.Map.Network.Segments) != 2 { // one two-way street
		t.Fatalf("csv + OSM: %d trajectories, map %+v", len(d.Trajectories), d.Map)
	}
	s, err := LoadWithNetwork("synthetic:seed=1,trajectories=3", osm)
	if err != nil || len(s.Map.Network.Segments) != 2 || len(s.Map.POIs) != 0 {
		t.Fatalf("the OSM network replaces the city's map: %v", err)
	}
	bad := filepath.Join(dir, "bad.osm")
	os.WriteFile(bad, []byte("<osm><node"), 0o644)
	if _, err := LoadWithNetwork("csv:"+csv, bad); err == nil || !strings.Contains(err.Error(), "bad.osm") {
		t.Fatalf("a broken OSM file: %v", err)
	}
}
