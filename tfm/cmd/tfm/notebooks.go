package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/tfm-course/course/tfm/notebook"
)

func init() {
	register(&command{
		Name:    "notebooks",
		Summary: "run the course notebooks headless (failing loudly) or sync mirrored cells",
		Example: "tfm notebooks sync --check",
		Subs: []*command{
			{Name: "run", Summary: "execute chapters headless, failing loudly, and export them to HTML", Run: notebooksRun},
			{Name: "site", Summary: "execute the chapters and write a browsable offline site (index, pages, figures, screenshots)", Run: notebooksSite},
			{Name: "sync", Summary: "check or write the notebook cells mirrored from Go files", Run: notebooksSync},
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
	force := fs.Bool("force", false, "replace files in --out that are not an earlier run's unchanged output")
	setHelp(fs, help{
		About:   "Executes each notebook with jupyter nbconvert on the TFM CPU kernel and writes the executed copy and its HTML.",
		Usage:   "tfm notebooks run [flags] [NOTEBOOK.ipynb …]   (default: notebooks/*.ipynb)",
		Example: "tfm notebooks run --quick --out /tmp/nb notebooks/01_data.ipynb",
		Notes: "It fails, naming notebook and cell, on error outputs, GoNB's `exit status N` / `signal: S` line closing a\n" +
			"cell's stderr (with the panic or `--- FAIL` line before it), unknown GoNB commands, and a dead kernel.\n" +
			"It refuses to replace a file in --out that is not its own earlier output (recorded in\n" +
			"--out/.tfm-output.json) unless --force.",
	})
	solutions := fs.Bool("solutions", false, "check the exercises' reference solutions: per chapter, run its first cell, each solution and each %test check; every check must pass")
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
	opts := notebook.Options{OutDir: *out, Quick: *quick, Kernel: *kernel, CellTimeout: *timeout, NoHTML: *noHTML, Force: *force}
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
	setHelp(fs, help{
		About:   "Checks (or with --write, updates) the notebook cells that mirror Go files or declarations.",
		Usage:   "tfm notebooks sync [--check|--write] [NOTEBOOK.ipynb …]   (default: notebooks/*.ipynb)",
		Example: "tfm notebooks sync --check",
		Notes: "Cells starting with `//tfm:mirror tfm/pkg/file.go` must equal that file after gofmt\n" +
			"(ignoring its package clause and leading comments); --write copies cell -> file.\n" +
			"Cells starting with `//tfm:mirror tfm/pkg/file.go:Name,Type.Method,…` must hold exactly those\n" +
			"declarations of the file (with their doc comments, in that order, nothing else); --write copies file -> cell.",
	})
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

// notebooksSite: tfm notebooks site --out DIR [--quick] [NOTEBOOKS…].
func notebooksSite(args []string) error {
	fs := flag.NewFlagSet("notebooks site", flag.ContinueOnError)
	out := fs.String("out", "out/site", "folder of the site (index.html; the runner's files in DIR/run)")
	quick := fs.Bool("quick", false, "run the chapters in quick mode (default: full size)")
	kernel := fs.String("kernel", notebook.DefaultKernel, "Jupyter kernel to run them on")
	timeout := fs.Duration("cell-timeout", 20*time.Minute, "time limit per cell")
	shots := fs.Bool("screenshots", true, "screenshots of each chapter's top (Jupyter) and of its figures (headless Chromium)")
	rebuild := fs.Bool("rebuild", false, "rewrite the site from the earlier run in DIR (DIR/run, DIR/site.json) without executing")
	asJSON := fs.Bool("json", false, "print a one-line JSON summary last on stdout")
	force := fs.Bool("force", false, "replace files in --out that are not an earlier site's unchanged output")
	setHelp(fs, help{
		About:   "Executes the chapters and writes a static site that opens offline: an index with each chapter's title, summary, run time and figures, each chapter's page with its figures embedded, and screenshots.",
		Usage:   "tfm notebooks site [--out DIR] [--quick] [NOTEBOOK.ipynb …]   (default: notebooks/*.ipynb)",
		Example: "tfm notebooks site --quick --out /tmp/site notebooks/01_data.ipynb notebooks/07_distances.ipynb",
	})
	if err := fs.Parse(args); err != nil {
		return err
	}
	paths := fs.Args()
	if len(paths) == 0 && !*rebuild {
		root, err := notebook.RepoRoot(".")
		if err != nil {
			return err
		}
		if paths, err = notebook.CourseNotebooks(root); err != nil {
			return err
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	opt := notebook.SiteOptions{Run: notebook.Options{Quick: *quick, Kernel: *kernel, CellTimeout: *timeout, Force: *force}, Screenshots: *shots, Force: *force}
	var chapters []notebook.SiteChapter
	var err error
	if *rebuild {
		chapters, err = notebook.RebuildSite(*out, opt)
	} else {
		chapters, err = notebook.BuildSite(ctx, *out, paths, opt)
	}
	if err != nil {
		return err
	}
	var failed []string
	for _, c := range chapters {
		if !c.OK {
			failed = append(failed, c.Name)
		}
	}
	if *asJSON {
		if err := printJSON(map[string]any{"ok": len(failed) == 0, "index": filepath.Join(*out, "index.html"), "chapters": chapters}); err != nil {
			return err
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("site written to %s, but %d chapter(s) failed: %v", *out, len(failed), failed)
	}
	return nil
}
