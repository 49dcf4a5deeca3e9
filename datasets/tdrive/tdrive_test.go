package tdrive

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tfm-course/course/datasets/internal/rowcount"
	"github.com/tfm-course/course/datasets/parse"
)

const taxi1 = "1,2008-02-02 15:36:08,116.51172,39.92123\n1,2008-02-02 15:46:08,116.51135,39.93883\r\n1,2008-02-02 15:56:08,116.51627,39.91034\n"

func TestLoadFolder(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "10.txt"), []byte("10,2008-02-03 00:00:00,116.1,39.9\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "1.txt"), []byte(taxi1), 0o644)
	os.WriteFile(filepath.Join(dir, "2.txt"), []byte("2,2008-02-02 13:00:00,116.2,39.8\n2,2008-02-02 13:05:00,116.3,39.9\n"), 0o644)
	ds, err := Load(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Trajectories) != 3 || ds.NumPoints() != 6 {
		t.Fatalf("%d trajectories %d points", len(ds.Trajectories), ds.NumPoints())
	}
	a := ds.Trajectories[0]
	if a.ID != "1" || a.UserID != "1" || ds.Trajectories[2].ID != "10" {
		t.Fatalf("order/ids: %s %s", a.ID, ds.Trajectories[2].ID)
	}
	if p := a.Points[1]; p.Lon() != 116.51135 || p.Lat() != 39.93883 || !p.Time.Equal(time.Date(2008, 2, 2, 15, 46, 8, 0, time.UTC)) {
		t.Errorf("point 1 %+v", p)
	}
}

func TestBadInput(t *testing.T) {
	for _, c := range []struct{ name, body, want string }{
		{"nan", "1,2008-02-02 15:36:08,116.5,NaN\n", "1.txt:1: field lat"},
		{"lat", taxi1 + "1,2008-02-02 15:36:08,116.5,90.5\n", "1.txt:4: field lat"},
		{"lon", "1,2008-02-02 15:36:08,-180.5,39.9\n", "1.txt:1: field lon"},
		{"time", "1,2008-02-02 25:36:08,116.5,39.9\n", "1.txt:1: field datetime"},
		{"short", "1,2008-02-02 15:36:08,116.5\n", "1.txt:1: value"},
		{"id", taxi1 + "2,2008-02-02 15:36:08,116.5,39.9\n", "1.txt:4: field id"},
		{"empty", "", "1.txt: empty file"},
	} {
		_, err := Read(strings.NewReader(c.body), "1.txt", nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := Load(filepath.Join(t.TempDir(), "nope"), nil); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("missing: %v", err)
	}
	if _, err := Load(t.TempDir(), nil); err == nil || !strings.Contains(err.Error(), "no trajectories") {
		t.Errorf("empty folder: %v", err)
	}
}

func TestSkipBad(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "1.txt"), []byte(taxi1+"1,bad,116.5,39.9\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "2.txt"), nil, 0o644) // real T-Drive has empty files
	rep := &parse.Report{SkipBad: true}
	ds, err := Load(dir, rep)
	if err != nil {
		t.Fatal(err)
	}
	if ds.NumPoints() != 3 || rep.SkippedRows != 1 || rep.SkippedFiles != 1 || rep.ByField["datetime"] != 1 {
		t.Fatalf("%d points, %+v", ds.NumPoints(), rep)
	}
}

func FuzzRead(f *testing.F) {
	f.Add([]byte(taxi1))
	f.Add([]byte("1,2008-02-02 15:36:08,116.5\n,,,\n\n"))
	f.Add([]byte("1,2008-02-29 23:59:60,1e2,-0\n"))
	f.Add([]byte("1,2008-02-02 15:36:08,116.51172,39.92123\n1,2008-02-02 15:46:08,116.51135,3"))
	f.Add([]byte("\ufeff2,2008-02-02 15:36:08,116.51172,39.92123\n2,2008-02-02 15:46:08,116.51135,39."))
	f.Fuzz(func(t *testing.T, b []byte) {
		rows := rowcount.Count(b, 0, rowcount.NotBlank)
		rep := &parse.Report{SkipBad: true}
		tr, err := Read(bytes.NewReader(b), "fuzz.txt", rep)
		if err != nil {
			return
		}
		if err := tr.Validate(); err != nil {
			t.Fatal(err)
		}
		if rep.Rows != rows || len(tr.Points)+rep.SkippedRows != rows {
			t.Fatalf("%d data rows in, %d counted, %d loaded + %d skipped", rows, rep.Rows, len(tr.Points), rep.SkippedRows)
		}
	})
}
