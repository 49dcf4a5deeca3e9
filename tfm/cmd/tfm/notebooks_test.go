package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNotebooksSyncCheckThenWrite(t *testing.T) {
	root := t.TempDir()
	nb := filepath.Join(root, "notebooks", "05_x.ipynb")
	file := filepath.Join(root, "tfm", "x", "x.go")
	os.MkdirAll(filepath.Dir(nb), 0o755)
	os.MkdirAll(filepath.Dir(file), 0o755)
	cell := `//tfm:mirror tfm/x/x.go\nfunc Twice(v int) int { return 2 * v }\n`
	os.WriteFile(nb, []byte(`{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[{"cell_type":"code","metadata":{},"outputs":[],"source":"`+cell+`"}]}`), 0o644)
	os.WriteFile(file, []byte("package x\n\nfunc Twice(v int) int { return 3 * v }\n"), 0o644)

	out, err := capture(t, "notebooks", "sync", "--check", "--json", "--root", root, nb)
	if err == nil {
		t.Fatal("sync --check passed on an edited mirror")
	}
	var res struct {
		OK         bool     `json:"ok"`
		Mismatches []string `json:"mismatches"`
	}
	lastJSONInto(t, out, &res)
	if res.OK || len(res.Mismatches) != 1 || !strings.Contains(res.Mismatches[0], "05_x.ipynb cell 1") || !strings.Contains(res.Mismatches[0], "tfm/x/x.go") {
		t.Fatalf("mismatches = %v", res.Mismatches)
	}
	if _, err := capture(t, "notebooks", "sync", "--write", "--root", root, nb); err != nil {
		t.Fatal(err)
	}
	if _, err := capture(t, "notebooks", "sync", "--check", "--root", root, nb); err != nil {
		t.Fatalf("after --write: %v", err)
	}
	if b, _ := os.ReadFile(file); !strings.Contains(string(b), "return 2 * v") {
		t.Errorf("file not updated:\n%s", b)
	}
	if _, err := capture(t, "notebooks", "sync", "--check", "--write", "--root", root, nb); err == nil {
		t.Error("--check with --write accepted")
	}
}

// A declaration mirror: --check names the declaration, --write copies file -> cell.
func TestNotebooksSyncDeclarationMirror(t *testing.T) {
	root := t.TempDir()
	nb := filepath.Join(root, "notebooks", "06_y.ipynb")
	file := filepath.Join(root, "tfm", "y", "y.go")
	os.MkdirAll(filepath.Dir(nb), 0o755)
	os.MkdirAll(filepath.Dir(file), 0o755)
	cell := `//tfm:mirror tfm/y/y.go:Scale,Scale.Apply\ntype Scale float64\n\n// Apply scales v.\nfunc (s *Scale) Apply(v float64) float64 { return float64(*s) + v }\n`
	os.WriteFile(nb, []byte(`{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[{"cell_type":"code","metadata":{},"outputs":[],"source":"`+cell+`"}]}`), 0o644)
	src := "package y\n\nimport \"math\"\n\ntype Scale float64\n\n// Apply scales v.\nfunc (s *Scale) Apply(v float64) float64 { return float64(*s) * v }\n\nfunc Other() float64 { return math.Pi }\n"
	os.WriteFile(file, []byte(src), 0o644)

	out, err := capture(t, "notebooks", "sync", "--check", "--json", "--root", root, nb)
	if err == nil {
		t.Fatal("sync --check passed on an edited declaration")
	}
	var res struct {
		Mismatches []string `json:"mismatches"`
	}
	lastJSONInto(t, out, &res)
	if len(res.Mismatches) != 1 || !strings.Contains(res.Mismatches[0], "06_y.ipynb cell 1") ||
		!strings.Contains(res.Mismatches[0], "tfm/y/y.go:Scale,Scale.Apply") || !strings.Contains(res.Mismatches[0], "Scale.Apply differs") {
		t.Fatalf("mismatches = %v", res.Mismatches)
	}
	if _, err := capture(t, "notebooks", "sync", "--write", "--root", root, nb); err != nil {
		t.Fatal(err)
	}
	if _, err := capture(t, "notebooks", "sync", "--check", "--root", root, nb); err != nil {
		t.Fatalf("after --write: %v", err)
	}
	if b, _ := os.ReadFile(file); string(b) != src {
		t.Errorf("--write changed the file of a declaration mirror:\n%s", b)
	}
	if b, _ := os.ReadFile(nb); !strings.Contains(string(b), `float64(*s) * v`) || strings.Contains(string(b), "Other") {
		t.Errorf("cell not rewritten from the file:\n%s", b)
	}
}

func TestNotebooksRunNamesMissingKernel(t *testing.T) {
	_, err := capture(t, "notebooks", "run", "--kernel", "tfm_no_such_kernel", "--out", t.TempDir(), "x.ipynb")
	if err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("err = %v, want a message naming what is missing", err)
	}
}

func TestNotebooksHelp(t *testing.T) {
	for _, sub := range []string{"run", "sync"} {
		if _, err := capture(t, "notebooks", sub, "--help"); err != errHelp {
			t.Errorf("%s --help: %v", sub, err)
		}
	}
}
