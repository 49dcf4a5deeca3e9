package roadnet

import (
	"compress/bzip2"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tfm-course/course/tfm/traj"
)

var (
	osmTestdataOnce sync.Once
	osmTestdataDir  string
)

// osmTestdata is the testdata folder of the paulmach/osm module (real
// Andorra and Delaware extracts), or "" when it cannot be found.
func osmTestdata() string {
	osmTestdataOnce.Do(func() {
		out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/paulmach/osm").Output()
		if err != nil {
			return
		}
		dir := filepath.Join(strings.TrimSpace(string(out)), "testdata")
		if _, err := os.Stat(filepath.Join(dir, "andorra-latest.osm.bz2")); err == nil {
			osmTestdataDir = dir
		}
	})
	return osmTestdataDir
}

var (
	andorraOnce  sync.Once
	andorraGraph *Graph
	andorraStats OSMStats
	andorraErr   error
)

// andorra loads (once) the Andorra extract or skips the test.
func andorra(t testing.TB) (*Graph, OSMStats) {
	t.Helper()
	dir := osmTestdata()
	if dir == "" {
		t.Skip("paulmach/osm testdata not found (go list -m github.com/paulmach/osm)")
	}
	andorraOnce.Do(func() {
		andorraGraph, andorraStats, andorraErr = LoadOSM(filepath.Join(dir, "andorra-latest.osm.bz2"), OSMOptions{})
	})
	if andorraErr != nil {
		t.Fatal(andorraErr)
	}
	return andorraGraph, andorraStats
}

// smallOSM is a hand-checked network:
//
//	1 --A-- 2 --A-- 3        A: two-way residential "Main Street", 30 mph
//	        |                B: oneway=-1 primary 2→4 drawn as 4→2
//	        B                C: footway (dropped)
//	        |                D: roundabout 4→5→6→4 (implied one-way)
//	        4 -- D loop      E: motorway 3→7 (implied one-way), node 99 missing
const smallOSM = `<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6">
 <node id="1" lat="42.5000" lon="1.5000"/>
 <node id="2" lat="42.5000" lon="1.5010"/>
 <node id="3" lat="42.5000" lon="1.5020"/>
 <node id="4" lat="42.4990" lon="1.5010"/>
 <node id="5" lat="42.4985" lon="1.5015"/>
 <node id="6" lat="42.4985" lon="1.5005"/>
 <node id="7" lat="42.5010" lon="1.5030"/>
 <node id="8" lat="42.5010" lon="1.5000"/>
 <way id="100"><nd ref="1"/><nd ref="2"/><nd ref="3"/>
  <tag k="highway" v="residential"/><tag k="name" v="Main Street"/><tag k="maxspeed" v="30 mph"/></way>
 <way id="101"><nd ref="4"/><nd ref="2"/><tag k="highway" v="primary"/><tag k="oneway" v="-1"/></way>
 <way id="102"><nd ref="1"/><nd ref="8"/><tag k="highway" v="footway"/></way>
 <way id="103"><nd ref="4"/><nd ref="5"/><nd ref="6"/><nd ref="4"/>
  <tag k="highway" v="tertiary"/><tag k="junction" v="roundabout"/></way>
 <way id="104"><nd ref="3"/><nd ref="7"/><nd ref="99"/><tag k="highway" v="motorway"/><tag k="ref" v="A1"/></way>
</osm>`

func TestReadOSMSmall(t *testing.T) {
	g, st, err := ReadOSM(strings.NewReader(smallOSM), "xml", OSMOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := OSMStats{Nodes: 8, Ways: 5, Drivable: 4, OneWay: 3, Reversed: 1, MissingRefs: 1, Segments: 7, GraphNodes: 5}
	if st != want {
		t.Fatalf("stats %+v, want %+v", st, want)
	}
	type seg struct {
		from, to int64
		class    string
		twoWay   bool
	}
	var got []seg
	for _, s := range g.Segments {
		got = append(got, seg{g.Nodes[s.From].OSMID, g.Nodes[s.To].OSMID, s.Class, s.Reverse >= 0})
	}
	wantSegs := []seg{
		{1, 2, "residential", true}, {2, 1, "residential", true}, // A split at node 2
		{2, 3, "residential", true}, {3, 2, "residential", true},
		{2, 4, "primary", false},  // B reversed
		{4, 4, "tertiary", false}, // D: a loop from node 4 back to it
		{3, 7, "motorway", false}, // E up to the missing node
	}
	if fmt.Sprint(got) != fmt.Sprint(wantSegs) {
		t.Fatalf("segments\n got %v\nwant %v", got, wantSegs)
	}
	a := g.Segments[0]
	if a.Name != "Main Street" || math.Abs(a.SpeedLimit-30*1.609344/3.6) > 1e-9 || len(a.Geometry) != 2 {
		t.Errorf("segment A: %+v", a)
	}
	if d := g.Segments[5]; len(d.Geometry) != 4 || math.Abs(d.SpeedLimit-50/3.6) > 1e-9 {
		t.Errorf("roundabout: %d points, speed %v", len(d.Geometry), d.SpeedLimit)
	}
	if e := g.Segments[6]; e.Name != "A1" || math.Abs(e.SpeedLimit-110/3.6) > 1e-9 {
		t.Errorf("motorway: name %q speed %v", e.Name, e.SpeedLimit)
	}
	// Length: 0.001° of longitude at 42.5° N, on the sphere of traj.EarthRadius
	// (the mean radius: 81.982 m; it was 82.073 m with orb.EarthRadius, 6378137 m).
	if l, want := g.Segments[0].Length, 0.001*math.Pi/180*traj.EarthRadius*math.Cos(42.5*math.Pi/180); math.Abs(l-want) > 0.01 {
		t.Errorf("length %.3f, want %.3f", l, want)
	}
}

func TestParseMaxSpeed(t *testing.T) {
	for in, want := range map[string]float64{"50": 50, "30 mph": 30 * 1.609344, "50 km/h": 50, "60;40": 60, "walk": 6,
		"FR:urban": 50, "DE:rural": 90, "none": 0, "": 0, "fast": 0, "-5": 0} {
		got, ok := ParseMaxSpeed(in)
		if ok != (want > 0) || math.Abs(got-want) > 1e-9 {
			t.Errorf("ParseMaxSpeed(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
}

func TestLoadOSMAndorra(t *testing.T) {
	g, st := andorra(t)
	want := OSMStats{Nodes: 203265, Ways: 9080, Drivable: 1623, OneWay: 537, Reversed: 1, Segments: 4134, GraphNodes: 2150}
	if st != want {
		t.Errorf("stats %+v\nwant  %+v", st, want)
	}
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	oneWay, twoWay := 0, 0
	for _, s := range g.Segments {
		if s.Reverse < 0 {
			oneWay++
			continue
		}
		twoWay++
		r := g.Segments[s.Reverse]
		if r.Reverse != s.ID || r.From != s.To || r.To != s.From || math.Abs(r.Length-s.Length) > 1e-6 {
			t.Fatalf("segment %d and its reverse %d disagree", s.ID, r.ID)
		}
	}
	// Every segment starts and ends at graph nodes, with its geometry.
	for _, s := range g.Segments {
		if s.Geometry[0] != g.Nodes[s.From].Point || s.Geometry[len(s.Geometry)-1] != g.Nodes[s.To].Point || !(s.Length > 0) {
			t.Fatalf("segment %d: geometry does not join its nodes", s.ID)
		}
	}
	t.Logf("one-way segments %d, two-way %d, classes %v", oneWay, twoWay, g.ClassCounts())
	if oneWay == 0 || twoWay == 0 || g.ClassCounts()["primary"] == 0 {
		t.Errorf("unexpected network: %d one-way, %d two-way", oneWay, twoWay)
	}
}

func TestLoadOSMDelawarePBF(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	dir := osmTestdata()
	if dir == "" {
		t.Skip("paulmach/osm testdata not found")
	}
	g, st, err := LoadOSM(filepath.Join(dir, "delaware-latest.osm.pbf"), OSMOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", st)
	if st.Drivable < 1000 || len(g.Segments) < 10000 || st.MissingRefs != 0 {
		t.Errorf("delaware: %+v", st)
	}
}

func TestLoadOSMBadInputs(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		path, want string
	}{
		{write("notes.txt", "hello"), "unknown OSM file extension"},
		{write("text.osm", "this is not xml at all"), "not an OSM file"},
		{write("broken.osm", "<osm><node id='1' lat='1' lon='1'>"), "not a valid OSM file"},
		{write("paths.osm", `<osm><node id="1" lat="1" lon="1"/><node id="2" lat="1" lon="1.001"/>
<way id="5"><nd ref="1"/><nd ref="2"/><tag k="highway" v="footway"/></way></osm>`), "empty road network"},
		{write("garbage.osm.pbf", strings.Repeat("\x00\x01garbage", 10)), "not a valid OSM file"},
		{write("garbage.osm.bz2", "BZh9 not really"), "not a valid OSM file"},
		{filepath.Join(dir, "missing.osm"), "no such file"},
	}
	for _, c := range cases {
		_, _, err := LoadOSM(c.path, OSMOptions{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", filepath.Base(c.path), err, c.want)
		}
	}
	_, _, err := LoadOSM(cases[3].path, OSMOptions{})
	if !errors.Is(err, ErrEmptyNetwork) || !strings.Contains(err.Error(), "paths.osm") {
		t.Errorf("empty network error %v should wrap ErrEmptyNetwork and name the file", err)
	}
	_ = bzip2.NewReader
}
