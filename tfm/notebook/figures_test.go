package notebook

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The fixtures were exported with `jupyter nbconvert --to html` (6.5.3) and
// their CSS and scripts removed.

func TestFiguresSurviveExport(t *testing.T) {
	nb, err := Read("testdata/figures/good.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	want := NotebookFigures(nb)
	if len(want) != 4 { // viz.Show, a PNG, two <img>s in one output; the table is no figure
		t.Fatalf("notebook figures = %+v, want 4", want)
	}
	for _, f := range want {
		if f.Empty != "" {
			t.Errorf("figure of cell %d reported empty: %s", f.Cell, f.Empty)
		}
	}
	if ps := CheckFigures(nb, "testdata/figures/good.html"); len(ps) > 0 {
		t.Errorf("problems in a good export: %v", ps)
	}
}

func TestEmptyExportedFiguresFail(t *testing.T) {
	nb, err := Read("testdata/figures/bad.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	ps := CheckFigures(nb, "testdata/figures/bad.html")
	var got []string
	for _, p := range ps {
		got = append(got, p.String())
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{
		`cell 1 (code cell 1, "viz.Show(chart) // old style: inline SVG first"): empty figure in the exported HTML (svg): <svg> without drawing elements`, // nbconvert stripped the <path>
		`cell 3 (code cell 3, "blank"): empty figure in the notebook: <svg> without drawing elements`,
		`cell 4 (code cell 4, "nodata"): empty figure in the notebook: <img> with empty data`,
		`cell 5 (code cell 5, "zero"): empty figure in the notebook: zero-size or unreadable image`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing problem %q in:\n%s", want, all)
		}
	}
	if strings.Contains(all, "cell 2 ") {
		t.Errorf("inline <svg> in text/html survives the export, yet was reported:\n%s", all)
	}
	if len(ps) != 4 {
		t.Errorf("%d problems, want 4:\n%s", len(ps), all)
	}
}

func TestFigureCountMismatch(t *testing.T) {
	nb, err := Read("testdata/figures/good.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	// An export that lost a figure (e.g. a renderer dropping an output).
	html := `<div><img src="data:image/png;base64,` + strings.Repeat("A", 0) + `"></div>`
	ps := compareFigures(nb, NotebookFigures(nb), HTMLFigures(html))
	found := false
	for _, p := range ps {
		if strings.Contains(p.Reason, "the exported HTML holds 1 figures, the notebook displays 4") {
			found = true
		}
	}
	if !found {
		t.Errorf("no count mismatch reported: %v", ps)
	}
}

func TestHTMLFigures(t *testing.T) {
	cases := map[string]string{
		`<svg width="10" height="10"><rect width="10" height="10"/></svg>`:                     "",
		`<svg width="10" height="10"><text>only text</text></svg>`:                             "without drawing elements",
		`<svg width="0" height="10"><path d="M0 0"/></svg>`:                                    "zero width or height",
		`<img src="data:image/svg+xml,%3Csvg%3E%3Cpath%20d='M0%200'/%3E%3C/svg%3E">`:           "",
		`<img width="0" src="data:image/svg+xml,%3Csvg%3E%3Cpath%20d='M0%200'/%3E%3C/svg%3E">`: "zero width or height",
		`<img src="data:image/png;base64,!!">`:                                                 "undecodable",
		`<img src="">`:                                                                         "without data",
	}
	for doc, want := range cases {
		figs := HTMLFigures(doc)
		if len(figs) != 1 {
			t.Errorf("%s: %d figures, want 1", doc, len(figs))
			continue
		}
		if want == "" && figs[0].Empty != "" || want != "" && !strings.Contains(figs[0].Empty, want) {
			t.Errorf("%s: Empty = %q, want %q", doc, figs[0].Empty, want)
		}
	}
	// Nested <svg> is one figure; a file <img> is none.
	if n := len(HTMLFigures(`<svg><svg><path/></svg><path/></svg><img src="a.png">`)); n != 1 {
		t.Errorf("nested svg + file img: %d figures, want 1", n)
	}
}

// TestExecutedChapterFigures checks every executed chapter with its HTML
// export in $TFM_NOTEBOOK_OUT (default out/notebooks, where `tfm notebooks
// run` writes): the export holds as many non-empty figures as the notebook
// displays. It skips when no chapter has been run.
func TestExecutedChapterFigures(t *testing.T) {
	dir := os.Getenv("TFM_NOTEBOOK_OUT")
	if dir == "" {
		root, err := RepoRoot(".")
		if err != nil {
			t.Skip(err)
		}
		dir = filepath.Join(root, "out", "notebooks")
	}
	nbs, _ := filepath.Glob(filepath.Join(dir, "[0-9][0-9]_*.ipynb"))
	checked := 0
	for _, p := range nbs {
		html := strings.TrimSuffix(p, ".ipynb") + ".html"
		hs, err := os.Stat(html)
		ns, err2 := os.Stat(p)
		if err != nil || err2 != nil || hs.ModTime().Before(ns.ModTime()) {
			continue // no export, or one older than the notebook (run with NoHTML)
		}
		nb, err := Read(p)
		if err != nil {
			t.Fatal(err)
		}
		figs := NotebookFigures(nb)
		for _, pr := range CheckFigures(nb, html) {
			t.Errorf("%s", pr)
		}
		t.Logf("%s: %d figures in the notebook and its export", filepath.Base(p), len(figs))
		checked++
	}
	if checked == 0 {
		t.Skipf("no executed chapter with its HTML export in %s (run `tfm notebooks run`)", dir)
	}
}
