package notebook

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfm-course/course/tfm/output"
)

// requireToolchain skips (or, with TFM_REQUIRE_NOTEBOOKS=1, fails) when Jupyter/GoNB are missing.
func requireToolchain(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("skipping notebook execution in -short mode")
	}
	if err := CheckToolchain(DefaultKernel); err != nil {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("%s=1 but %v", RequireEnv, err)
		}
		t.Skipf("skipping notebook execution: %v (set %s=1 to make this a failure)", err, RequireEnv)
	}
}

func TestRunnerPassesGoodNotebook(t *testing.T) {
	requireToolchain(t)
	out := t.TempDir()
	var log strings.Builder
	res, err := Run(context.Background(), []string{"testdata/good.ipynb"}, Options{OutDir: out, Quick: true, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if err := Summarize(res); err != nil {
		t.Fatalf("good notebook failed:\n%v\n%s", err, log.String())
	}
	for _, f := range []string{"good.ipynb", "good.html"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("runner did not write %s: %v", f, err)
		}
	}
	nb, err := Read(res[0].Executed)
	if err != nil {
		t.Fatal(err)
	}
	if s := allText(nb); !strings.Contains(s, "quick mode: true 42") || !strings.Contains(s, "--- PASS: TestDouble") {
		t.Errorf("executed notebook lacks the expected outputs:\n%s", s)
	}
	if !strings.Contains(log.String(), "seconds") || !strings.Contains(log.String(), "good.ipynb") {
		t.Errorf("no time table in the log:\n%s", log.String())
	}
}

func TestRunnerFailsNamingTheCell(t *testing.T) {
	requireToolchain(t)
	paths := []string{"testdata/panic.ipynb", "testdata/failtest.ipynb", "testdata/compile.ipynb"}
	res, err := Run(context.Background(), paths, Options{OutDir: t.TempDir(), Quick: true, NoHTML: true, Log: &strings.Builder{}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{ // notebook -> substring naming the failing cell and cause
		"testdata/panic.ipynb":    "panic.ipynb: cell 2 (code cell 2",
		"testdata/failtest.ipynb": "failtest.ipynb: cell 1 (code cell 1",
		"testdata/compile.ipynb":  "compile.ipynb: cell 2 (code cell 2",
	}
	for _, r := range res {
		if !r.Failed() {
			t.Errorf("%s passed, want a failure", r.Notebook)
			continue
		}
		msg := Summarize([]Result{r}).Error()
		if !strings.Contains(msg, want[r.Notebook]) {
			t.Errorf("%s: failure does not name the cell (%q):\n%s", r.Notebook, want[r.Notebook], msg)
		}
	}
	if len(res) != 3 {
		t.Fatalf("%d results for 3 notebooks", len(res))
	}
}

// TestCourseNotebooks runs every notebooks/*.ipynb in quick mode (one Jupyter run each).
// CI runs them through `tfm notebooks run` instead and sets TFM_NOTEBOOKS_SEPARATE=1 to avoid running them twice.
func TestCourseNotebooks(t *testing.T) {
	if os.Getenv("TFM_NOTEBOOKS_SEPARATE") == "1" {
		t.Skip("TFM_NOTEBOOKS_SEPARATE=1: the course notebooks run in a separate `tfm notebooks run --quick` step")
	}
	requireToolchain(t)
	root, err := RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	nbs, err := CourseNotebooks(root)
	if err != nil || len(nbs) == 0 {
		t.Fatalf("no course notebooks: %v", err)
	}
	out := os.Getenv("TFM_NOTEBOOK_OUT")
	if out == "" {
		out = t.TempDir()
	}
	var log strings.Builder
	res, err := Run(context.Background(), nbs, Options{OutDir: out, Quick: true, NoHTML: true, Log: &log})
	t.Log(log.String())
	if err != nil {
		t.Fatal(err)
	}
	if err := Summarize(res); err != nil {
		t.Fatal(err)
	}
}

func allText(nb *Notebook) string {
	var b strings.Builder
	for _, c := range nb.Cells {
		for _, o := range c.Outputs {
			b.WriteString(string(o.Text))
		}
	}
	return b.String()
}

// The runner refuses, before running anything, to replace a file in its
// output folder that is not its own output (here: the source notebooks
// themselves, with --out pointing at their folder).
func TestRunRefusesToReplaceOtherFiles(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "good.ipynb")
	b, err := os.ReadFile("testdata/good.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(src, b, 0o644)
	_, err = Run(context.Background(), []string{src}, Options{OutDir: dir, NoHTML: true, Log: &strings.Builder{}})
	if !errors.Is(err, output.ErrExists) || !strings.Contains(err.Error(), src) {
		t.Fatalf("err = %v, want one naming %s", err, src)
	}
	if after, _ := os.ReadFile(src); string(after) != string(b) {
		t.Fatal("the source notebook was changed")
	}
}

// A kernel that dies is reported naming the cell it died in, not as a
// Python traceback.
func TestRunnerNamesTheCellWhereTheKernelDied(t *testing.T) {
	requireToolchain(t)
	res, err := Run(context.Background(), []string{"testdata/deadkernel.ipynb"}, Options{OutDir: t.TempDir(), NoHTML: true, Log: &strings.Builder{}})
	if err != nil {
		t.Fatal(err)
	}
	if !res[0].Failed() {
		t.Fatal("a dead kernel passed")
	}
	msg := Summarize(res).Error()
	for _, want := range []string{`deadkernel.ipynb: cell 3 (code cell 2, "!kill -9 $PPID # the kernel dies here")`, "the kernel died while running this cell"} {
		if !strings.Contains(msg, want) {
			t.Errorf("failure lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "Traceback") {
		t.Errorf("a Python traceback in the report:\n%s", msg)
	}
}
