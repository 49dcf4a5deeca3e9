package notebook

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tfm-course/course/tfm/output"
)

// The site of one executed chapter: index with title, summary, run time
// and thumbnails; the chapter page without network references; every
// displayed figure as a file.
func TestWriteSiteOffline(t *testing.T) {
	dir := t.TempDir()
	res := []Result{{Notebook: "notebooks/99_tiny.ipynb", Executed: "testdata/site/99_tiny.ipynb", HTML: "testdata/site/99_tiny.html",
		Duration: 12300 * time.Millisecond}}
	chapters, err := WriteSite(dir, res, SiteOptions{Log: os.Stderr})
	if err != nil {
		t.Fatal(err)
	}
	c := chapters[0]
	if c.Title != "Chapter 99 — A tiny chapter" || c.Summary != "It shows `two` figures of a tiny city." || !c.OK {
		t.Errorf("title %q summary %q ok %v", c.Title, c.Summary, c.OK)
	}
	if len(c.Figures) != 2 || !strings.HasSuffix(c.Figures[0], ".svg") || !strings.HasSuffix(c.Figures[1], ".png") {
		t.Fatalf("figures %v, want the SVG of the bundle and the PNG of the <img>", c.Figures)
	}
	for _, f := range c.Figures {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("figure %s: %v", f, err)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	index := string(b)
	for _, want := range []string{`<a href="99_tiny.html">Chapter 99 — A tiny chapter</a>`, "It shows <code>two</code> figures of a tiny city.",
		"ran in 12.3 s", `<img src="figures/99_tiny-1.svg"`, `<img src="figures/99_tiny-2.png"`} {
		if !strings.Contains(index, want) {
			t.Errorf("index.html lacks %q", want)
		}
	}
	page, err := os.ReadFile(filepath.Join(dir, "99_tiny.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), `<a href="index.html">← course index</a>`) {
		t.Errorf("chapter page has no link back to the index")
	}
	if refs := ExternalRefs(string(page)); len(refs) > 0 {
		t.Errorf("chapter page still loads %v", refs)
	}
	if refs := ExternalRefs(index); len(refs) > 0 {
		t.Errorf("index loads %v", refs)
	}
	if !strings.Contains(string(page), `href="https://github.com/janpfeifer/gonb"`) || !strings.Contains(string(page), "data:image/png;base64,") {
		t.Errorf("chapter page lost its link or its embedded figure")
	}
	if strings.Contains(string(page), "kept text only") || !strings.Contains(string(page), `<img src="data:image/svg+xml;base64,`) {
		t.Errorf("the emptied inline SVG was not replaced by the notebook's SVG")
	}
	if _, err := os.Stat("/usr/share/javascript/mathjax/MathJax.js"); err == nil {
		if !strings.Contains(string(page), `src="_static/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"`) {
			t.Errorf("MathJax not replaced by the local copy")
		}
		if _, err := os.Stat(filepath.Join(dir, "_static/mathjax/config/TeX-AMS_CHTML-full.js")); err != nil {
			t.Error(err)
		}
	}
}

func TestMdInline(t *testing.T) {
	got := mdInline("Every **trajectory** is *one* trip: `(lon, lat)` <b> [GoNB](https://x)")
	want := "Every <strong>trajectory</strong> is <em>one</em> trip: <code>(lon, lat)</code> &lt;b&gt; GoNB"
	if got != want {
		t.Errorf("mdInline = %q, want %q", got, want)
	}
}

func TestExternalRefs(t *testing.T) {
	page := `<script src="https://cdn.x/a.js"></script><a href="https://ok.example">x</a><link rel="stylesheet" href="//cdn.x/b.css">` +
		`<img src="file:///usr/share/c.png"><style>@import url("https://fonts.x/d.css");</style><img src="figures/e.png">`
	got := strings.Join(ExternalRefs(page), " ")
	if got != "https://cdn.x/a.js //cdn.x/b.css file:///usr/share/c.png https://fonts.x/d.css" {
		t.Errorf("ExternalRefs = %q", got)
	}
}

// A site is rewritten over its own unchanged output, but never over a
// file of the user's in the folder, unless Force.
func TestWriteSiteKeepsOtherFiles(t *testing.T) {
	dir := t.TempDir()
	res := []Result{{Notebook: "notebooks/99_tiny.ipynb", Executed: "testdata/site/99_tiny.ipynb", HTML: "testdata/site/99_tiny.html"}}
	if _, err := WriteSite(dir, res, SiteOptions{Log: io.Discard}); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteSite(dir, res, SiteOptions{Log: io.Discard}); err != nil {
		t.Fatalf("rewriting the site's own output: %v", err)
	}
	mine := filepath.Join(dir, "index.html")
	if err := os.WriteFile(mine, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteSite(dir, res, SiteOptions{Log: io.Discard}); !errors.Is(err, output.ErrExists) {
		t.Fatalf("over an edited index.html: %v, want output.ErrExists", err)
	}
	if b, _ := os.ReadFile(mine); string(b) != "mine" {
		t.Fatalf("index.html replaced: %q", b)
	}
	if _, err := WriteSite(dir, res, SiteOptions{Log: io.Discard, Force: true}); err != nil {
		t.Fatalf("with Force: %v", err)
	}
}
