package notebook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tfm-course/course/tfm/output"
)

// DefaultKernel is the kernel the runner uses: "TFM Go (CPU)".
const DefaultKernel = "tfm_go_cpu"

// RequireEnv, when "1", turns a missing Jupyter/GoNB tool chain from a skip into a failure (CI).
const RequireEnv = "TFM_REQUIRE_NOTEBOOKS"

// Options configure Run.
type Options struct {
	OutDir      string        // executed .ipynb and .html go here (default "out/notebooks")
	Quick       bool          // set TFM_QUICK=1 for the notebooks
	Kernel      string        // default DefaultKernel
	CellTimeout time.Duration // per cell (default 20 min)
	NoHTML      bool          // skip the HTML export
	Log         io.Writer     // progress and the time table (default os.Stderr)
	// Force replaces files in OutDir that are not the runner's own earlier,
	// unchanged output (see tfm/output); without it Run refuses, before
	// running anything, naming the file.
	Force     bool
	Solutions bool // exercise checks must pass (set by RunSolutions; exercises.go)
}

// Result is the outcome of one notebook.
type Result struct {
	Notebook string
	Executed string // path of the executed .ipynb ("" if execution failed early)
	HTML     string
	Duration time.Duration
	Problems []Problem
	Err      error // execution itself failed (kernel died, timeout, …)
	// Exercises are the exercise checks that ran (exercises.go); a failing one is no problem in a course run.
	Exercises []ExerciseOutcome
}

// Failed reports whether the notebook failed.
func (r Result) Failed() bool { return r.Err != nil || len(r.Problems) > 0 }

// ToolchainError explains what is missing to run notebooks.
type ToolchainError struct{ Missing []string }

func (e *ToolchainError) Error() string {
	return "cannot run notebooks, missing: " + strings.Join(e.Missing, "; ") + " (run kernels/install.sh)"
}

// CheckToolchain verifies that Jupyter (with nbconvert) and the kernel are installed
// and that the kernel's GoNB, goimports and gopls exist.
func CheckToolchain(kernel string) error {
	if kernel == "" {
		kernel = DefaultKernel
	}
	var missing []string
	jupyter, err := exec.LookPath("jupyter")
	if err != nil {
		return &ToolchainError{[]string{"jupyter (Debian: apt-get install jupyter-notebook jupyter-nbconvert jupyter-client python3-nbclient python3-ipykernel)"}}
	}
	if err := exec.Command(jupyter, "nbconvert", "--version").Run(); err != nil {
		missing = append(missing, "jupyter nbconvert (Debian: jupyter-nbconvert)")
	}
	out, err := exec.Command(jupyter, "kernelspec", "list", "--json").Output()
	if err != nil {
		return &ToolchainError{append(missing, "jupyter kernelspec list failed: "+err.Error())}
	}
	var specs struct {
		Kernelspecs map[string]struct {
			ResourceDir string `json:"resource_dir"`
			Spec        struct {
				Argv []string          `json:"argv"`
				Env  map[string]string `json:"env"`
			} `json:"spec"`
		} `json:"kernelspecs"`
	}
	if err := json.Unmarshal(out, &specs); err != nil {
		return &ToolchainError{append(missing, "unreadable `jupyter kernelspec list --json`: "+err.Error())}
	}
	spec, ok := specs.Kernelspecs[kernel]
	if !ok {
		return &ToolchainError{append(missing, "Jupyter kernel "+kernel)}
	}
	if len(spec.Spec.Argv) == 0 {
		missing = append(missing, "argv in kernel "+kernel)
	} else if _, err := os.Stat(spec.Spec.Argv[0]); err != nil {
		missing = append(missing, "GoNB binary "+spec.Spec.Argv[0]+" of kernel "+kernel)
	}
	path := spec.Spec.Env["PATH"]
	if path == "" {
		path = os.Getenv("PATH")
	}
	for _, tool := range []string{"go", "goimports", "gopls"} {
		if !inPath(tool, path) {
			missing = append(missing, tool+" on the kernel's PATH")
		}
	}
	if len(missing) > 0 {
		return &ToolchainError{missing}
	}
	return nil
}

func inPath(tool, path string) bool {
	for _, d := range filepath.SplitList(path) {
		if st, err := os.Stat(filepath.Join(d, tool)); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return true
		}
	}
	return false
}

// Run executes the notebooks one after the other and inspects their outputs.
// It returns one Result per notebook; check Failed (or use Summarize).
func Run(ctx context.Context, paths []string, opt Options) ([]Result, error) {
	if opt.OutDir == "" {
		opt.OutDir = filepath.Join("out", "notebooks")
	}
	if opt.Kernel == "" {
		opt.Kernel = DefaultKernel
	}
	if opt.CellTimeout == 0 {
		opt.CellTimeout = 20 * time.Minute
	}
	if opt.Log == nil {
		opt.Log = os.Stderr
	}
	out, err := filepath.Abs(opt.OutDir)
	if err != nil {
		return nil, err
	}
	dir, err := output.OpenDir(out, opt.Force)
	if err != nil {
		return nil, err
	}
	for _, p := range paths {
		name := strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))
		names := []string{name + ".ipynb"}
		if !opt.NoHTML {
			names = append(names, name+".html")
		}
		if err := dir.Check(names...); err != nil {
			return nil, err
		}
	}
	if err := CheckToolchain(opt.Kernel); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	var results []Result
	for _, p := range paths {
		if ctx.Err() != nil {
			return results, ctx.Err()
		}
		fmt.Fprintf(opt.Log, "notebooks: running %s%s\n", p, map[bool]string{true: " (quick)"}[opt.Quick])
		r := runOne(ctx, p, dir, opt)
		for _, pr := range r.Problems {
			fmt.Fprintf(opt.Log, "FAIL %s\n", pr)
		}
		if r.Err != nil {
			fmt.Fprintf(opt.Log, "FAIL %s: %v\n", p, r.Err)
		}
		if note := exerciseNote(r, opt.Solutions); note != "" {
			fmt.Fprintln(opt.Log, note)
		}
		fmt.Fprintf(opt.Log, "notebooks: %s %s in %.1f s\n", p, map[bool]string{false: "ok", true: "FAILED"}[r.Failed()], r.Duration.Seconds())
		results = append(results, r)
	}
	printTable(opt.Log, results)
	return results, nil
}

// cellHook is an nbconvert config file: nbclient's on_cell_start hook
// writes the index of the cell it starts to $TFM_CELL_MARK, so that when
// the kernel dies (nbconvert then writes no notebook) the runner can
// still name the cell.
const cellHook = `import os
def _tfm_cell_start(cell=None, cell_index=None, **kw):
    with open(os.environ["TFM_CELL_MARK"], "w") as f:
        f.write(str(cell_index))
c.ExecutePreprocessor.on_cell_start = _tfm_cell_start
`

func runOne(ctx context.Context, path string, dir *output.Dir, opt Options) (r Result) {
	r.Notebook = path
	start := time.Now()
	defer func() { r.Duration = time.Since(start) }()
	src, err := Read(path) // fail early, with the file's name, on a broken notebook
	if err != nil {
		r.Err = err
		return r
	}
	// nbconvert writes into a private folder; the files move into the
	// output folder whole, and only over the runner's own.
	work, err := os.MkdirTemp(dir.Path(), ".run-")
	if err != nil {
		r.Err = err
		return r
	}
	defer os.RemoveAll(work)
	hook, mark := filepath.Join(work, "hook.py"), filepath.Join(work, "cell")
	if err := os.WriteFile(hook, []byte(cellHook), 0o644); err != nil {
		r.Err = err
		return r
	}
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	executed := filepath.Join(work, name+".ipynb")
	args := []string{"nbconvert", "--config", hook, "--execute", "--to", "notebook",
		"--ExecutePreprocessor.kernel_name=" + opt.Kernel,
		fmt.Sprintf("--ExecutePreprocessor.timeout=%d", int(opt.CellTimeout.Seconds())),
		"--ExecutePreprocessor.allow_errors=True", // we inspect every output ourselves
		"--output-dir", work, "--output", name + ".ipynb", path}
	cmd := exec.CommandContext(ctx, "jupyter", args...)
	cmd.Env = nil // without --quick, full size even if the caller's environment says quick
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, QuickEnv+"=") && !strings.HasPrefix(kv, "TFM_CELL_MARK=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "TFM_CELL_MARK="+mark)
	if opt.Quick {
		cmd.Env = append(cmd.Env, QuickEnv+"=1")
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	runErr := cmd.Run()
	nb, err := Read(executed)
	if err != nil {
		if runErr == nil {
			r.Err = fmt.Errorf("no executed notebook: %w", err)
		} else if p, ok := stoppedCell(src, mark, stderr.String()); ok {
			r.Problems = []Problem{p}
		} else {
			r.Err = fmt.Errorf("jupyter nbconvert --execute: %v\n%s", runErr, tail(stderr.String(), 25))
		}
		return r
	}
	if runErr != nil {
		r.Err = fmt.Errorf("jupyter nbconvert --execute: %v\n%s", runErr, tail(stderr.String(), 25))
	}
	nb.Path = path // report the source notebook's name
	r.Problems, r.Exercises = exerciseOutcomes(nb, Inspect(nb), opt.Solutions)
	if err := dir.WriteFile(name+".ipynb", mustRead(executed)); err != nil {
		if r.Err == nil {
			r.Err = err
		}
		return r
	}
	r.Executed = filepath.Join(dir.Path(), name+".ipynb")
	if !opt.NoHTML {
		html := exec.CommandContext(ctx, "jupyter", "nbconvert", "--to", "html", "--output-dir", work, executed)
		b, err := html.CombinedOutput()
		if err == nil {
			err = dir.WriteFile(name+".html", mustRead(filepath.Join(work, name+".html")))
			b = nil
		}
		if err != nil && r.Err == nil {
			r.Err = fmt.Errorf("HTML export: %v\n%s", err, tail(string(b), 10))
		} else if err == nil {
			r.HTML = filepath.Join(dir.Path(), name+".html")
			r.Problems = append(r.Problems, CheckFigures(nb, r.HTML)...) // figures.go: every figure exported, none empty
		}
	}
	return r
}

func mustRead(p string) []byte {
	b, _ := os.ReadFile(p)
	return b
}

// stoppedCell names the cell that was running when nbconvert stopped
// without writing a notebook (the kernel died, a cell timed out): the
// index the cell hook left in mark, with the last line of nbconvert's
// Python traceback as the reason.
func stoppedCell(src *Notebook, mark, stderr string) (Problem, bool) {
	b, err := os.ReadFile(mark)
	if err != nil {
		return Problem{}, false
	}
	i, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || i < 0 || i >= len(src.Cells) {
		return Problem{}, false
	}
	last := tail(stderr, 1)
	reason := "nbconvert stopped while running this cell: " + last
	switch {
	case strings.Contains(stderr, "DeadKernelError"):
		reason = "the kernel died while running this cell (" + last + ")"
	case strings.Contains(stderr, "CellTimeoutError") || strings.Contains(stderr, "TimeoutError"):
		reason = "the cell timed out (" + last + ")"
	}
	return Problem{Notebook: src.Path, Cell: i, CodeCell: src.CodeCellNumber(i), Reason: reason, Source: describeCell(string(src.Cells[i].Source))}, true
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func printTable(w io.Writer, results []Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "notebook\tseconds\tstatus")
	var total time.Duration
	failed := 0
	for _, r := range results {
		status := "ok"
		if r.Failed() {
			failed++
			status = fmt.Sprintf("FAIL (%d problems)", len(r.Problems))
			if r.Err != nil {
				status = "FAIL (execution)"
			}
		}
		total += r.Duration
		fmt.Fprintf(tw, "%s\t%.1f\t%s\n", r.Notebook, r.Duration.Seconds(), status)
	}
	fmt.Fprintf(tw, "total\t%.1f\t\n", total.Seconds())
	tw.Flush()
	// The closing line CI tools read as a test count.
	fmt.Fprintf(w, "notebooks: %d passed, %d failed\n", len(results)-failed, failed)
}

// Summarize returns an error naming every failed notebook and cell, or nil.
func Summarize(results []Result) error {
	var msgs []string
	for _, r := range results {
		if r.Err != nil {
			msgs = append(msgs, fmt.Sprintf("%s: %v", r.Notebook, r.Err))
		}
		for _, p := range r.Problems {
			msgs = append(msgs, p.String())
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return errors.New(strings.Join(msgs, "\n"))
}
