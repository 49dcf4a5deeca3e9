package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runNotebooksCapture(t *testing.T, args ...string) (string, error) {
	t.Helper()
	r, w, _ := os.Pipe()
	old := os.Stdout
	os.Stdout = w
	err := commands["notebooks"].Run(args)
	w.Close()
	os.Stdout = old
	b, _ := io.ReadAll(r)
	return string(b), err
}

func TestNotebooksSyncCheckThenWrite(t *testing.T) {
	root := t.TempDir()
	nb := filepath.Join(root, "notebooks", "05_x.ipynb")
	file := filepath.Join(root, "tfm", "x", "x.go")
	os.MkdirAll(filepath.Dir(nb), 0o755)
	os.MkdirAll(filepath.Dir(file), 0o755)
	cell := `//tfm:mirror tfm/x/x.go\nfunc Twice(v int) int { return 2 * v }\n`
	os.WriteFile(nb, []byte(`{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[{"cell_type":"code","metadata":{},"outputs":[],"source":"`+cell+`"}]}`), 0o644)
	os.WriteFile(file, []byte("package x\n\nfunc Twice(v int) int { return 3 * v }\n"), 0o644)

	out, err := runNotebooksCapture(t, "sync", "--check", "--json", "--root", root, nb)
	if err == nil {
		t.Fatal("sync --check passed on an edited mirror")
	}
	var res struct {
		OK         bool     `json:"ok"`
		Mismatches []string `json:"mismatches"`
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		t.Fatalf("last stdout line is not JSON: %q", out)
	}
	if res.OK || len(res.Mismatches) != 1 || !strings.Contains(res.Mismatches[0], "05_x.ipynb cell 1") || !strings.Contains(res.Mismatches[0], "tfm/x/x.go") {
		t.Fatalf("mismatches = %v", res.Mismatches)
	}
	if _, err := runNotebooksCapture(t, "sync", "--write", "--root", root, nb); err != nil {
		t.Fatal(err)
	}
	if _, err := runNotebooksCapture(t, "sync", "--check", "--root", root, nb); err != nil {
		t.Fatalf("after --write: %v", err)
	}
	if b, _ := os.ReadFile(file); !strings.Contains(string(b), "return 2 * v") {
		t.Errorf("file not updated:\n%s", b)
	}
	if _, err := runNotebooksCapture(t, "sync", "--check", "--write", "--root", root, nb); err == nil {
		t.Error("--check with --write accepted")
	}
}

func TestNotebooksRunNamesMissingKernel(t *testing.T) {
	_, err := runNotebooksCapture(t, "run", "--kernel", "tfm_no_such_kernel", "--out", t.TempDir(), "x.ipynb")
	if err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("err = %v, want a message naming what is missing", err)
	}
}

func TestNotebooksHelp(t *testing.T) {
	for _, sub := range []string{"run", "sync"} {
		if _, err := runNotebooksCapture(t, sub, "--help"); err != errHelp {
			t.Errorf("%s --help: %v", sub, err)
		}
	}
}
