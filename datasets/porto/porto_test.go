package porto

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/tfm-course/course/datasets/internal/rowcount"
	"github.com/tfm-course/course/datasets/internal/sample"
	"github.com/tfm-course/course/datasets/parse"
	"github.com/tfm-course/course/tfm/traj"
)

const header = `"TRIP_ID","CALL_TYPE","ORIGIN_CALL","ORIGIN_STAND","TAXI_ID","TIMESTAMP","DAY_TYPE","MISSING_DATA","POLYLINE"` + "\n"

const twoTrips = header +
	`"1372636858620000589","C","","","20000589","1372636858","A","False","[[-8.618643,41.141412],[-8.618499,41.141376],[-8.620326,41.14251]]"` + "\n" +
	`"1372637303620000596","B","","7","20000596","1372637303","A","True","[[-8.6,41.1]]"` + "\r\n"

func TestRead(t *testing.T) {
	rep := &parse.Report{}
	ds, err := Read(strings.NewReader(twoTrips), "train.csv", rep, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Trajectories) != 2 || rep.Rows != 2 {
		t.Fatalf("%d trips, report %+v", len(ds.Trajectories), rep)
	}
	a := ds.Trajectories[0]
	if a.ID != "1372636858620000589" || a.UserID != "20000589" || len(a.Points) != 3 || a.Labels["call_type"] != "C" || a.Labels["missing_data"] != "false" {
		t.Fatalf("%+v", a)
	}
	if a.Points[2].Lon() != -8.620326 || a.Points[2].Lat() != 41.14251 {
		t.Errorf("point 2 = %v", a.Points[2].Point)
	}
	if !a.Points[0].Time.Equal(time.Unix(1372636858, 0)) || a.Points[2].Time.Sub(a.Points[0].Time) != 30*time.Second {
		t.Errorf("times %v .. %v", a.Points[0].Time, a.Points[2].Time)
	}
	if b := ds.Trajectories[1]; len(b.Points) != 1 || b.Labels["missing_data"] != "true" {
		t.Errorf("trip b %+v", b)
	}
	if ds, _ := Read(strings.NewReader(twoTrips), "train.csv", nil, 1); len(ds.Trajectories) != 1 {
		t.Error("limit ignored")
	}
}

func TestStreamingNext(t *testing.T) {
	r, err := NewReader(strings.NewReader(twoTrips), "train.csv", nil)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for {
		tr, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, tr.ID)
	}
	if len(ids) != 2 || r.Line() != 3 {
		t.Fatalf("ids %v line %d", ids, r.Line())
	}
}

func TestBadInput(t *testing.T) {
	row := func(ts, missing, poly string) string {
		return header + fmt.Sprintf(`"1","C","","","20000589","%s","A","%s","%s"`, ts, missing, poly) + "\n"
	}
	for _, c := range []struct{ name, body, want string }{
		{"nan", row("1372636858", "False", "[[NaN,41.1]]"), "train.csv:2: field POLYLINE"},
		{"lat", row("1372636858", "False", "[[-8.6,41.1],[-8.6,91.0]]"), "point 1: latitude 91 outside"},
		{"lon", row("1372636858", "False", "[[-181,41.1]]"), "point 0: longitude -181 outside"},
		{"time", row("13726x6858", "False", "[]"), "train.csv:2: field TIMESTAMP"},
		{"missing", row("1372636858", "maybe", "[]"), "train.csv:2: field MISSING_DATA"},
		{"poly", row("1372636858", "False", "[[-8.6,41.1]"), "field POLYLINE"},
		{"short", header + `"1","C"` + "\n", "train.csv:2: value"},
		{"empty", "", "train.csv: empty file"},
		{"header only", header, "train.csv: no trips"},
		{"no polyline column", "TRIP_ID,TIMESTAMP\n1,2\n", "train.csv:1: field POLYLINE"},
	} {
		_, err := Read(strings.NewReader(c.body), "train.csv", nil, 0)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
}

func TestSkipBad(t *testing.T) {
	body := twoTrips + `"3","C","","","1","1372636858","A","False","[[-8.6,99]]"` + "\n" + `"4","C"` + "\n"
	rep := &parse.Report{SkipBad: true}
	ds, err := Read(strings.NewReader(body), "train.csv", rep, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Trajectories) != 2 || rep.Rows != 4 || rep.SkippedRows != 2 || rep.ByField["POLYLINE"] != 1 || rep.ByField["row"] != 1 {
		t.Fatalf("%d trips, %+v", len(ds.Trajectories), rep)
	}
	// An empty trip is a bad row too: an error naming it, or skipped and counted.
	body = twoTrips + `"5","C","","","1","1372636858","A","False","[]"` + "\n"
	if _, err := Read(strings.NewReader(body), "train.csv", nil, 0); err == nil || !strings.Contains(err.Error(), "train.csv:4: field POLYLINE") {
		t.Fatalf("empty trip, strict: %v", err)
	}
	rep = &parse.Report{SkipBad: true}
	if ds, err = Read(strings.NewReader(body), "train.csv", rep, 0); err != nil || len(ds.Trajectories) != 2 || rep.SkippedRows != 1 {
		t.Fatalf("%d trips, %+v", len(ds.Trajectories), rep)
	}
}

func FuzzRead(f *testing.F) {
	f.Add([]byte(twoTrips))
	f.Add([]byte(header + `"1","C","","","2","3","A","False","[ [ -8.6 , 41.1 ] , [1e1,2] ]"` + "\n"))
	f.Add([]byte(header + `"1","C","","","2","3","A","False","[[`))
	f.Add([]byte(header + `"5","C","","","1","1372636858","A","False","[]"` + "\n"))
	f.Add([]byte("\ufeff" + twoTrips))
	f.Fuzz(func(t *testing.T, b []byte) {
		// The data rows: the non-empty lines after the first (the header).
		rows := rowcount.Count(b, 1, func(l []byte) bool { return len(l) > 0 })
		rep := &parse.Report{SkipBad: true}
		ds, err := Read(bytes.NewReader(b), "fuzz.csv", rep, 0)
		if err != nil {
			return
		}
		if rep.Rows != rows || len(ds.Trajectories)+rep.SkippedRows != rows {
			t.Fatalf("%d data rows in, %d counted, %d trips loaded + %d skipped", rows, rep.Rows, len(ds.Trajectories), rep.SkippedRows)
		}
		for _, tr := range ds.Trajectories {
			for _, p := range tr.Points {
				if traj.CheckLonLat(p.Lon(), p.Lat()) != nil {
					t.Fatalf("bad point accepted %v", p)
				}
			}
		}
	})
}

// synthRows writes n Porto-like rows of about 48 points each (the mean
// trip length of the real training set) with real-looking coordinates.
func synthRows(n int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	b.WriteString(header)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `"%d","C","","","%d","%d","A","False","[`, 1372636858620000589+i, 20000000+i%448, 1372636858+i*60)
		lon, lat := -8.61+rng.Float64()*0.05, 41.14+rng.Float64()*0.05
		for j := 0; j < 48; j++ {
			if j > 0 {
				b.WriteByte(',')
			}
			lon += (rng.Float64() - 0.5) * 0.002
			lat += (rng.Float64() - 0.5) * 0.002
			fmt.Fprintf(&b, "[%.6f,%.6f]", lon, lat)
		}
		b.WriteString("]\"\n")
	}
	return b.Bytes()
}

func BenchmarkRead(b *testing.B) {
	data := synthRows(2000)
	b.SetBytes(int64(len(data)))
	n := 0
	cpu0 := sample.CPUSeconds()
	for b.Loop() {
		r, err := NewReader(bytes.NewReader(data), "bench.csv", nil)
		if err != nil {
			b.Fatal(err)
		}
		for {
			tr, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n += len(tr.Points)
		}
	}
	if cpu := sample.CPUSeconds() - cpu0; cpu > 0 {
		b.ReportMetric(float64(n)/cpu, "points/cpu-s")
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "points/s")
}
