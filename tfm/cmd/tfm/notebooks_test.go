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
