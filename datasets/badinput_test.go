package datasets

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// badInput is one malformed file and what loading it must give: an error
// naming want (strict), and under --skip-bad either the points kept and
// the rows skipped, or an error too (skipErr).
type badInput struct {
	name, format, file, text string
	want                     string // substring of the strict error ("" = loads)
	points, skipped          int    // under --skip-bad
	warn                     string // substring of a warning ("" = none)
}

var badInputs = []badInput{
	// A quote opened in the last column and never closed must not swallow the following lines.
	{"csv unterminated quote", "csv", "q.csv", "traj_id,lon,lat,time\na,116.3,39.9,\"2008-10-25T04:39:04Z\na,116.31,39.91,2008-10-25T04:39:10Z\nb,116.32,39.92,2008-10-25T04:39:20Z\nb,116.33,39.93,2008-10-25T04:39:30Z\nb,116.34,39.94,2008-10-25T04:39:40Z\n",
		"q.csv:2: ", 4, 1, ""},
	{"csv trailing dot", "csv", "d.csv", "traj_id,lon,lat\na,116.3,39.9\na,116.3,37.", "d.csv:3: field lat", 1, 1, "d.csv:3: last line has no newline"},
	{"csv underscore number", "csv", "u.csv", "traj_id,lon,lat\na,1_16,39.9\na,116.3,39.9\n", "u.csv:2: field lon", 1, 1, ""},
	{"csv hex number", "csv", "h.csv", "traj_id,lon,lat\na,0x1p4,39.9\na,116.3,39.9\n", "h.csv:2: field lon", 1, 1, ""},
	{"csv BOM", "csv", "bom.csv", "\ufefftraj_id,lon,lat\na,116.3,39.9\n", "", 1, 0, ""},
	{"tdrive cut in the last number", "tdrive", "1.txt", "1,2008-02-02 15:36:08,116.51172,39.92123\n1,2008-02-02 15:46:08,116.51135,3",
		"", 2, 0, "1.txt:2: last line has no newline"},
	{"tdrive cut after a dot", "tdrive", "2.txt", "2,2008-02-02 15:36:08,116.51172,39.92123\n2,2008-02-02 15:46:08,116.51135,39.", "2.txt:2: field lat", 1, 1, "2.txt:2: last line"},
	{"tdrive BOM", "tdrive", "3.txt", "\ufeff3,2008-02-02 15:36:08,116.51172,39.92123\n", "", 1, 0, ""},
	{"geojson BOM", "geojson", "b.geojson", "\ufeff{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[116.3,39.9],[116.4,39.8]]},\"properties\":{}}]}\n", "", 2, 0, ""},
	{"porto BOM", "porto", "p.csv", "\ufeff\"TRIP_ID\",\"CALL_TYPE\",\"TAXI_ID\",\"TIMESTAMP\",\"MISSING_DATA\",\"POLYLINE\"\n\"1\",\"A\",\"20000589\",\"1372636858\",\"False\",\"[[-8.618643,41.141412],[-8.618499,41.141376]]\"\n", "", 2, 0, ""},
	{"porto empty trip", "porto", "e.csv", "\"TRIP_ID\",\"TIMESTAMP\",\"MISSING_DATA\",\"POLYLINE\"\n\"1\",\"1372636858\",\"False\",\"[]\"\n\"2\",\"1372636858\",\"False\",\"[[-8.618643,41.141412],[-8.618499,41.141376]]\"\n",
		"e.csv:2: field POLYLINE", 2, 1, ""},
	{"porto cut inside the polyline", "porto", "c.csv", "\"TRIP_ID\",\"TIMESTAMP\",\"MISSING_DATA\",\"POLYLINE\"\n\"2\",\"1372636858\",\"False\",\"[[-8.618643,41.141412],[-8.618499,41.14", "c.csv:2: ", 0, 1, ""},
	{"gpx BOM", "gpx", "g.gpx", "\ufeff<?xml version=\"1.0\"?><gpx><trk><trkseg><trkpt lat=\"39.9\" lon=\"116.3\"></trkpt></trkseg></trk></gpx>\n", "", 1, 0, ""},
}

func TestBadInputs(t *testing.T) {
	for _, c := range badInputs {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, c.file)
			if err := os.WriteFile(path, []byte(c.text), 0o644); err != nil {
				t.Fatal(err)
			}
			rep := &Report{}
			ds, err := Open(c.format, path, Options{Report: rep})
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("strict: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("strict: error %v, want one naming %q", err, c.want)
			case c.want == "" && ds.NumPoints() != c.points:
				t.Fatalf("strict: %d points, want %d", ds.NumPoints(), c.points)
			}
			if c.warn != "" && err == nil && (rep.NumWarnings == 0 || !strings.Contains(rep.Warnings[0], c.warn)) {
				t.Errorf("strict: warnings %q, want %q", rep.Warnings, c.warn)
			}
			rep = &Report{}
			ds, err = Open(c.format, path, Options{SkipBad: true, Report: rep})
			if c.points == 0 {
				if err == nil {
					t.Fatalf("skip-bad: loaded %d points of nothing good", ds.NumPoints())
				}
				if rep.SkippedRows != c.skipped {
					t.Errorf("skip-bad: skipped %d rows, want %d", rep.SkippedRows, c.skipped)
				}
				return
			}
			if err != nil {
				t.Fatalf("skip-bad: %v", err)
			}
			if ds.NumPoints() != c.points || rep.SkippedRows != c.skipped {
				t.Errorf("skip-bad: %d points, %d skipped; want %d, %d (%v)", ds.NumPoints(), rep.SkippedRows, c.points, c.skipped, rep)
			}
			if c.warn != "" && (rep.NumWarnings == 0 || !strings.Contains(rep.Warnings[0], c.warn)) {
				t.Errorf("skip-bad: warnings %q, want %q", rep.Warnings, c.warn)
			}
			if c.warn == "" && rep.NumWarnings > 0 {
				t.Errorf("unexpected warnings %q", rep.Warnings)
			}
		})
	}
}
