package output

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWriteFileRefusesToReplace(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "trajectories.csv")
	os.WriteFile(p, []byte("mine\n"), 0o644)
	err := WriteFile(p, []byte("new\n"), false)
	if !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("err = %v, want ErrExists naming %s and --force", err, p)
	}
	if got := read(t, p); got != "mine\n" {
		t.Fatalf("the user's file was changed: %q", got)
	}
	if err := WriteFile(p, []byte("new\n"), true); err != nil {
		t.Fatal(err)
	}
	if got := read(t, p); got != "new\n" {
		t.Fatalf("with force: %q", got)
	}
	if err := WriteFile(filepath.Join(dir, "sub", "x.txt"), []byte("x"), false); err != nil {
		t.Fatalf("missing parent folder: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

// A failed write leaves neither a half file nor a temporary one, and the
// old file untouched.
func TestWriteWithFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.csv")
	os.WriteFile(p, []byte("old"), 0o644)
	boom := errors.New("boom")
	err := WriteWith(p, true, func(w io.Writer) error {
		io.WriteString(w, "half")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if got := read(t, p); got != "old" {
		t.Fatalf("file = %q", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("left behind: %v", entries)
	}
}

func TestCheckFile(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "b"), nil, 0o644)
	if err := CheckFile(filepath.Join(dir, "b"), false); !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), filepath.Join(dir, "b")) {
		t.Fatalf("CheckFile: %v", err)
	}
	if CheckFile(filepath.Join(dir, "b"), true) != nil || CheckFile(filepath.Join(dir, "a"), false) != nil {
		t.Fatal("CheckFile refused a free path")
	}
}

func TestCreateCommitAbort(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "m.csv")
	f, err := Create(p, false)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(f, "x")
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Fatal("visible before Commit")
	}
	// Someone else creates the file meanwhile: Commit must not replace it.
	os.WriteFile(p, []byte("theirs"), 0o644)
	if err := f.Commit(); !errors.Is(err, ErrExists) {
		t.Fatalf("Commit over a new file: %v", err)
	}
	if got := read(t, p); got != "theirs" {
		t.Fatalf("file = %q", got)
	}
	g, _ := Create(filepath.Join(dir, "n.csv"), false)
	io.WriteString(g, "y")
	g.Abort()
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("after Abort: %v", entries)
	}
}

// A rerun into the same folder replaces its own unchanged files; a file of
// the user's, or one of ours the user edited, needs force.
func TestDirReplacesOnlyItsOwnUnchangedFiles(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "mine.csv"), []byte("mine"), 0o644)
	d, err := OpenDir(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Check("a.csv", "b.csv"); err != nil {
		t.Fatal(err)
	}
	if err := d.Check("a.csv", "mine.csv"); !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), "mine.csv") {
		t.Fatalf("user's file: %v", err)
	}
	if err := d.WriteFile("a.csv", []byte("1")); err != nil {
		t.Fatal(err)
	}
	if err := d.WriteFile("b.csv", []byte("2")); err != nil {
		t.Fatal(err)
	}
	again, _ := OpenDir(dir, false) // the next run
	if err := again.WriteFile("a.csv", []byte("1 again")); err != nil {
		t.Fatalf("rerun over our own file: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "b.csv"), []byte("edited by the user"), 0o644)
	third, _ := OpenDir(dir, false)
	if err := third.Check("a.csv"); err != nil {
		t.Fatalf("our rewritten file: %v", err)
	}
	if err := third.WriteFile("b.csv", []byte("2")); !errors.Is(err, ErrExists) {
		t.Fatalf("edited file replaced: %v", err)
	}
	if got := read(t, filepath.Join(dir, "b.csv")); got != "edited by the user" {
		t.Fatalf("b.csv = %q", got)
	}
	forced, _ := OpenDir(dir, true)
	if err := forced.WriteFile("mine.csv", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenDir(filepath.Join(dir, "a.csv"), false); err == nil {
		t.Fatal("a file as the folder")
	}
}
