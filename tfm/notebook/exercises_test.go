package notebook

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func readFixture(t *testing.T, path string) (string, *Notebook) {
	t.Helper()
	root, err := RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	nb, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return root, nb
}

func TestExercisesFixture(t *testing.T) {
	root, nb := readFixture(t, "testdata/exercise.ipynb")
	exs, bad := CheckExercises(root, nb)
	if len(bad) > 0 {
		t.Fatalf("fixture has problems:\n%s", strings.Join(bad, "\n"))
	}
	if len(exs) != 2 || exs[0].ID != "1.1" || exs[1].ID != "1.2" || exs[0].Cell != 4 || exs[0].Check != 5 || exs[1].Tests[0] != "TestExShout" {
		t.Fatalf("exercises = %+v", exs)
	}
	code, err := solutionCellCode(root, exs[1])
	if err != nil {
		t.Fatal(err)
	}
	if want := "import (\n\t\"strings\"\n)\n\n// Shout upper-cases s and adds \"!\".\nfunc Shout(s string) string { return strings.ToUpper(s) + \"!\" }"; code != want {
		t.Errorf("solution cell of 1.2:\n%s\nwant:\n%s", code, want)
	}
	if code, _ := solutionCellCode(root, exs[0]); strings.Contains(code, "import") {
		t.Errorf("solution cell of 1.1 imports what it does not use:\n%s", code)
	}
}

func TestCheckExercisesFindsBrokenOnes(t *testing.T) {
	root, nb := readFixture(t, "testdata/exercise.ipynb")
	edit := func(cell int, from, to string) *Notebook {
		c := *nb
		c.Cells = append([]Cell(nil), nb.Cells...)
		c.Cells[cell].Source = Text(strings.Replace(string(c.Cells[cell].Source), from, to, 1))
		return &c
	}
	for name, tc := range map[string]struct {
		nb   *Notebook
		want string
	}{
		"check differs":     {edit(5, "want 42", "want 43"), "exercise 1.1: check cell 6 differs from the tests in tfm/notebook/testdata/exercises/solution_test.go at line 3"},
		"no %test":          {edit(5, "%test", ""), "does not run %test"},
		"stub renamed":      {edit(4, "func Double(", "func Twice("), "exercise cell 5 does not declare Double"},
		"solution missing":  {edit(4, ":Double", ":Triple"), "Triple is not a top-level declaration"},
		"no check cell":     {edit(5, "//tfm:check 1.1", "//tfm:check 1.3"), "exercise 1.1: exercise cell 5 has no check cell"},
		"no exercise cell":  {edit(4, "//tfm:exercise 1.1", "//tfm:exercise 1.4"), "exercise 1.1: check cell 6 has no exercise cell"},
		"marker without id": {edit(4, "1.1 ", ""), "want //tfm:exercise ID PATH.go:Name"},
		"clash":             {edit(2, "%%\nfmt.Println(\"setup ok\")", "func Double(x int) int { return x + x }"), "Double is also declared by cell 3 of the chapter"},
	} {
		_, bad := CheckExercises(root, tc.nb)
		if msg := strings.Join(bad, "\n"); !strings.Contains(msg, tc.want) {
			t.Errorf("%s: problems %q, want one containing %q", name, msg, tc.want)
		}
	}
}

// executed returns the fixture with outputs set on its check cells.
func executed(t *testing.T, out1, out2 string) *Notebook {
	_, nb := readFixture(t, "testdata/exercise.ipynb")
	nb.Cells[5].Outputs = checkOutputs(out1)
	nb.Cells[7].Outputs = checkOutputs(out2)
	return nb
}

// checkOutputs are a %test cell's outputs as GoNB sends them: the test's
// output on stdout and, when the test binary failed, its exit line on
// stderr.
func checkOutputs(out string) []Output {
	stdout, failed := strings.CutSuffix(out, "exit status 1\n")
	outs := []Output{{OutputType: "stream", Name: "stdout", Text: Text(stdout)}}
	if failed {
		outs = append(outs, Output{OutputType: "stream", Name: "stderr", Text: Text("exit status 1\n")})
	}
	return outs
}

const (
	failOut = "=== RUN   TestExDouble\n    main_test.go:3: Double(21) = 0, want 42\n--- FAIL: TestExDouble (0.00s)\nFAIL\nexit status 1\n"
	passOut = "=== RUN   TestExShout\n--- PASS: TestExShout (0.00s)\nPASS\n"
)

func TestExerciseOutcomes(t *testing.T) {
	// Course run: failing checks are exercises to solve, not problems.
	nb := executed(t, failOut, failOut)
	probs, outs := exerciseOutcomes(nb, Inspect(nb), false)
	if len(probs) != 0 || len(outs) != 2 || outs[0].Passed || outs[1].Passed {
		t.Errorf("unsolved course run: problems %v, outcomes %+v", probs, outs)
	}
	if note := exerciseNote(Result{Notebook: "x.ipynb", Exercises: outs}, false); !strings.Contains(note, "2 exercises to solve") {
		t.Errorf("note %q", note)
	}
	// A check that passes as shipped is a problem, and other failures stay problems.
	nb = executed(t, failOut, passOut)
	nb.Cells[2].Outputs = []Output{{OutputType: "stream", Name: "stderr", Text: "panic: boom\n\ngoroutine 1 [running]:\nmain.main()\nexit status 2\n"}}
	probs, _ = exerciseOutcomes(nb, Inspect(nb), false)
	if msg := Summarize([]Result{{Problems: probs}}); msg == nil || !strings.Contains(msg.Error(), "exercise 1.2: the check passes as shipped") ||
		!strings.Contains(msg.Error(), "panic: boom") || strings.Contains(msg.Error(), "--- FAIL") {
		t.Errorf("problems: %v", msg)
	}
	// Solutions run: every check must pass.
	nb = executed(t, failOut, passOut)
	probs, outs = exerciseOutcomes(nb, Inspect(nb), true)
	if msg := Summarize([]Result{{Problems: probs}}); msg == nil || !strings.Contains(msg.Error(), "exercise 1.1: the reference solution fails its check") ||
		!strings.Contains(msg.Error(), "--- FAIL: TestExDouble") || strings.Contains(msg.Error(), "1.2") {
		t.Errorf("solutions run problems: %v", msg)
	}
	if note := exerciseNote(Result{Notebook: "x", Exercises: outs}, true); !strings.Contains(note, "pass 1 of 2") {
		t.Errorf("note %q", note)
	}
	// A check that ran no test (e.g. the cell was never executed) is a problem in both runs.
	nb = executed(t, "", passOut)
	for _, sol := range []bool{false, true} {
		if probs, _ := exerciseOutcomes(nb, Inspect(nb), sol); len(probs) == 0 || !strings.Contains(probs[0].Reason, "ran no test") {
			t.Errorf("solutions=%v: problems %v, want 'ran no test'", sol, probs)
		}
	}
}

func TestSolutionsNotebook(t *testing.T) {
	root, _ := readFixture(t, "testdata/exercise.ipynb")
	dir := t.TempDir()
	src, _ := os.ReadFile("testdata/exercise.ipynb")
	p := filepath.Join(dir, "exercise.ipynb")
	os.WriteFile(p, src, 0o644)
	g, err := solutionsNotebook(root, p)
	if err != nil {
		t.Fatal(err)
	}
	if g != filepath.Join(dir, "exercise.solutions.ipynb") {
		t.Errorf("wrote %s", g)
	}
	nb, err := Read(g)
	if err != nil {
		t.Fatal(err)
	}
	var firsts []string
	for _, c := range nb.Cells {
		firsts = append(firsts, firstLine(string(c.Source)))
	}
	want := []string{"!*rm -f go.work", "// reference solution of exercise 1.1", "//tfm:check 1.1", "// reference solution of exercise 1.2", "//tfm:check 1.2"}
	if len(firsts) != len(want) {
		t.Fatalf("cells %q, want %q", firsts, want)
	}
	for i := range want {
		if !strings.HasPrefix(firsts[i], want[i]) {
			t.Errorf("cell %d starts %q, want %q", i+1, firsts[i], want[i])
		}
	}
	if !strings.Contains(string(nb.Cells[3].Source), "return strings.ToUpper(s) + \"!\"") {
		t.Errorf("solution cell:\n%s", nb.Cells[3].Source)
	}
}

// courseExerciseMin is how many checked exercises every chapter after the setup chapter has.
const courseExerciseMin = 2

// TestCourseExercises: every chapter 01–12 ends with ≥ 2 exercises, each with
// a %test check cell mirroring notebooks/solutions/chNN's tests and a reference
// solution there (`go test ./notebooks/solutions/...` checks the solutions).
func TestCourseExercises(t *testing.T) {
	root, err := RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	nbs, err := CourseNotebooks(root)
	if err != nil {
		t.Fatal(err)
	}
	chapter := regexp.MustCompile(`^(\d\d)_`)
	seen := 0
	for _, p := range nbs {
		name := strings.TrimSuffix(filepath.Base(p), ".ipynb")
		m := chapter.FindStringSubmatch(name)
		if m == nil || m[1] == "00" {
			continue
		}
		seen++
		nb, err := Read(p)
		if err != nil {
			t.Fatal(err)
		}
		exs, bad := CheckExercises(root, nb)
		for _, b := range bad {
			t.Error(b)
		}
		if len(exs) < courseExerciseMin {
			t.Errorf("%s has %d exercises, want at least %d (cells starting %sID PATH.go:Name and %sID PATH_test.go:TestName)",
				name, len(exs), courseExerciseMin, ExerciseMarker, CheckMarker)
		}
		for _, e := range exs {
			if want := "notebooks/solutions/ch" + m[1] + "/"; !strings.HasPrefix(e.File, want) || !strings.HasPrefix(e.TestFile, want) {
				t.Errorf("%s exercise %s: solution %s and tests %s should be in %s", name, e.ID, e.File, e.TestFile, want)
			}
			if !strings.HasPrefix(e.ID, strings.TrimLeft(m[1], "0")+".") {
				t.Errorf("%s exercise %s: IDs of chapter %s are %s.N", name, e.ID, m[1], strings.TrimLeft(m[1], "0"))
			}
		}
	}
	if seen < 12 {
		t.Errorf("found %d chapters after the setup chapter, want 12", seen)
	}
}

// TestRunnerExercises runs the fixture through Jupyter: as shipped its two
// checks fail and the run passes; one solved as shipped is a failure; the
// solutions run passes every check.
func TestRunnerExercises(t *testing.T) {
	requireToolchain(t)
	out := t.TempDir()
	var log strings.Builder
	res, err := Run(context.Background(), []string{"testdata/exercise.ipynb", "testdata/exercise_solved.ipynb"}, Options{OutDir: out, Quick: true, NoHTML: true, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || res[0].Failed() || len(res[0].Exercises) != 2 {
		t.Fatalf("unsolved fixture: %+v\n%s", res, log.String())
	}
	if !strings.Contains(log.String(), "exercise.ipynb: 2 exercises to solve") {
		t.Errorf("log does not count the exercises:\n%s", log.String())
	}
	if msg := Summarize(res[1:]); msg == nil || !strings.Contains(msg.Error(), "exercise 1.2: the check passes as shipped") {
		t.Errorf("solved-as-shipped fixture: %v\n%s", msg, log.String())
	}
	log.Reset()
	res, err = RunSolutions(context.Background(), []string{"testdata/exercise.ipynb"}, Options{OutDir: out, Quick: true, NoHTML: true, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if err := Summarize(res); err != nil || len(res) != 1 || len(res[0].Exercises) != 2 {
		t.Fatalf("solutions run: %v %+v\n%s", err, res, log.String())
	}
	if _, err := os.Stat("testdata/exercise.solutions.ipynb"); err == nil {
		t.Error("RunSolutions left its generated notebook behind")
	}
}

// TestCourseSolutions runs the reference solutions against the chapters' check
// cells through Jupyter (CI runs `tfm notebooks run --solutions` instead).
func TestCourseSolutions(t *testing.T) {
	if os.Getenv("TFM_NOTEBOOKS_SEPARATE") == "1" {
		t.Skip("TFM_NOTEBOOKS_SEPARATE=1: the solutions run in a separate `tfm notebooks run --solutions` step")
	}
	requireToolchain(t)
	root, err := RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	nbs, err := CourseNotebooks(root)
	if err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	res, err := RunSolutions(context.Background(), nbs, Options{OutDir: t.TempDir(), Quick: true, NoHTML: true, Log: &log})
	t.Log(log.String())
	if err != nil {
		t.Fatal(err)
	}
	if err := Summarize(res); err != nil {
		t.Fatal(err)
	}
}
