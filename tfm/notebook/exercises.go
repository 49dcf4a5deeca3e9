package notebook

// Exercises: a chapter ends with exercises the learner solves in place.
//
//	//tfm:exercise 7.1 notebooks/solutions/ch07/ch07.go:Name,Other
//	… the stub the learner completes (returns a zero value or panics) …
//
//	//tfm:check 7.1 notebooks/solutions/ch07/ch07_test.go:TestName
//	… exactly those test functions of the file …
//	%test
//
// The exercise cell names the declarations of the reference solution it
// stands for; the check cell holds the named tests of the solution package,
// so `go test ./notebooks/solutions/...` checks every reference solution
// without Jupyter. In a course run a failing check is expected ("to solve")
// and a passing one is a problem (a shipped exercise that is already solved);
// with Options.Solutions the runner executes, per chapter, the first code
// cell, each solution and each check, and every check must pass.

import (
	"context"
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// ExerciseMarker and CheckMarker start the first line of an exercise cell and of its %test cell.
const (
	ExerciseMarker = "//tfm:exercise "
	CheckMarker    = "//tfm:check "
)

// Exercise is one exercise of a notebook: the cell the learner edits, the
// reference solution it names and the %test cell that checks it.
type Exercise struct {
	Notebook string
	ID       string   // "7.1"
	Cell     int      // 0-based index of the exercise cell (-1: none)
	File     string   // solution file, relative to the repository root
	Decls    []string // the solution's declarations the cell stands for
	Check    int      // 0-based index of the %test cell (-1: none)
	TestFile string   // test file the check cell mirrors
	Tests    []string // its test functions
}

// ExerciseOutcome is what an executed check cell showed.
type ExerciseOutcome struct {
	ID     string
	Cell   int
	Passed bool // every test of the cell passed
}

func parseExerciseLine(line, marker string) (id, file string, decls []string, err error) {
	rest := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), strings.TrimSpace(marker)))
	id, target, ok := strings.Cut(rest, " ")
	if !ok || id == "" {
		return "", "", nil, fmt.Errorf("marker %q: want %sID PATH.go:Name,…", line, marker)
	}
	file, decls, err = ParseMarker(MirrorMarker + strings.TrimSpace(target))
	if err == nil && len(decls) == 0 {
		err = fmt.Errorf("marker %q names no declarations (want PATH.go:Name,…)", line)
	}
	return id, file, decls, err
}

// cellMarker returns the first line of code cell c when it starts with marker.
func cellMarker(c Cell, marker string) (string, bool) {
	if c.CellType != "code" {
		return "", false
	}
	src := strings.TrimLeft(string(c.Source), " \t\r\n")
	if !strings.HasPrefix(src, marker) {
		return "", false
	}
	first, _, _ := strings.Cut(src, "\n")
	return first, true
}

// Exercises lists a notebook's exercises in the order their exercise cells appear.
func Exercises(nb *Notebook) ([]Exercise, error) {
	var out []Exercise
	byID := map[string]int{}
	get := func(id string) *Exercise {
		if k, ok := byID[id]; ok {
			return &out[k]
		}
		byID[id] = len(out)
		out = append(out, Exercise{Notebook: nb.Path, ID: id, Cell: -1, Check: -1})
		return &out[len(out)-1]
	}
	for i, c := range nb.Cells {
		if line, ok := cellMarker(c, ExerciseMarker); ok {
			id, file, decls, err := parseExerciseLine(line, ExerciseMarker)
			if err != nil {
				return nil, fmt.Errorf("%s cell %d: %w", nb.Path, i+1, err)
			}
			e := get(id)
			if e.Cell >= 0 {
				return nil, fmt.Errorf("%s cell %d: exercise %s has two exercise cells (cells %d and %d)", nb.Path, i+1, id, e.Cell+1, i+1)
			}
			e.Cell, e.File, e.Decls = i, file, decls
		}
		if line, ok := cellMarker(c, CheckMarker); ok {
			id, file, decls, err := parseExerciseLine(line, CheckMarker)
			if err != nil {
				return nil, fmt.Errorf("%s cell %d: %w", nb.Path, i+1, err)
			}
			e := get(id)
			if e.Check >= 0 {
				return nil, fmt.Errorf("%s cell %d: exercise %s has two check cells (cells %d and %d)", nb.Path, i+1, id, e.Check+1, i+1)
			}
			if !strings.Contains(string(c.Source), "\n%test") {
				return nil, fmt.Errorf("%s cell %d: check cell of exercise %s does not run %%test", nb.Path, i+1, id)
			}
			e.Check, e.TestFile, e.Tests = i, file, decls
		}
	}
	return out, nil
}

// CheckExercises verifies a notebook's exercises against the repository under
// root: each has an exercise cell before its check cell, the solution declares
// what the exercise cell names, the stub declares the same names, and the
// check cell holds exactly the named tests of the test file (then %test).
func CheckExercises(root string, nb *Notebook) ([]Exercise, []string) {
	exs, err := Exercises(nb)
	if err != nil {
		return nil, []string{err.Error()}
	}
	var bad []string
	declared := chapterNames(nb)
	for _, e := range exs {
		p := func(format string, args ...any) {
			bad = append(bad, fmt.Sprintf("%s exercise %s: ", nb.Path, e.ID)+fmt.Sprintf(format, args...))
		}
		switch {
		case e.Cell < 0:
			p("check cell %d has no exercise cell (%s)", e.Check+1, strings.TrimSpace(ExerciseMarker))
			continue
		case e.Check < 0:
			p("exercise cell %d has no check cell (%s)", e.Cell+1, strings.TrimSpace(CheckMarker))
			continue
		case e.Check < e.Cell:
			p("check cell %d comes before the exercise cell %d", e.Check+1, e.Cell+1)
		}
		if _, err := solutionCellCode(root, e); err != nil {
			p("reference solution: %v", err)
		}
		for _, n := range append(append([]string(nil), e.Decls...), e.Tests...) {
			if cell, ok := declared[n]; ok {
				p("%s is also declared by cell %d of the chapter (GoNB keeps one declaration per name: rename it in the exercise and its solution)", n, cell+1)
			}
		}
		if missing := missingNames(string(nb.Cells[e.Cell].Source), e.Decls); len(missing) > 0 {
			p("exercise cell %d does not declare %s (named in its marker)", e.Cell+1, strings.Join(missing, ", "))
		}
		_, body, _ := strings.Cut(strings.TrimLeft(string(nb.Cells[e.Check].Source), " \t\r\n"), "\n")
		want, err := CheckCellCode(root, e.TestFile, e.Tests)
		if err != nil {
			p("check cell %d: %v", e.Check+1, err)
		} else if strings.TrimSpace(body) != want {
			reason := "differs from the tests in " + e.TestFile
			if line, a, b, ok := firstDiff(strings.TrimSpace(body), want); ok {
				reason += fmt.Sprintf(" at line %d after the marker:\n    cell: %s\n    file: %s", line, a, b)
			}
			p("check cell %d %s (the cell is the file's named tests with the imports they use, then %%test)", e.Check+1, reason)
		}
	}
	return exs, bad
}

// chapterNames maps each top-level name declared by a code cell that is not
// an exercise or check cell to that cell's index. Cells with a main part (%%)
// or that do not parse as declarations are skipped.
func chapterNames(nb *Notebook) map[string]int {
	out := map[string]int{}
	for i, c := range nb.Cells {
		_, ex := cellMarker(c, ExerciseMarker)
		_, check := cellMarker(c, CheckMarker)
		if c.CellType != "code" || ex || check {
			continue
		}
		var code []string
		for _, l := range strings.Split(string(c.Source), "\n") {
			if t := strings.TrimSpace(l); !strings.HasPrefix(t, "%") && !strings.HasPrefix(t, "!") {
				code = append(code, l)
			}
		}
		ds, err := parseDecls("cell", []byte("package cell\n"+strings.Join(code, "\n")))
		if err != nil {
			continue
		}
		for _, d := range ds.decls {
			for _, n := range d.names {
				if _, ok := out[n]; !ok {
					out[n] = i
				}
			}
		}
	}
	return out
}

// missingNames returns the names of decls (Name or Type.Method) that src does not declare.
func missingNames(src string, decls []string) []string {
	var code []string
	for _, l := range strings.Split(src, "\n") {
		if t := strings.TrimSpace(l); !strings.HasPrefix(t, "%") && !strings.HasPrefix(t, "!") {
			code = append(code, l)
		}
	}
	ds, err := parseDecls("cell", []byte("package cell\n"+strings.Join(code, "\n")))
	if err != nil {
		return decls
	}
	have := map[string]bool{}
	for _, d := range ds.decls {
		for _, n := range d.names {
			have[n] = true
		}
	}
	var out []string
	for _, n := range decls {
		if !have[n] {
			out = append(out, n)
		}
	}
	return out
}

// solutionCellCode is the cell that replaces exercise e in a solutions run:
// the solution file's imports that the named declarations use, then those declarations.
func solutionCellCode(root string, e Exercise) (string, error) {
	code, err := declCellCode(root, Mirror{Notebook: e.Notebook, File: e.File, Decls: e.Decls})
	if err != nil {
		return "", err
	}
	return withImports(root, e.File, code)
}

// withImports puts before code the imports of file that code uses (a cell
// cannot rely on goimports for module packages or math/rand/v2).
func withImports(root, file, code string) (string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(root, file), nil, parser.ImportsOnly)
	if err != nil {
		return "", err
	}
	var imports []string
	for _, is := range f.Imports {
		path, _ := strconv.Unquote(is.Path.Value)
		name := filepath.Base(path)
		if regexp.MustCompile(`^v[0-9]+$`).MatchString(name) {
			name = filepath.Base(filepath.Dir(path))
		}
		if is.Name != nil {
			name = is.Name.Name
		}
		if path == "testing" {
			continue // GoNB's %test provides it
		}
		if regexp.MustCompile(`\b` + regexp.QuoteMeta(name) + `\.`).MatchString(code) {
			spec := is.Path.Value
			if is.Name != nil {
				spec = is.Name.Name + " " + spec
			}
			imports = append(imports, "\t"+spec)
		}
	}
	if len(imports) > 0 {
		code = "import (\n" + strings.Join(imports, "\n") + "\n)\n\n" + code
	}
	return code, nil
}

// exerciseOutcomes classifies the check cells of an executed notebook. In a
// course run (solutions false) a check that ran and failed is expected: its
// failure lines are dropped from problems and it counts as an exercise to
// solve; a check that passes is a problem. In a solutions run every check
// must pass. A check that did not run its tests (a compile error) stays a problem.
func exerciseOutcomes(nb *Notebook, problems []Problem, solutions bool) ([]Problem, []ExerciseOutcome) {
	exs, err := Exercises(nb)
	if err != nil {
		return append(problems, Problem{Notebook: nb.Path, Cell: 0, Reason: err.Error()}), nil
	}
	checks := map[int]string{}
	for _, e := range exs {
		if e.Check >= 0 {
			checks[e.Check] = e.ID
		}
	}
	var outcomes []ExerciseOutcome
	expected := map[int]bool{} // check cells whose failure is expected
	var extra []Problem
	for i, c := range nb.Cells {
		id, ok := checks[i]
		if !ok {
			continue
		}
		ran, failed, compileErr := false, false, false
		for _, o := range c.Outputs {
			if o.OutputType == "error" {
				compileErr = true
			}
			for _, l := range strings.Split(string(o.Text), "\n") {
				switch l = strings.TrimRight(l, "\r "); {
				case strings.HasPrefix(l, "--- FAIL"):
					ran, failed = true, true
				case strings.HasPrefix(l, "--- PASS"):
					ran = true
				}
			}
		}
		add := func(reason string) {
			extra = append(extra, Problem{Notebook: nb.Path, Cell: i, CodeCell: nb.CodeCellNumber(i), Reason: reason, Source: describeCell(string(c.Source))})
		}
		switch {
		case !ran && !compileErr:
			add(fmt.Sprintf("exercise %s: the check cell ran no test (no --- PASS / --- FAIL line)", id))
		case !ran:
			// compile error: Inspect reported it
		case solutions && failed:
			add(fmt.Sprintf("exercise %s: the reference solution fails its check", id))
		case !solutions && !failed:
			add(fmt.Sprintf("exercise %s: the check passes as shipped, so there is nothing to solve (the exercise cell must fail it)", id))
		case !solutions && !compileErr:
			expected[i] = true
		}
		if ran {
			outcomes = append(outcomes, ExerciseOutcome{ID: id, Cell: i, Passed: !failed})
		}
	}
	var out []Problem
	for _, p := range problems {
		if !expected[p.Cell] {
			out = append(out, p)
		}
	}
	return append(out, extra...), outcomes
}

// exerciseNote is the runner's line about a notebook's exercises, "" if it has none.
func exerciseNote(r Result, solutions bool) string {
	if len(r.Exercises) == 0 {
		return ""
	}
	pass := 0
	for _, o := range r.Exercises {
		if o.Passed {
			pass++
		}
	}
	if solutions {
		return fmt.Sprintf("notebooks: %s: reference solutions pass %d of %d exercise checks", r.Notebook, pass, len(r.Exercises))
	}
	return fmt.Sprintf("notebooks: %s: %d exercises to solve (their checks fail as shipped, as they should)", r.Notebook, len(r.Exercises)-pass)
}

// solutionsNotebook writes, next to the notebook at path (so the first cell's
// ${GONB_DIR}/.. is still the repository), a notebook of its first code
// cell, each exercise's reference solution and each check cell, and returns
// its path. The caller removes it.
func solutionsNotebook(root, path string) (string, error) {
	nb, err := Read(path)
	if err != nil {
		return "", err
	}
	exs, bad := CheckExercises(root, nb)
	if len(bad) > 0 {
		return "", fmt.Errorf("%s", strings.Join(bad, "\n"))
	}
	if len(exs) == 0 {
		return "", fmt.Errorf("%s has no exercises (%sID PATH.go:Name cells)", path, ExerciseMarker)
	}
	var cells []string
	for _, c := range nb.Cells { // the setup cell, unless the notebook starts with its exercises
		_, ex := cellMarker(c, ExerciseMarker)
		_, check := cellMarker(c, CheckMarker)
		if c.CellType == "code" {
			if !ex && !check {
				cells = append(cells, string(c.Raw))
			}
			break
		}
	}
	for k, e := range exs {
		code, err := solutionCellCode(root, e)
		if err != nil {
			return "", err
		}
		src := fmt.Sprintf("// reference solution of exercise %s (%s)\n%s", e.ID, e.File, code)
		cells = append(cells, fmt.Sprintf(`{"cell_type": "code", "execution_count": null, "id": "solution-%d", "metadata": {}, "outputs": [], "source": %s}`, k+1, jsonString(src)))
		cells = append(cells, string(nb.Cells[e.Check].Raw))
	}
	meta := string(nb.Metadata)
	if meta == "" {
		meta = "{}"
	}
	doc := fmt.Sprintf("{\n \"cells\": [\n%s\n ],\n \"metadata\": %s,\n \"nbformat\": 4,\n \"nbformat_minor\": %d\n}\n", strings.Join(cells, ",\n"), meta, nb.NBFormatMinor)
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	out := filepath.Join(filepath.Dir(path), base+".solutions.ipynb")
	if _, err := Parse([]byte(doc)); err != nil {
		return "", fmt.Errorf("solutions notebook of %s: %w", path, err)
	}
	return out, os.WriteFile(out, []byte(doc), 0o644)
}

// RunSolutions checks the reference solutions: for each notebook with
// exercises it runs a generated notebook of the first code cell, every
// solution and every check cell (see solutionsNotebook), and every check must
// pass. Notebooks without exercises are skipped (CheckExercises and the
// package's tests require them where the course needs them).
func RunSolutions(ctx context.Context, paths []string, opt Options) ([]Result, error) {
	if opt.Log == nil {
		opt.Log = os.Stderr
	}
	root, err := RepoRoot(".")
	if err != nil {
		return nil, err
	}
	var gen []string
	defer func() {
		for _, g := range gen {
			os.Remove(g)
		}
	}()
	for _, p := range paths {
		nb, err := Read(p)
		if err != nil {
			return nil, err
		}
		if exs, err := Exercises(nb); err == nil && len(exs) == 0 {
			fmt.Fprintf(opt.Log, "notebooks: %s has no exercises, skipped\n", p)
			continue
		}
		g, err := solutionsNotebook(root, p)
		if g != "" {
			gen = append(gen, g)
		}
		if err != nil {
			return nil, err
		}
	}
	if len(gen) == 0 {
		return nil, fmt.Errorf("no exercises in %s", strings.Join(paths, ", "))
	}
	opt.Solutions = true
	return Run(ctx, gen, opt)
}

// CheckCellCode is what a check cell holds after its marker line: the named
// declarations of the test file, a blank line, then %test.
func CheckCellCode(root, testFile string, tests []string) (string, error) {
	code, err := declCellCode(root, Mirror{File: testFile, Decls: tests})
	if err != nil {
		return "", err
	}
	if code, err = withImports(root, testFile, code); err != nil {
		return "", err
	}
	return code + "\n\n%test", nil
}
