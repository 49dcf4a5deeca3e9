package gpx

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tfm-course/course/datasets/parse"
)

const doc = `<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
  <wpt lat="1" lon="2"><name>ignored</name></wpt>
  <trk>
    <name>Morning ride</name>
    <type>bike</type>
    <trkseg>
      <trkpt lat="47.6445" lon="-122.3265"><ele>4.46</ele><time>2009-10-17T18:37:26Z</time></trkpt>
      <trkpt lat="47.6446" lon="-122.3266"><ele>4.94</ele><time>2009-10-17T18:37:31Z</time></trkpt>
    </trkseg>
    <trkseg>
      <trkpt lat="47.6447" lon="-122.3267"><time>2009-10-17T18:40:00Z</time></trkpt>
    </trkseg>
  </trk>
  <trk><trkseg><trkpt lat="48" lon="-122"/></trkseg></trk>
</gpx>
`

func TestRead(t *testing.T) {
	ds, err := Read(strings.NewReader(doc), "ride.gpx", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Trajectories) != 3 || ds.NumPoints() != 4 {
		t.Fatalf("%d trajectories, %d points", len(ds.Trajectories), ds.NumPoints())
	}
	a := ds.Trajectories[0]
	if a.ID != "ride/1.1" || a.Mode != "bike" || a.Labels["name"] != "Morning ride" || ds.Trajectories[1].ID != "ride/1.2" || ds.Trajectories[2].ID != "ride/2.1" {
		t.Fatalf("%+v", a)
	}
	p := a.Points[1]
	if p.Lat() != 47.6446 || p.Lon() != -122.3266 || p.Alt != 4.94 || !p.Time.Equal(time.Date(2009, 10, 17, 18, 37, 31, 0, time.UTC)) {
		t.Errorf("%+v", p)
	}
}

func TestBadInput(t *testing.T) {
	pt := func(attrs, inner string) string {
		return `<gpx version="1.1"><trk><trkseg>` + "\n<trkpt lat=\"1\" lon=\"2\"/>\n<trkpt " + attrs + ">" + inner + "</trkpt></trkseg></trk></gpx>"
	}
	for _, c := range []struct{ name, body, want string }{
		{"nan", pt(`lat="NaN" lon="2"`, ""), "x.gpx:3: field lat"},
		{"lat", pt(`lat="91" lon="2"`, ""), "x.gpx:3: field lat: value \"91\""},
		{"lon", pt(`lat="1" lon="-200"`, ""), "x.gpx:3: field lon"},
		{"missing lon", pt(`lat="1"`, ""), "x.gpx:3: field lon: not a number"},
		{"time", pt(`lat="1" lon="2"`, "<time>noon</time>"), "x.gpx:3: field time"},
		{"xml", `<gpx><trk><trkseg><trkpt lat="1" lon="2"></trkseg></gpx>`, "x.gpx:1: XML"},
		{"empty", "", "x.gpx: empty file"},
		{"root", "<kml/>", "x.gpx:1: value \"kml\""},
		{"no tracks", `<gpx version="1.1"><wpt lat="1" lon="2"/></gpx>`, "no trajectories"},
	} {
		_, err := Read(strings.NewReader(c.body), "x.gpx", nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
}

func TestLoadFolderSkipBad(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.gpx"), []byte(doc), 0o644)
	os.WriteFile(filepath.Join(dir, "b.gpx"), nil, 0o644)
	if _, err := Load(dir, nil); err == nil || !strings.Contains(err.Error(), "b.gpx: empty file") {
		t.Errorf("empty file: %v", err)
	}
	rep := &parse.Report{SkipBad: true}
	ds, err := Load(dir, rep)
	if err != nil || len(ds.Trajectories) != 3 || rep.SkippedFiles != 1 {
		t.Errorf("%v %+v", err, rep)
	}
}

func FuzzRead(f *testing.F) {
	f.Add([]byte(doc))
	f.Add([]byte(`<gpx><trk><trkseg><trkpt lat="1" lon="2"><ele>x</ele></trkpt></trkseg></trk></gpx>`))
	f.Add([]byte(`<gpx><trk><trkseg><trkpt lat="1e309" lon="2"/></trkseg><trkseg/></trk></gpx>`))
	f.Add([]byte("\ufeff<?xml version=\"1.0\"?><gpx><trk><trkseg><trkpt lat=\"39.9\" lon=\"116.3\"></trkpt></trkseg></trk></gpx>\n"))
	f.Add([]byte(`<gpx><trk><trkseg><trkseg><trkpt lat="1" lon="2"/></trkseg><trkpt lat="1" lon="2"/></trkseg></trk></gpx>`))
	f.Add([]byte(`<gpx><trk><trkseg><trkseg></trkseg><trkpt lat="1" lon="2"/></trkseg></trk><trk><trkseg><trkpt lat="1" lon="2"/></trkseg></trk></gpx>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		rows := trackPoints(b)
		rep := &parse.Report{SkipBad: true}
		ds, err := Read(bytes.NewReader(b), "fuzz.gpx", rep)
		if err != nil {
			return
		}
		if rep.Rows != rows || ds.NumPoints()+rep.SkippedRows != rows {
			t.Fatalf("%d track points in, %d counted, %d loaded + %d skipped", rows, rep.Rows, ds.NumPoints(), rep.SkippedRows)
		}
		for _, tr := range ds.Trajectories {
			if err := tr.Validate(); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// trackPoints counts the elements at gpx/trk/trkseg/trkpt, on its own.
func trackPoints(b []byte) int {
	dec := xml.NewDecoder(bytes.NewReader(b))
	var path []string
	n := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return n
		}
		switch el := tok.(type) {
		case xml.StartElement:
			path = append(path, el.Name.Local)
			if strings.Join(path, "/") == "gpx/trk/trkseg/trkpt" {
				n++
			}
		case xml.EndElement:
			if len(path) > 0 {
				path = path[:len(path)-1]
			}
		}
	}
}
