package notebook

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const demoCell = `//tfm:mirror tfm/demo/demo.go
import "strings"

// Shout upper-cases s.
func Shout(s string) string { return strings.ToUpper(s) + "!" }
`

// writeMirrorRepo makes a repository with one notebook mirroring tfm/demo/demo.go.
func writeMirrorRepo(t *testing.T, cell, file string) (root, nbPath string) {
	t.Helper()
	root = t.TempDir()
	nbPath = filepath.Join(root, "notebooks", "01_demo.ipynb")
	must(t, os.MkdirAll(filepath.Dir(nbPath), 0o755))
	must(t, os.WriteFile(nbPath, []byte(notebookJSON(cell)), 0o644))
	if file != "" {
		path := filepath.Join(root, "tfm", "demo", "demo.go")
		must(t, os.MkdirAll(filepath.Dir(path), 0o755))
		must(t, os.WriteFile(path, []byte(file), 0o644))
	}
	return root, nbPath
}

func notebookJSON(cells ...string) string {
	var parts []string
	parts = append(parts, `{"cell_type":"markdown","metadata":{},"source":"# Demo"}`)
	for _, c := range cells {
		q := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\t", `\t`).Replace(c)
		parts = append(parts, `{"cell_type":"code","execution_count":null,"metadata":{},"outputs":[],"source":"`+q+`"}`)
	}
	return `{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[` + strings.Join(parts, ",") + `]}`
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

const demoFile = `// Copyright: the course.

// Package demo shouts.
package demo // mirrored

import "strings"

// Shout upper-cases s.
func Shout(s string)  string { return strings.ToUpper(s)+"!" }
`

func TestSyncCheckPassesOnEqualCode(t *testing.T) {
	root, nb := writeMirrorRepo(t, demoCell, demoFile)
	mm, err := Check(root, []string{nb})
	if err != nil || len(mm) != 0 {
		t.Fatalf("Check = %v, %v; want in sync (gofmt and header differences ignored)", mm, err)
	}
}

func TestSyncCheckFailsOnEditedMirrorAndWriteFixesIt(t *testing.T) {
	edited := strings.Replace(demoFile, `+"!"`, `+"?"`, 1)
	root, nb := writeMirrorRepo(t, demoCell, edited)
	mm, err := Check(root, []string{nb})
	if err != nil {
		t.Fatal(err)
	}
	if len(mm) != 1 {
		t.Fatalf("Check found %d mismatches, want 1", len(mm))
	}
	msg := mm[0].String()
	for _, want := range []string{"01_demo.ipynb cell 2 (code cell 1)", "tfm/demo/demo.go", `"?"`} {
		if !strings.Contains(msg, want) {
			t.Errorf("mismatch %q does not name %q", msg, want)
		}
	}
	changed, err := Write(root, []string{nb})
	if err != nil || len(changed) != 1 || changed[0] != "tfm/demo/demo.go" {
		t.Fatalf("Write = %v, %v", changed, err)
	}
	if mm, err := Check(root, []string{nb}); err != nil || len(mm) != 0 {
		t.Fatalf("after Write: %v, %v", mm, err)
	}
	got, _ := os.ReadFile(filepath.Join(root, "tfm", "demo", "demo.go"))
	if !strings.HasPrefix(string(got), "// Copyright: the course.\n\n// Package demo shouts.\npackage demo // mirrored\n") {
		t.Errorf("Write lost the file's header:\n%s", got)
	}
	if again, _ := Write(root, []string{nb}); len(again) != 0 {
		t.Errorf("second Write changed %v", again)
	}
}

func TestSyncWriteCreatesMissingFile(t *testing.T) {
	root, nb := writeMirrorRepo(t, demoCell, "")
	mm, _ := Check(root, []string{nb})
	if len(mm) != 1 || !strings.Contains(mm[0].Reason, "missing") {
		t.Fatalf("Check = %v, want file missing", mm)
	}
	if _, err := Write(root, []string{nb}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(root, "tfm", "demo", "demo.go"))
	if !strings.Contains(string(got), "\npackage demo\n") || !strings.Contains(string(got), "notebooks/01_demo.ipynb") {
		t.Errorf("new file:\n%s", got)
	}
}

func TestMirrorRejectsBadCells(t *testing.T) {
	for name, cell := range map[string]string{
		"gonb command": "//tfm:mirror tfm/demo/demo.go\nfunc F() {}\n%%\nF()\n",
		"no go file":   "//tfm:mirror tfm/demo/\nfunc F() {}\n",
		"escapes repo": "//tfm:mirror ../x.go\nfunc F() {}\n",
	} {
		root, nb := writeMirrorRepo(t, cell, demoFile)
		if _, err := Check(root, []string{nb}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	root := t.TempDir()
	nb := filepath.Join(root, "two.ipynb")
	must(t, os.WriteFile(nb, []byte(notebookJSON(demoCell, demoCell)), 0o644))
	if _, err := Check(root, []string{nb}); err == nil || !strings.Contains(err.Error(), "same file") {
		t.Errorf("two cells, one file: err = %v", err)
	}
}

// The course's own mirrors must be in sync (this is what CI checks).
func TestCourseMirrorsInSync(t *testing.T) {
	root, err := RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	nbs, err := CourseNotebooks(root)
	if err != nil {
		t.Fatal(err)
	}
	mm, err := Check(root, nbs)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mm {
		t.Errorf("%s", m)
	}
}
