package geojson

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tfm-course/course/datasets/parse"
	"github.com/tfm-course/course/tfm/traj"
)

func TestRoundTripFeature(t *testing.T) {
	t0 := time.Date(2024, 5, 6, 7, 8, 9, 500_000_000, time.UTC)
	in := &traj.Dataset{Trajectories: []*traj.Trajectory{
		{ID: "a", UserID: "u1", Mode: "bus", Labels: map[string]string{"district_from": "north"},
			Points: []traj.Point{traj.NewPoint(116.1, 39.9, t0), traj.NewPoint(116.2, 39.95, t0.Add(15*time.Second))}},
		{ID: "b", Points: []traj.Point{traj.NewPoint(-8.6, 41.1, t0)}, Modes: []string{"walk"}},
	}}
	var buf bytes.Buffer
	if err := Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	out, err := Read(&buf, "rt.geojson", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Trajectories) != 2 {
		t.Fatalf("%d", len(out.Trajectories))
	}
	for i, want := range in.Trajectories {
		got := out.Trajectories[i]
		if got.ID != want.ID || got.UserID != want.UserID || got.Mode != want.Mode || !reflect.DeepEqual(got.Modes, want.Modes) || !reflect.DeepEqual(got.Labels, want.Labels) {
			t.Errorf("%d: got %+v want %+v", i, got, want)
		}
		for j := range want.Points {
			if got.Points[j].Point != want.Points[j].Point || !got.Points[j].Time.Equal(want.Points[j].Time) {
				t.Errorf("%d/%d: %v vs %v", i, j, got.Points[j], want.Points[j])
			}
		}
	}
}

func TestMultiAndNumbers(t *testing.T) {
	doc := `{"type":"Feature","id":7,"geometry":{"type":"MultiLineString","coordinates":[[[1,2],[1.1,2.1]],[[3,4]]]},
	 "properties":{"coordTimes":[1700000000,1700000001,"2023-11-14T22:13:22Z"],"user_id":"u"}}`
	ds, err := Read(strings.NewReader(doc), "m.geojson", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Trajectories) != 2 || ds.Trajectories[0].ID != "7/1" || ds.Trajectories[1].ID != "7/2" || ds.Trajectories[1].UserID != "u" {
		t.Fatalf("%+v", ds.Trajectories[0])
	}
	if got := ds.Trajectories[1].Points[0].Time; !got.Equal(time.Unix(1700000002, 0)) {
		t.Errorf("time %v", got)
	}
}

func TestBadInput(t *testing.T) {
	fc := func(feat string) string {
		return "{\"type\": \"FeatureCollection\",\n \"features\": [\n" +
			`{"type":"Feature","geometry":{"type":"LineString","coordinates":[[1,2],[2,3]]},"properties":{}},` + "\n" + feat + "\n]}"
	}
	for _, c := range []struct{ name, body, want string }{
		{"lat", fc(`{"type":"Feature","geometry":{"type":"LineString","coordinates":[[1,2],[2,93]]},"properties":{}}`), "x.geojson:4: field lat"},
		{"lon", fc(`{"type":"Feature","geometry":{"type":"LineString","coordinates":[[1,2],[182,3]]},"properties":{}}`), "x.geojson:4: field lon"},
		{"time", fc(`{"type":"Feature","geometry":{"type":"LineString","coordinates":[[1,2]]},"properties":{"times":["soon"]}}`), "x.geojson:4: field times: value \"soon\""},
		{"times length", fc(`{"type":"Feature","geometry":{"type":"LineString","coordinates":[[1,2]]},"properties":{"times":[]}}`), "x.geojson:4: field times: feature 1: 0 times for 1 coordinates"},
		{"point", fc(`{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{}}`), "x.geojson:4: field geometry: value \"Point\""},
		{"syntax", "{\"type\":\"FeatureCollection\",\n\"features\":[}", "x.geojson:2: JSON"},
		{"empty", "  ", "x.geojson: empty file"},
		{"type", `{"type":"Polygon"}`, "x.geojson:1: field type"},
		{"none", `{"type":"FeatureCollection","features":[]}`, "no trajectories"},
	} {
		_, err := Read(strings.NewReader(c.body), "x.geojson", nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
	rep := &parse.Report{SkipBad: true}
	ds, err := Read(strings.NewReader(fc(`{"type":"Feature","geometry":{"type":"LineString","coordinates":[[1,2],[2,93]]},"properties":{}}`)), "x.geojson", rep)
	if err != nil || len(ds.Trajectories) != 1 || rep.SkippedRows != 1 || rep.ByField["lat"] != 1 {
		t.Errorf("skip-bad: %v %+v", err, rep)
	}
}

func FuzzRead(f *testing.F) {
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"LineString","coordinates":[[1,2],[2,3]]},"properties":{"times":["2024-01-01T00:00:00Z",1704067201],"modes":["a","b"]}}]}`))
	f.Add([]byte(`{"type":"Feature","geometry":{"type":"MultiLineString","coordinates":[[[1,2]],[]]},"properties":{"id":3}}`))
	f.Add([]byte(`{"type":"Feature","geometry":null}`))
	f.Add([]byte("\ufeff{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[116.3,39.9],[116.4,39.8]]},\"properties\":{}}]}\n"))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"LineString","coordinates":[]},"properties":{}},{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]}}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"LineString","coordinates":[]},"properties":{}},{"type":"Feature","geometry":{"type":"LineString","coordinates":[[1,2]]}}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"LineString","coordinates":[[1,2]]}}],"features":[{"type":"Feature","geometry":{"type":"LineString","coordinates":[[3,4]]}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		rows := features(b)
		rep := &parse.Report{SkipBad: true}
		ds, err := Read(bytes.NewReader(b), "fuzz.geojson", rep)
		if err != nil {
			return
		}
		// Every feature is skipped or gives at least one trajectory.
		if rep.Rows != rows || len(ds.Trajectories) < rows-rep.SkippedRows {
			t.Fatalf("%d features in, %d counted, %d skipped, %d trajectories", rows, rep.Rows, rep.SkippedRows, len(ds.Trajectories))
		}
		for _, tr := range ds.Trajectories {
			if err := tr.Validate(); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// features counts a document's features on its own: 1 for a Feature, the
// length of "features" for a FeatureCollection.
func features(b []byte) int {
	var doc struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	if json.Unmarshal(bytes.TrimPrefix(b, []byte("\ufeff")), &doc) != nil {
		return -1
	}
	switch doc.Type {
	case "Feature":
		return 1
	case "FeatureCollection":
		return len(doc.Features)
	}
	return -1
}
