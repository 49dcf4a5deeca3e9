package parse

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestListFilesAndSkipFile(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"b.GPX", "a.gpx", "c.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.Mkdir(filepath.Join(dir, "d.gpx"), 0o755) // a folder is not a file
	got, err := ListFiles(dir, ".gpx")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{filepath.Join(dir, "a.gpx"), filepath.Join(dir, "b.GPX")}; !reflect.DeepEqual(got, want) {
		t.Fatalf("ListFiles = %v, want %v", got, want)
	}
	if _, err := ListFiles(filepath.Join(dir, "missing"), ".gpx"); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("missing folder: %v", err)
	}

	rep := &Report{}
	n, err := OpenAndRead(filepath.Join(dir, "c.txt"), rep, func(r io.Reader) (int, error) { b, err := io.ReadAll(r); return len(b), err })
	if n != 1 || err != nil || rep.Files != 1 {
		t.Fatalf("OpenAndRead = %d, %v (files %d)", n, err, rep.Files)
	}

	bad := errors.New("broken")
	if err := (&Report{}).SkipFile("x.gpx", bad); err == nil || err.Error() != "x.gpx: broken" {
		t.Fatalf("without --skip-bad: %v", err)
	}
	skip := &Report{SkipBad: true}
	if err := skip.SkipFile("x.gpx", Errorf("x.gpx", 3, "lat", "95", "out of range")); err != nil || skip.SkippedFiles != 1 {
		t.Fatalf("with --skip-bad: %v, skipped %d", err, skip.SkippedFiles)
	}
}
