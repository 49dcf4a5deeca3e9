package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/tfm-course/course/tfm/notebook"
)

func init() {
	register(&command{
		Name:    "notebooks",
		Summary: "run the course notebooks headless (failing loudly) or sync mirrored cells",
		Run: func(args []string) error {
			return dispatch("notebooks", map[string]func([]string) error{
				"run":  notebooksRun,
				"sync": notebooksSync,
			}, args)
		},
	})
}

// notebooksRun: tfm notebooks run [--quick] [--out DIR] [PATHS…] (default: notebooks/*.ipynb).
func notebooksRun(args []string) error {
	fs := flag.NewFlagSet("notebooks run", flag.ContinueOnError)
	quick := fs.Bool("quick", false, "set TFM_QUICK=1 so notebooks shrink data and steps (CI)")
	out := fs.String("out", "out/notebooks", "folder for the executed notebooks and their HTML")
	kernel := fs.String("kernel", notebook.DefaultKernel, "Jupyter kernel to run them on")
	timeout := fs.Duration("cell-timeout", 20*time.Minute, "time limit per cell")
	noHTML := fs.Bool("no-html", false, "skip the HTML export")
	asJSON := fs.Bool("json", false, "print a one-line JSON summary last on stdout")
	solutions := fs.Bool("solutions", false, "check the exercises' reference solutions: per chapter, run its first cell, each solution and each %test check; every check must pass")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: tfm notebooks run [flags] [NOTEBOOK.ipynb …]   (default: notebooks/*.ipynb)\n\n"+
			"Executes each notebook with jupyter nbconvert on the TFM CPU kernel and fails, naming notebook and cell,\n"+
			"on error outputs, panics, `exit status N`, `signal:`, `--- FAIL` and unknown GoNB commands.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	paths := fs.Args()
	if len(paths) == 0 {
		root, err := notebook.RepoRoot(".")
		if err != nil {
			return err
		}
		if paths, err = notebook.CourseNotebooks(root); err != nil {
			return err
		}
		if len(paths) == 0 {
			return fmt.Errorf("no notebooks in %s/notebooks", root)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	opts := notebook.Options{OutDir: *out, Quick: *quick, Kernel: *kernel, CellTimeout: *timeout, NoHTML: *noHTML}
	run := notebook.Run
	if *solutions {
		run = notebook.RunSolutions
	}
	results, err := run(ctx, paths, opts)
	if err != nil {
		return err
	}
	failErr := notebook.Summarize(results)
	if *asJSON {
		type row struct {
			Notebook string   `json:"notebook"`
			Seconds  float64  `json:"seconds"`
			OK       bool     `json:"ok"`
			Problems []string `json:"problems,omitempty"`
			Executed string   `json:"executed,omitempty"`
			HTML     string   `json:"html,omitempty"`
		}
		var rows []row
		for _, r := range results {
			rw := row{Notebook: r.Notebook, Seconds: r.Duration.Seconds(), OK: !r.Failed(), Executed: r.Executed, HTML: r.HTML}
			for _, p := range r.Problems {
				rw.Problems = append(rw.Problems, p.String())
			}
			if r.Err != nil {
				rw.Problems = append(rw.Problems, r.Err.Error())
			}
			rows = append(rows, rw)
		}
		if err := printJSON(map[string]any{"ok": failErr == nil, "notebooks": rows}); err != nil {
			return err
		}
	}
	if failErr != nil {
		return fmt.Errorf("notebooks failed:\n%v", failErr)
	}
	return nil
}

// notebooksSync: tfm notebooks sync --check|--write [NOTEBOOKS…].
func notebooksSync(args []string) error {
	fs := flag.NewFlagSet("notebooks sync", flag.ContinueOnError)
	check := fs.Bool("check", false, "fail, naming cell, file and declaration, when a mirrored cell differs from its file (default)")
	write := fs.Bool("write", false, "sync each differing mirror: whole-file mirrors cell -> file, declaration mirrors file -> cell; add the version pin to old-style first cells")
	rootFlag := fs.String("root", "", "repository root (default: the folder with go.mod above the current one)")
	asJSON := fs.Bool("json", false, "print a one-line JSON summary last on stdout")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: tfm notebooks sync [--check|--write] [NOTEBOOK.ipynb …]   (default: notebooks/*.ipynb)\n\n"+
			"Cells starting with `//tfm:mirror tfm/pkg/file.go` must equal that file after gofmt\n"+
			"(ignoring its package clause and leading comments); --write copies cell -> file.\n"+
			"Cells starting with `//tfm:mirror tfm/pkg/file.go:Name,Type.Method,…` must hold exactly those\n"+
			"declarations of the file (with their doc comments, in that order, nothing else); --write copies file -> cell.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *check && *write {
		return fmt.Errorf("use --check or --write, not both")
	}
	root := *rootFlag
	if root == "" {
		var err error
		if root, err = notebook.RepoRoot("."); err != nil {
			return err
		}
	}
	paths := fs.Args()
	if len(paths) == 0 {
		var err error
		if paths, err = notebook.CourseNotebooks(root); err != nil {
			return err
		}
	}
	if *write {
		changed, err := notebook.Write(root, paths)
		for _, f := range changed {
			fmt.Fprintf(os.Stderr, "wrote %s\n", f)
		}
		if err != nil {
			return err
		}
		fixed, err := notebook.FixFirstCells(paths)
		for _, f := range fixed {
			fmt.Fprintf(os.Stderr, "pinned the first cell of %s\n", f)
		}
		if err != nil {
			return err
		}
		changed = append(changed, fixed...)
		if *asJSON {
			return printJSON(map[string]any{"ok": true, "written": changed})
		}
		return nil
	}
	mismatches, err := notebook.Check(root, paths)
	if err != nil {
		return err
	}
	warnings, err := notebook.FirstCellWarnings(paths)
	if err != nil {
		return err
	}
	for _, w := range warnings {
		fmt.Fprintf(os.Stderr, "WARNING %s\n", w)
	}
	for _, m := range mismatches {
		fmt.Fprintf(os.Stderr, "MISMATCH %s\n", m)
	}
	if *asJSON {
		var list []string
		for _, m := range mismatches {
			list = append(list, m.String())
		}
		if err := printJSON(map[string]any{"ok": len(mismatches) == 0, "mismatches": list, "warnings": warnings}); err != nil {
			return err
		}
	}
	if len(mismatches) > 0 {
		return fmt.Errorf("%d mirrored cell(s) differ from their files; `tfm notebooks sync --write` copies whole-file mirrors "+
			"cell -> file (fix the cell first) and declaration mirrors file -> cell", len(mismatches))
	}
	fmt.Fprintf(os.Stderr, "notebooks sync: %d notebook(s), mirrors in sync\n", len(paths))
	return nil
}
