package csvtraj

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/tfm-course/course/datasets/internal/rowcount"
	"github.com/tfm-course/course/datasets/parse"
	"github.com/tfm-course/course/tfm/traj"
)

func TestDetectAndOrder(t *testing.T) {
	body := "Trajectory_ID,UID,Longitude,Latitude,Timestamp,Label\n" +
		"b,u2,116.2,39.8,2008-10-25T04:39:10Z,walk\n" +
		"a,u1,116.1,39.9,1224909546,bus\n" + // unix seconds: 04:39:06
		"a,u1,116.0,39.9,2008-10-25 04:39:04,bus\n" +
		"b,u2,116.3,39.7,2008-10-25T04:39:05Z,bike\n"
	ds, err := Read(strings.NewReader(body), "pts.csv", Columns{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Trajectories) != 2 {
		t.Fatalf("%d trajectories", len(ds.Trajectories))
	}
	b, a := ds.Trajectories[0], ds.Trajectories[1]
	if b.ID != "b" || a.ID != "a" || a.UserID != "u1" {
		t.Fatalf("ids %q %q", b.ID, a.ID)
	}
	if a.Points[0].Lon() != 116.0 || !a.Points[1].Time.Equal(time.Date(2008, 10, 25, 4, 39, 6, 0, time.UTC)) || a.Mode != "bus" || a.Modes != nil {
		t.Errorf("a: %+v", a)
	}
	// b is reordered by time; its modes follow its points.
	if b.Points[0].Lon() != 116.3 || b.Mode != "" || b.Modes[0] != "bike" || b.Modes[1] != "walk" {
		t.Errorf("b: %+v %v", b.Points, b.Modes)
	}
}

func TestSeqOverrideAndSeparators(t *testing.T) {
	body := "track;s;x;y;seq\nk;9;10.5;50.1;2\nk;9;10.4;50.0;1\n"
	ds, err := Read(strings.NewReader(body), "p.csv", Columns{ID: "TRACK", User: "s"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tr := ds.Trajectories[0]
	if tr.ID != "k" || tr.UserID != "9" || tr.Points[0].Lon() != 10.4 || tr.Points[1].Lat() != 50.1 {
		t.Fatalf("%+v", tr)
	}
	if _, err := Read(strings.NewReader(body), "p.csv", Columns{Time: "when"}, nil); err == nil || !strings.Contains(err.Error(), `p.csv:1: field time: value "when"`) {
		t.Errorf("missing override column: %v", err)
	}
}

func TestRoundTripWrite(t *testing.T) {
	t0 := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	in := &traj.Dataset{Trajectories: []*traj.Trajectory{
		{ID: "1", UserID: "u", Mode: "car", Points: []traj.Point{traj.NewPoint(1.25, 2.5, t0), traj.NewPoint(1.26, 2.51, t0.Add(time.Second))}},
		{ID: "2", UserID: "v", Points: []traj.Point{traj.NewPoint(-3, 4, t0)}, Modes: []string{"walk"}},
	}}
	var buf bytes.Buffer
	if err := Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "traj_id,user_id,mode,lon,lat,time\n1,u,car,1.25,2.5,2024-01-02T03:04:05Z\n") {
		t.Fatalf("%s", buf.String())
	}
	out, err := Read(&buf, "rt.csv", Columns{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Trajectories) != 2 || out.Trajectories[0].Mode != "car" || out.Trajectories[1].Mode != "walk" || !out.Trajectories[0].Points[1].Time.Equal(t0.Add(time.Second)) {
		t.Fatalf("%+v", out.Trajectories[0])
	}
}

func TestBadInput(t *testing.T) {
	h := "traj_id,lon,lat,time\n"
	for _, c := range []struct{ name, body, want string }{
		{"nan", h + "1,NaN,39.9,1\n", "x.csv:2: field lon"},
		{"lat", h + "1,116,39.9,1\n1,116,-90.5,2\n", "x.csv:3: field lat: value \"-90.5\""},
		{"lon", h + "1,180.01,39.9,1\n", "x.csv:2: field lon"},
		{"time", h + "1,116,39.9,yesterday\n", "x.csv:2: field time"},
		{"short", h + "1,116\n", "x.csv:2: value \"1,116\": short row"},
		{"empty", "", "x.csv: empty file"},
		{"no rows", h, "x.csv: no trajectories"},
		{"no lat", "id,lon\n1,2\n", "x.csv:1: field lat"},
	} {
		_, err := Read(strings.NewReader(c.body), "x.csv", Columns{}, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := Load("/nonexistent/x.csv", Columns{}, nil); err == nil || !strings.Contains(err.Error(), "/nonexistent/x.csv") {
		t.Errorf("missing file: %v", err)
	}
}

func TestSkipBad(t *testing.T) {
	body := "traj_id,lon,lat,time\n1,116,39.9,1\n1,116,95,2\n1,x,39.9,3\n1,116,39.8,4\n"
	rep := &parse.Report{SkipBad: true}
	ds, err := Read(strings.NewReader(body), "x.csv", Columns{}, rep)
	if err != nil {
		t.Fatal(err)
	}
	if ds.NumPoints() != 2 || rep.Rows != 4 || rep.SkippedRows != 2 || rep.ByField["lat"] != 1 || rep.ByField["lon"] != 1 {
		t.Fatalf("%d points %+v", ds.NumPoints(), rep)
	}
}

func FuzzRead(f *testing.F) {
	f.Add([]byte("traj_id,user_id,mode,lon,lat,time\n1,u,car,1.25,2.5,2024-01-02T03:04:05Z\n"))
	f.Add([]byte("id;x;y;seq\n1;2;3;4\n1;2;\"3\n"))
	f.Add([]byte("lon\tlat\tt\n1\t2\t3\n\n"))
	f.Add([]byte("traj_id,lon,lat,time\na,116.3,39.9,\"2008-10-25T04:39:04Z\na,116.31,39.91,2008-10-25T04:39:10Z\n")) // never-closed quote
	f.Add([]byte("\ufefftraj_id,lon,lat\na,1_16,39.9\na,116.3,37."))
	f.Add([]byte("id,x,y,when\n1,10,50,1\n1,10.1,50.1,2\n1,10.2,95,3\n"))
	f.Add([]byte("Trajectory_ID,UID,Longitude,Latitude,Timestamp,Label\nb,u2,116.2,39.8,2008-10-25T04:39:10Z,walk\na,u1,116.1,39.9,1224909546,bus\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		// The data rows: the non-blank lines after the first non-blank one (the header).
		lines := rowcount.Lines(b)
		h := 0
		for h < len(lines) && rowcount.Blank(lines[h]) {
			h++
		}
		rows := rowcount.Count(b, h+1, rowcount.NotBlank)
		for _, skip := range []bool{false, true} {
			rep := &parse.Report{SkipBad: skip}
			ds, err := Read(bytes.NewReader(b), "fuzz.csv", Columns{}, rep)
			if err != nil {
				continue
			}
			for _, tr := range ds.Trajectories {
				if err := tr.Validate(); err != nil {
					t.Fatal(err)
				}
			}
			if rep.Rows != rows || ds.NumPoints()+rep.SkippedRows != rows {
				t.Fatalf("skip=%v: %d data rows in, %d counted, %d loaded + %d skipped", skip, rows, rep.Rows, ds.NumPoints(), rep.SkippedRows)
			}
		}
	})
}
