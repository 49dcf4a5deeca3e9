package geolife

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tfm-course/course/datasets/internal/rowcount"
	"github.com/tfm-course/course/datasets/internal/sample"
	"github.com/tfm-course/course/datasets/parse"
	"github.com/tfm-course/course/tfm/traj"
)

// Counts computed once with awk over the sample (data lines after the
// 6-line header of every .plt file):
//
//	find . -name '*.plt' -exec awk 'FNR>6' {} + | wc -l   -> 164531
func TestRealSampleCounts(t *testing.T) {
	root := sample.GeoLife(t)
	rep := &parse.Report{}
	ds, err := Load(root, rep)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(ds.Trajectories); got != 111 {
		t.Errorf("trajectories = %d, want 111 (one per .plt file)", got)
	}
	if got := ds.NumPoints(); got != 164531 {
		t.Errorf("points = %d, want 164531", got)
	}
	if got := len(ds.Users()); got != 11 {
		t.Errorf("users = %d, want 11", got)
	}
	if rep.Files != 112 || rep.Rows != 164531+434 || rep.SkippedRows != 0 {
		t.Errorf("report %+v, want 112 files (111 .plt + labels.txt), %d rows", rep, 164531+434)
	}
	perUser := map[string]int{}
	for _, tr := range ds.Trajectories {
		perUser[tr.UserID]++
		if err := tr.Validate(); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]int{"000": 8, "001": 10, "002": 10, "003": 10, "004": 10, "005": 10, "006": 10, "007": 10, "008": 11, "009": 12, "010": 10}
	for u, n := range want {
		if perUser[u] != n {
			t.Errorf("user %s: %d trajectories, want %d", u, perUser[u], n)
		}
	}
	// First file, first and last points, as in 000/Trajectory/20081023025304.plt.
	tr := ds.Trajectories[0]
	if tr.ID != "000/20081023025304" || tr.UserID != "000" {
		t.Fatalf("first trajectory %q user %q", tr.ID, tr.UserID)
	}
	p := tr.Points[0]
	if p.Lat() != 39.984702 || p.Lon() != 116.318417 || !p.Time.Equal(time.Date(2008, 10, 23, 2, 53, 4, 0, time.UTC)) || math.Abs(p.Alt-492*0.3048) > 1e-9 {
		t.Errorf("first point %+v", p)
	}
	last := tr.Points[len(tr.Points)-1]
	if last.Lat() != 40.009328 || last.Lon() != 116.320887 || !last.Time.Equal(time.Date(2008, 10, 23, 11, 11, 12, 0, time.UTC)) {
		t.Errorf("last point %+v", last)
	}
}

// The sample's user 010 has 10 files from 2007-08-04..2007-09-07, and its
// real labels.txt (434 intervals) has none in that span (its intervals
// jump from 2007-06-26 to 2008-03-28), so no point is labelled.
func TestRealLabelsUser010(t *testing.T) {
	root := sample.GeoLife(t)
	f, err := os.Open(filepath.Join(root, "010", "labels.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ivs, err := ReadLabels(f, f.Name(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ivs) != 434 {
		t.Fatalf("%d intervals, want 434", len(ivs))
	}
	first := Interval{time.Date(2007, 6, 26, 11, 32, 29, 0, time.UTC), time.Date(2007, 6, 26, 11, 40, 29, 0, time.UTC), "bus"}
	if ivs[0] != first {
		t.Errorf("first interval %+v", ivs[0])
	}
	if l := ivs[len(ivs)-1]; l.Mode != "taxi" || !l.Start.Equal(time.Date(2008, 12, 7, 12, 25, 34, 0, time.UTC)) {
		t.Errorf("last interval %+v", l)
	}
	ts, err := LoadUser(filepath.Join(root, "010"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range ts {
		if tr.Modes != nil {
			t.Errorf("%s: unexpected labels", tr.ID)
		}
	}
}

// Attach modes to the real 010 points with intervals placed inside its
// files; expected counts from awk over the same files.
func TestModesAttachedToRealPoints(t *testing.T) {
	root := sample.GeoLife(t)
	dir := filepath.Join(t.TempDir(), "010")
	if err := os.MkdirAll(filepath.Join(dir, "Trajectory"), 0o755); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(root, "010", "Trajectory")
	entries, _ := os.ReadDir(src)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "Trajectory", e.Name()), b, 0o644)
	}
	realLabels, _ := os.ReadFile(filepath.Join(root, "010", "labels.txt"))
	extra := "2007/08/04 03:30:32\t2007/08/04 03:40:00\twalk\r\n" + // 319 points of 20070804033032
		"2007/08/28 17:13:02\t2007/08/28 18:21:43\ttrain\r\n" + // all 2903 points of 20070828171302
		"2007/09/05 17:00:00\t2007/09/05 17:30:00\tcar\r\n" // 742 points of 20070905163053
	os.WriteFile(filepath.Join(dir, "labels.txt"), append(realLabels, extra...), 0o644)

	ts, err := LoadUser(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*traj.Trajectory{}
	counts := map[string]int{}
	for _, tr := range ts {
		byID[tr.ID] = tr
		for i := range tr.Points {
			if m := tr.ModeAt(i); m != "" {
				counts[tr.ID+" "+m]++
			}
		}
	}
	want := map[string]int{"010/20070804033032 walk": 319, "010/20070828171302 train": 2903, "010/20070905163053 car": 742}
	if len(counts) != len(want) {
		t.Errorf("labelled groups %v, want %v", counts, want)
	}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("%s: %d points, want %d", k, counts[k], n)
		}
	}
	at := func(id string, clock string) (string, bool) {
		tr := byID[id]
		for i, p := range tr.Points {
			if p.Time.Format("2006-01-02 15:04:05") == clock {
				return tr.Modes[i], true
			}
		}
		return "", false
	}
	for _, c := range []struct{ id, when, mode string }{
		{"010/20070804033032", "2007-08-04 03:30:32", "walk"}, // interval start, inclusive
		{"010/20070804033032", "2007-08-04 03:39:58", "walk"},
		{"010/20070804033032", "2007-08-04 03:40:00", "walk"}, // interval end, inclusive
		{"010/20070804033032", "2007-08-04 03:40:01", ""},
		{"010/20070804033032", "2007-08-04 03:47:21", ""},
		{"010/20070905163053", "2007-09-05 17:12:43", "car"}, // first point after 17:00 (a gap before)
	} {
		got, ok := at(c.id, c.when)
		if !ok || got != c.mode {
			t.Errorf("%s at %s: mode %q (found %v), want %q", c.id, c.when, got, ok, c.mode)
		}
	}
	if m := byID["010/20070828171302"].Mode; m != "train" {
		t.Errorf("fully labelled trajectory Mode = %q, want train", m)
	}
	if byID["010/20070804033032"].Mode != "" || byID["010/20070805070503"].Modes != nil {
		t.Error("partly/un-labelled trajectories must not get a trajectory mode / per-point labels")
	}
}

const pltHeader = "Geolife trajectory\nWGS 84\nAltitude is in Feet\nReserved 3\n0,2,255,My Track,0,0,2,8421376\n0\n"

func TestBadInput(t *testing.T) {
	for _, c := range []struct{ name, body, want string }{
		{"nan", pltHeader + "NaN,116.3,0,492,39746.19,2008-10-25,04:39:04\n", "x.plt:7: field lat"},
		{"lat", pltHeader + "40.0,116.3,0,492,39746.19,2008-10-25,04:39:04\n95.5,116.3,0,492,39746.19,2008-10-25,04:39:05\n", "x.plt:8: field lat"},
		{"lon", pltHeader + "40.0,181.3,0,492,39746.19,2008-10-25,04:39:04\n", "x.plt:7: field lon"},
		{"lon text", pltHeader + "40.0,abc,0,492,39746.19,2008-10-25,04:39:04\n", "x.plt:7: field lon: value \"abc\""},
		{"date", pltHeader + "40.0,116.3,0,492,39746.19,2008-13-25,04:39:04\n", "x.plt:7: field date"},
		{"time", pltHeader + "40.0,116.3,0,492,39746.19,2008-10-25,4h39\n", "x.plt:7: field time"},
		{"short", pltHeader + "40.0,116.3,0,492\n", "x.plt:7: value"},
		{"empty", "", "x.plt: empty file"},
		{"header", "Geolife trajectory\nWGS 84\n", "x.plt:2: truncated header"},
	} {
		_, err := ReadPLT(strings.NewReader(c.body), "x.plt", nil)
		var pe *parse.Error
		if err == nil || !errors.As(err, &pe) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to contain %q", c.name, err, c.want)
		}
	}
}

func TestSkipBadCounts(t *testing.T) {
	body := pltHeader +
		"40.0,116.3,0,492,39746.19,2008-10-25,04:39:04\n" +
		"95.0,116.3,0,492,39746.19,2008-10-25,04:39:05\n" +
		"40.0,116.3,0,492,39746.19,2008-10-25,xx\n" +
		"40.1,116.4,0,-777,39746.19,2008-10-25,04:39:07\n"
	rep := &parse.Report{SkipBad: true}
	pts, err := ReadPLT(strings.NewReader(body), "x.plt", rep)
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 2 || rep.Rows != 4 || rep.SkippedRows != 2 || rep.ByField["lat"] != 1 || rep.ByField["time"] != 1 {
		t.Fatalf("points %d, report %+v", len(pts), rep)
	}
	if !math.IsNaN(pts[1].Alt) {
		t.Error("altitude -777 must read as unknown (NaN)")
	}
}

func TestFolderErrors(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "missing"), nil); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing folder: %v", err)
	}
	empty := t.TempDir()
	if _, err := Load(empty, nil); err == nil || !strings.Contains(err.Error(), "no trajectories") {
		t.Errorf("empty folder: %v", err)
	}
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "001", "Trajectory"), 0o755)
	os.WriteFile(filepath.Join(root, "001", "Trajectory", "a.plt"), nil, 0o644)
	os.WriteFile(filepath.Join(root, "001", "Trajectory", "b.plt"), []byte(pltHeader+"40.0,116.3,0,492,39746.19,2008-10-25,04:39:04\n"), 0o644)
	if _, err := Load(root, nil); err == nil || !strings.Contains(err.Error(), "a.plt: empty file") {
		t.Errorf("empty file: %v", err)
	}
	rep := &parse.Report{SkipBad: true}
	ds, err := Load(root, rep)
	if err != nil || len(ds.Trajectories) != 1 || rep.SkippedFiles != 1 {
		t.Errorf("skip-bad: %v, report %+v", err, rep)
	}
	os.WriteFile(filepath.Join(root, "001", "labels.txt"), []byte("Start Time\tEnd Time\tTransportation Mode\n2008/10/25 04:00:00\t2008/10/25 04:00\tbus\n"), 0o644)
	os.Remove(filepath.Join(root, "001", "Trajectory", "a.plt"))
	if _, err := Load(root, nil); err == nil || !strings.Contains(err.Error(), "labels.txt:2: field end") {
		t.Errorf("bad labels: %v", err)
	}
}

func FuzzReadPLT(f *testing.F) {
	f.Add([]byte(pltHeader + "40.003152,116.343778,0,492,39746.1937962963,2008-10-25,04:39:04\r\n"))
	f.Add([]byte(pltHeader + "40.0,116.3,0,-777,39746.19,2008-10-25,04:39:04\n1,2,3\n"))
	f.Add([]byte("Geolife"))
	f.Add([]byte(pltHeader + "NaN,Inf,0,1e400,x,2008-02-30,25:61:61\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rows := rowcount.Count(b, HeaderLines, rowcount.NotBlank) // the non-blank lines after the 6 header lines
		for _, skip := range []bool{false, true} {
			rep := &parse.Report{SkipBad: skip}
			pts, err := ReadPLT(bytes.NewReader(b), "fuzz.plt", rep)
			if err != nil {
				continue
			}
			if rep.Rows != rows || len(pts)+rep.SkippedRows != rows {
				t.Fatalf("skip=%v: %d data rows in, %d counted, %d loaded + %d skipped", skip, rows, rep.Rows, len(pts), rep.SkippedRows)
			}
			for _, p := range pts {
				if traj.CheckLonLat(p.Lon(), p.Lat()) != nil {
					t.Fatalf("invalid point accepted: %+v", p)
				}
			}
		}
	})
}

func FuzzReadLabels(f *testing.F) {
	f.Add([]byte("Start Time\tEnd Time\tTransportation Mode\r\n2007/06/26 11:32:29\t2007/06/26 11:40:29\tbus\r\n"))
	f.Add([]byte("2008/03/28 14:52:54\t2008/03/28 15:59:59\ttrain\n\n\t\t\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		// The data rows: the non-blank lines but a first "Start Time…" header.
		rows := rowcount.Count(b, 0, rowcount.NotBlank)
		if ls := rowcount.Lines(b); len(ls) > 0 && bytes.HasPrefix(ls[0], []byte("Start Time")) {
			rows--
		}
		rep := &parse.Report{SkipBad: true}
		ivs, err := ReadLabels(bytes.NewReader(b), "labels.txt", rep)
		if err != nil {
			return
		}
		if rep.Rows != rows || len(ivs)+rep.SkippedRows != rows {
			t.Fatalf("%d data rows in, %d counted, %d loaded + %d skipped", rows, rep.Rows, len(ivs), rep.SkippedRows)
		}
		for i, iv := range ivs {
			if iv.End.Before(iv.Start) || iv.Mode == "" || i > 0 && iv.Start.Before(ivs[i-1].Start) {
				t.Fatalf("bad interval %+v", iv)
			}
		}
	})
}

// BenchmarkReadPLT measures parsing throughput on the largest real file
// (or a synthetic one when the sample is absent).
func BenchmarkReadPLT(b *testing.B) {
	var data []byte
	if root, ok := sample.Dir("geolife"); ok {
		data, _ = os.ReadFile(filepath.Join(root, "010", "Trajectory", "20070805070503.plt"))
	}
	if data == nil {
		var buf bytes.Buffer
		buf.WriteString(pltHeader)
		for i := 0; i < 5000; i++ {
			buf.WriteString("40.003152,116.343778,0,492,39746.1937962963,2008-10-25,04:39:04\r\n")
		}
		data = buf.Bytes()
	}
	b.SetBytes(int64(len(data)))
	var n int
	cpu0 := sample.CPUSeconds()
	for b.Loop() {
		pts, err := ReadPLT(bytes.NewReader(data), "bench.plt", nil)
		if err != nil {
			b.Fatal(err)
		}
		n += len(pts)
	}
	if cpu := sample.CPUSeconds() - cpu0; cpu > 0 {
		b.ReportMetric(float64(n)/cpu, "points/cpu-s")
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "points/s")
}

// BenchmarkLoadSample reads the whole real sample from disk (111 files,
// 164,531 points, labels attached).
func BenchmarkLoadSample(b *testing.B) {
	root, ok := sample.Dir("geolife")
	if !ok {
		b.Skip("GeoLife sample absent")
	}
	n := 0
	cpu0 := sample.CPUSeconds()
	for b.Loop() {
		ds, err := Load(root, nil)
		if err != nil {
			b.Fatal(err)
		}
		n += ds.NumPoints()
	}
	if cpu := sample.CPUSeconds() - cpu0; cpu > 0 {
		b.ReportMetric(float64(n)/cpu, "points/cpu-s")
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "points/s")
}
