package notebook

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"github.com/tfm-course/course/tfm/output"
	"html"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// SiteOptions configure BuildSite.
type SiteOptions struct {
	Run Options // the runner's settings; Run.OutDir defaults to DIR/run
	// Screenshots: take headless-Chromium screenshots of each chapter's top
	// (in Jupyter, with ScreenshotScript) and of its figures (the site's
	// figure page, network disabled). Skipped with a message when Chromium
	// or the script is missing.
	Screenshots      bool
	ScreenshotScript string    // default: kernels/screenshot.sh of the repository
	Log              io.Writer // default os.Stderr
	// Force replaces files in the site's folder that are not its own
	// earlier, unchanged output (tfm/output); without it they are refused.
	Force bool
}

// SiteChapter is one chapter of the site, as the index lists it.
type SiteChapter struct {
	Name        string   `json:"name"` // 08_contrastive
	Title       string   `json:"title"`
	Summary     string   `json:"summary"` // the first Markdown paragraph, plain text
	Seconds     float64  `json:"seconds"`
	OK          bool     `json:"ok"`
	Problems    []string `json:"problems,omitempty"`
	Page        string   `json:"page,omitempty"`          // NAME.html, relative to the site
	FigurePage  string   `json:"figure_page,omitempty"`   // NAME-figures.html
	Figures     []string `json:"figures"`                 // figures/NAME-K.svg|png
	Screenshots []string `json:"screenshots,omitempty"`   // screenshots/NAME-top.png, …
	External    []string `json:"external_refs,omitempty"` // network references left in Page (none expected)
}

// BuildSite executes the chapters (the runner, full size unless
// opt.Run.Quick) and writes an offline static site to dir: see WriteSite.
func BuildSite(ctx context.Context, dir string, paths []string, opt SiteOptions) ([]SiteChapter, error) {
	if opt.Run.OutDir == "" {
		opt.Run.OutDir = filepath.Join(dir, "run")
	}
	opt.Run.NoHTML = false
	results, err := Run(ctx, paths, opt.Run)
	if err != nil && len(results) == 0 {
		return nil, err
	}
	chapters, werr := WriteSite(dir, results, opt)
	if err == nil {
		err = werr
	}
	return chapters, err
}

// WriteSite writes the site of the runner's results to dir: index.html
// (each chapter's title, summary, run time, status and figure thumbnails),
// each chapter's exported HTML made offline (network scripts removed or
// replaced by local copies under _static/), a figure page per chapter,
// the figures as files, site.json, and with opt.Screenshots the
// screenshots. Every page opens from the file system with no network.
func WriteSite(dir string, results []Result, opt SiteOptions) ([]SiteChapter, error) {
	if opt.Log == nil {
		opt.Log = os.Stderr
	}
	out, err := output.OpenDir(dir, opt.Force)
	if err != nil {
		return nil, err
	}
	for _, sub := range []string{"figures", "screenshots"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, err
		}
	}
	var chapters []SiteChapter
	for _, r := range results {
		name := strings.TrimSuffix(filepath.Base(r.Notebook), filepath.Ext(r.Notebook))
		c := SiteChapter{Name: name, Title: name, Seconds: r.Duration.Seconds(), OK: !r.Failed(), Figures: []string{}}
		for _, p := range r.Problems {
			c.Problems = append(c.Problems, p.String())
		}
		if r.Err != nil {
			c.Problems = append(c.Problems, r.Err.Error())
		}
		src := r.Executed
		if src == "" {
			src = r.Notebook
		}
		nb, nbErr := Read(src)
		if nbErr == nil {
			c.Title, c.Summary = titleAndSummary(nb, name)
			figs, err := writeFigures(out, name, nb)
			if err != nil {
				return nil, err
			}
			c.Figures = figs
		}
		if r.HTML != "" {
			b, err := os.ReadFile(r.HTML)
			if err != nil {
				return nil, err
			}
			page := string(b)
			if nbErr == nil {
				var n int
				if page, n = restoreSVGs(page, nb); n > 0 {
					fmt.Fprintf(opt.Log, "site: %s: %d SVG figure(s) emptied by the HTML export embedded again from the notebook\n", name, n)
				}
			}
			page, ext, err := offlineHTML(dir, page)
			if err != nil {
				return nil, err
			}
			if loc := bodyRe.FindStringIndex(page); loc != nil {
				page = page[:loc[1]] + `<p style="font:14px sans-serif;margin:8px"><a href="index.html">← course index</a></p>` + page[loc[1]:]
			}
			c.Page, c.External = name+".html", ext
			if err := out.WriteFile(c.Page, []byte(page)); err != nil {
				return nil, err
			}
		}
		c.FigurePage = name + "-figures.html"
		if err := out.WriteFile(c.FigurePage, []byte(figurePage(c))); err != nil {
			return nil, err
		}
		chapters = append(chapters, c)
	}
	if opt.Screenshots {
		takeScreenshots(out, results, chapters, opt)
	}
	if err := out.WriteFile("index.html", []byte(indexPage(chapters))); err != nil {
		return nil, err
	}
	b, _ := json.MarshalIndent(chapters, "", " ")
	if err := out.WriteFile("site.json", append(b, '\n')); err != nil {
		return nil, err
	}
	fmt.Fprintf(opt.Log, "site: %d chapter(s) in %s (open %s)\n", len(chapters), dir, filepath.Join(dir, "index.html"))
	return chapters, nil
}

// RebuildSite rewrites the site in dir from its earlier run (dir/run and
// dir/site.json) without executing anything: for a change of the site's
// pages, or screenshots taken again.
func RebuildSite(dir string, opt SiteOptions) ([]SiteChapter, error) {
	b, err := os.ReadFile(filepath.Join(dir, "site.json"))
	if err != nil {
		return nil, fmt.Errorf("no earlier site to rebuild: %w", err)
	}
	var old []SiteChapter
	if err := json.Unmarshal(b, &old); err != nil {
		return nil, fmt.Errorf("%s/site.json: %w", dir, err)
	}
	run := opt.Run.OutDir
	if run == "" {
		run = filepath.Join(dir, "run")
	}
	var results []Result
	for _, c := range old {
		r := Result{Notebook: c.Name + ".ipynb", Duration: time.Duration(c.Seconds * float64(time.Second))}
		if _, err := os.Stat(filepath.Join(run, c.Name+".ipynb")); err == nil {
			r.Executed = filepath.Join(run, c.Name+".ipynb")
		}
		if _, err := os.Stat(filepath.Join(run, c.Name+".html")); err == nil {
			r.HTML = filepath.Join(run, c.Name+".html")
		}
		if len(c.Problems) > 0 {
			r.Err = fmt.Errorf("%s", strings.Join(c.Problems, "\n"))
		}
		results = append(results, r)
	}
	return WriteSite(dir, results, opt)
}

// titleAndSummary are the first Markdown heading and the first paragraph
// that is not a heading, as plain text.
func titleAndSummary(nb *Notebook, name string) (title, summary string) {
	title = name
	for _, c := range nb.Cells {
		if c.CellType != "markdown" {
			continue
		}
		for _, para := range strings.Split(strings.ReplaceAll(string(c.Source), "\r\n", "\n"), "\n\n") {
			para = strings.TrimSpace(para)
			if para == "" {
				continue
			}
			if strings.HasPrefix(para, "#") {
				if title == name {
					first, rest, _ := strings.Cut(para, "\n")
					title = strings.TrimSpace(strings.TrimLeft(first, "#"))
					if rest = strings.TrimSpace(rest); rest != "" && summary == "" && !strings.HasPrefix(rest, "#") {
						summary = rest
					}
				}
				continue
			}
			if summary == "" {
				summary = para
			}
		}
		if summary != "" {
			break
		}
	}
	return title, strings.Join(strings.Fields(summary), " ")
}

var (
	bodyRe     = regexp.MustCompile(`(?i)<body[^>]*>`)
	svgSlotRe  = regexp.MustCompile(`data-mime-type="image/svg\+xml">|class="output_svg[^"]*">`)
	drawingRe  = regexp.MustCompile(`<(path|rect|circle|ellipse|line|polyline|polygon|image|use)\b`)
	svgCloseRe = regexp.MustCompile(`</svg>`)
)

// restoreSVGs puts back the SVG figures an nbconvert sanitiser emptied
// (an <svg> left without drawing elements): the k-th SVG output of the
// page becomes an <img> with the notebook's k-th SVG output as a data URI.
// Nothing changes when the counts differ or the figures survived.
func restoreSVGs(page string, nb *Notebook) (string, int) {
	var svgs []string
	for _, c := range nb.Cells {
		for _, o := range c.Outputs {
			if o.OutputType != "display_data" && o.OutputType != "execute_result" {
				continue
			}
			if _, html := o.Data["text/html"]; html {
				continue
			}
			if raw, ok := o.Data["image/svg+xml"]; ok {
				var t Text
				if json.Unmarshal(raw, &t) == nil {
					svgs = append(svgs, string(t))
				}
			}
		}
	}
	slots := svgSlotRe.FindAllStringIndex(page, -1)
	if len(slots) == 0 || len(slots) != len(svgs) {
		return page, 0
	}
	var b strings.Builder
	last, n := 0, 0
	for i, sl := range slots {
		rest := page[sl[1]:]
		open := strings.Index(rest, "<svg")
		end := svgCloseRe.FindStringIndex(rest)
		if open < 0 || end == nil || end[0] < open {
			continue
		}
		inline := rest[open:end[1]]
		if drawingRe.MatchString(inline) {
			continue // survived the export
		}
		b.WriteString(page[last : sl[1]+open])
		fmt.Fprintf(&b, `<img src="data:image/svg+xml;base64,%s" alt="figure">`, base64.StdEncoding.EncodeToString([]byte(svgs[i])))
		last = sl[1] + end[1]
		n++
	}
	b.WriteString(page[last:])
	return b.String(), n
}

var dataImgRe = regexp.MustCompile(`src="data:image/(png|svg\+xml|jpeg|gif)(;base64)?,([^"]*)"`)

// writeFigures writes every figure the notebook displays (one per
// image output; PNG, SVG or data-URI <img> in HTML outputs) to
// figures/NAME-K.EXT of the site's folder and returns their paths
// relative to it.
func writeFigures(out *output.Dir, name string, nb *Notebook) ([]string, error) {
	var files []string
	add := func(ext string, data []byte) error {
		rel := fmt.Sprintf("figures/%s-%d.%s", name, len(files)+1, ext)
		files = append(files, rel)
		return out.WriteFile(rel, data)
	}
	for _, c := range nb.Cells {
		for _, o := range c.Outputs {
			if o.OutputType != "display_data" && o.OutputType != "execute_result" {
				continue
			}
			if raw, ok := o.Data["image/svg+xml"]; ok {
				var t Text
				if json.Unmarshal(raw, &t) == nil && t != "" {
					if err := add("svg", []byte(t)); err != nil {
						return nil, err
					}
					continue
				}
			}
			if raw, ok := o.Data["image/png"]; ok {
				var t Text
				if json.Unmarshal(raw, &t) == nil {
					b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(t)), ""))
					if err == nil && len(b) > 0 {
						if err := add("png", b); err != nil {
							return nil, err
						}
						continue
					}
				}
			}
			if raw, ok := o.Data["text/html"]; ok {
				var t Text
				if json.Unmarshal(raw, &t) != nil {
					continue
				}
				for _, m := range dataImgRe.FindAllStringSubmatch(string(t), -1) {
					ext := map[string]string{"svg+xml": "svg"}[m[1]]
					if ext == "" {
						ext = m[1]
					}
					var b []byte
					var err error
					if m[2] != "" {
						b, err = base64.StdEncoding.DecodeString(m[3])
					} else {
						var s string
						s, err = url.PathUnescape(html.UnescapeString(m[3]))
						b = []byte(s)
					}
					if err == nil && len(b) > 0 {
						if err := add(ext, b); err != nil {
							return nil, err
						}
					}
				}
			}
		}
	}
	return files, nil
}

var (
	scriptSrcRe = regexp.MustCompile(`(?is)<script[^>]*\bsrc="([^"]*)"[^>]*>\s*</script>`)
	linkHrefRe  = regexp.MustCompile(`(?is)<link[^>]*\bhref="([^"]*)"[^>]*>`)
	externalRe  = regexp.MustCompile(`(?i)(?:src|href)="((?:https?:)?//[^"]*|file:[^"]*)"|@import\s+url\(\s*['"]?((?:https?:)?//[^)'"]*)`)
)

// offlineHTML rewrites an nbconvert page so it loads nothing from the
// network or outside the site: require.js and MathJax given as file://
// paths (Debian's nbconvert) are copied under dir/_static and linked
// relatively; other external scripts and stylesheets are removed. It
// returns the page and the external references left in src/href
// attributes of anything but links a reader clicks (none expected).
func offlineHTML(dir, page string) (string, []string, error) {
	var ferr error
	local := func(u string) (string, bool) {
		p := strings.TrimPrefix(u, "file://")
		p, _, _ = strings.Cut(p, "?")
		if !strings.HasPrefix(u, "file://") {
			// A CDN reference: use the system's copy when there is one.
			switch {
			case strings.Contains(u, "require") && strings.HasSuffix(p, ".js"):
				p = "/usr/share/javascript/requirejs/require.min.js"
			case strings.Contains(u, "MathJax.js"):
				p = "/usr/share/javascript/mathjax/MathJax.js"
			default:
				return "", false
			}
		}
		if _, err := os.Stat(p); err != nil {
			return "", false
		}
		_, query, _ := strings.Cut(u, "?")
		if query != "" {
			query = "?" + query
		}
		if filepath.Base(p) == "MathJax.js" {
			if err := copyMathJax(filepath.Dir(p), filepath.Join(dir, "_static", "mathjax")); err != nil {
				ferr = err
				return "", false
			}
			return "_static/mathjax/MathJax.js" + query, true
		}
		dst := filepath.Join(dir, "_static", filepath.Base(p))
		if err := copyFile(p, dst); err != nil {
			ferr = err
			return "", false
		}
		return "_static/" + filepath.Base(p) + query, true
	}
	page = scriptSrcRe.ReplaceAllStringFunc(page, func(tag string) string {
		u := scriptSrcRe.FindStringSubmatch(tag)[1]
		if !isExternal(u) {
			return tag
		}
		if rel, ok := local(u); ok {
			return strings.Replace(tag, `"`+u+`"`, `"`+rel+`"`, 1)
		}
		return "<!-- removed for offline use: " + html.EscapeString(u) + " -->"
	})
	page = linkHrefRe.ReplaceAllStringFunc(page, func(tag string) string {
		u := linkHrefRe.FindStringSubmatch(tag)[1]
		if isExternal(u) {
			return "<!-- removed for offline use: " + html.EscapeString(u) + " -->"
		}
		return tag
	})
	if ferr != nil {
		return "", nil, ferr
	}
	return page, ExternalRefs(page), nil
}

// ExternalRefs are the network or file:// references a page would load:
// src attributes, stylesheet links and CSS imports (not <a href> links).
func ExternalRefs(page string) []string {
	var refs []string
	for _, m := range externalRe.FindAllStringSubmatchIndex(page, -1) {
		u := ""
		if m[2] >= 0 {
			u = page[m[2]:m[3]]
			// <a href="https://…"> is a link to click, not a load.
			start := strings.LastIndex(page[:m[0]], "<")
			if start >= 0 && strings.HasPrefix(strings.ToLower(page[start:]), "<a ") {
				continue
			}
		} else {
			u = page[m[4]:m[5]]
		}
		refs = append(refs, u)
	}
	return refs
}

func isExternal(u string) bool {
	l := strings.ToLower(u)
	return strings.HasPrefix(l, "http:") || strings.HasPrefix(l, "https:") || strings.HasPrefix(l, "//") || strings.HasPrefix(l, "file:")
}

// copyMathJax copies the parts of a MathJax 2 tree nbconvert's
// TeX-AMS_CHTML-full configuration loads (about 1.5 MB of its 50).
func copyMathJax(src, dst string) error {
	for _, part := range []string{"MathJax.js", "config/TeX-AMS_CHTML-full.js", "extensions", "jax/input/TeX", "jax/output/CommonHTML",
		"jax/element", "fonts/HTML-CSS/TeX/woff", "localization/en"} {
		root := filepath.Join(src, part)
		if _, err := os.Stat(root); err != nil {
			continue
		}
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(src, p)
			return copyFile(p, filepath.Join(dst, rel))
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	if st, err := os.Stat(dst); err == nil && st.Size() > 0 {
		return nil
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}

const siteCSS = `body{font:15px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1200px;padding:0 16px;color:#222}
h1{font-size:26px}.ch{border-top:1px solid #ddd;padding:14px 0}.ch h2{margin:0 0 4px;font-size:19px}
.meta{color:#555;font-size:13px}.bad{color:#b00020;font-weight:bold}.ok{color:#1b7a1b}
.thumbs img{height:110px;max-width:200px;object-fit:contain;border:1px solid #ddd;margin:4px 6px 0 0;background:#fff}
.shots img{height:160px;border:1px solid #ccc;margin:4px 6px 0 0}
.figs{display:grid;grid-template-columns:1fr 1fr;gap:16px}.figs figure{margin:0;border:1px solid #ddd;padding:6px;height:380px}
.figs img{width:100%;height:340px;object-fit:contain}figcaption{font-size:12px;color:#555}`

// indexPage is the site's index.html.
func indexPage(chapters []SiteChapter) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>TFM course</title><style>%s</style></head><body>\n", siteCSS)
	total := 0.0
	for _, c := range chapters {
		total += c.Seconds
	}
	fmt.Fprintf(&b, "<h1>Trajectory foundation models in Go — the course</h1>\n<p class=\"meta\">%d chapters, %.0f s of run time in all; site written %s; every page works offline.</p>\n",
		len(chapters), total, time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	for _, c := range chapters {
		fmt.Fprintf(&b, "<div class=\"ch\" id=\"%s\">\n<h2>", html.EscapeString(c.Name))
		if c.Page != "" {
			fmt.Fprintf(&b, "<a href=\"%s\">%s</a>", html.EscapeString(c.Page), html.EscapeString(c.Title))
		} else {
			b.WriteString(html.EscapeString(c.Title))
		}
		status := `<span class="ok">ok</span>`
		if !c.OK {
			status = fmt.Sprintf(`<span class="bad">FAILED (%d problem(s))</span>`, len(c.Problems))
		}
		fmt.Fprintf(&b, "</h2>\n<div class=\"meta\">%s.ipynb · ran in %.1f s · %s · %d figure(s) · <a href=\"%s\">figures</a></div>\n",
			html.EscapeString(c.Name), c.Seconds, status, len(c.Figures), html.EscapeString(c.FigurePage))
		fmt.Fprintf(&b, "<p>%s</p>\n", mdInline(c.Summary))
		for _, p := range c.Problems {
			fmt.Fprintf(&b, "<pre class=\"bad\">%s</pre>\n", html.EscapeString(p))
		}
		if len(c.Figures) > 0 {
			b.WriteString("<div class=\"thumbs\">")
			for _, f := range c.Figures {
				fmt.Fprintf(&b, `<a href="%s"><img src="%s" alt="%s" loading="lazy"></a>`, html.EscapeString(c.FigurePage), html.EscapeString(f), html.EscapeString(filepath.Base(f)))
			}
			b.WriteString("</div>\n")
		}
		if len(c.Screenshots) > 0 {
			b.WriteString("<div class=\"shots\">Screenshots (headless Chromium): ")
			for _, s := range c.Screenshots {
				fmt.Fprintf(&b, `<a href="%s"><img src="%s" alt="%s"></a>`, html.EscapeString(s), html.EscapeString(s), html.EscapeString(filepath.Base(s)))
			}
			b.WriteString("</div>\n")
		}
		b.WriteString("</div>\n")
	}
	b.WriteString("</body></html>\n")
	return b.String()
}

// figurePage shows every figure of one chapter, two a row.
func figurePage(c SiteChapter) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%s — figures</title><style>%s</style></head><body>\n", html.EscapeString(c.Title), siteCSS)
	fmt.Fprintf(&b, "<p><a href=\"index.html\">← course index</a></p><h1>%s: %d figure(s)</h1>\n<div class=\"figs\">\n", html.EscapeString(c.Title), len(c.Figures))
	for i, f := range c.Figures {
		fmt.Fprintf(&b, "<figure><img src=\"%s\" alt=\"figure %d\"><figcaption>figure %d · %s</figcaption></figure>\n", html.EscapeString(f), i+1, i+1, html.EscapeString(filepath.Base(f)))
	}
	b.WriteString("</div></body></html>\n")
	return b.String()
}

var (
	codeRe   = regexp.MustCompile("`([^`]+)`")
	strongRe = regexp.MustCompile(`\*\*([^*]+)\*\*`)
	emRe     = regexp.MustCompile(`\*([^*\s][^*]*)\*`)
	linkRe   = regexp.MustCompile(`\[([^\]]+)\]\([^)]*\)`)
)

// mdInline is Markdown text with `code`, **strong** and *emphasis* spans
// as HTML (links keep their text only), HTML-escaped.
func mdInline(s string) string {
	s = linkRe.ReplaceAllString(html.EscapeString(s), "$1")
	s = codeRe.ReplaceAllString(s, "<code>$1</code>")
	s = strongRe.ReplaceAllString(s, "<strong>$1</strong>")
	return emRe.ReplaceAllString(s, "<em>$1</em>")
}

// takeScreenshots adds screenshots/NAME-top.png (the chapter's top in
// Jupyter, via kernels/screenshot.sh) and screenshots/NAME-figures.png (its
// figure page in Chromium with the network disabled) to each chapter.
func takeScreenshots(out *output.Dir, results []Result, chapters []SiteChapter, opt SiteOptions) {
	dir := out.Path()
	// shoot runs take, which writes the file rel of the site, when rel may
	// be written there, and records it as the site's own.
	shoot := func(rel string, take func(path string) error) error {
		if err := out.Check(rel); err != nil {
			return err
		}
		if err := take(filepath.Join(dir, rel)); err != nil {
			return err
		}
		return out.Adopt(rel)
	}
	browser := ""
	for _, b := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(b); err == nil {
			browser = p
			break
		}
	}
	if browser == "" {
		fmt.Fprintf(opt.Log, "site: no screenshots: chromium not found (Debian: apt-get install -y chromium)\n")
		return
	}
	script := opt.ScreenshotScript
	if script == "" {
		if root, err := RepoRoot("."); err == nil {
			script = filepath.Join(root, "kernels", "screenshot.sh")
		}
	}
	for i := range chapters {
		c := &chapters[i]
		if r := results[i]; r.Executed != "" && script != "" {
			top := filepath.Join("screenshots", c.Name+"-top.png")
			if err := shoot(top, func(path string) error {
				if b, err := exec.Command("bash", script, r.Executed, path, "1280x1600").CombinedOutput(); err != nil {
					return fmt.Errorf("%w\n%s", err, tail(string(b), 5))
				}
				return nil
			}); err != nil {
				fmt.Fprintf(opt.Log, "site: screenshot of %s in Jupyter failed: %v\n", c.Name, err)
			} else {
				c.Screenshots = append(c.Screenshots, top)
			}
		}
		if len(c.Figures) > 0 {
			shot := filepath.Join("screenshots", c.Name+"-figures.png")
			if err := shoot(shot, func(path string) error {
				return chromeShot(browser, filepath.Join(dir, c.FigurePage), path, 1280, 140+396*((len(c.Figures)+1)/2))
			}); err != nil {
				fmt.Fprintf(opt.Log, "site: screenshot of %s's figures failed: %v\n", c.Name, err)
			} else {
				c.Screenshots = append(c.Screenshots, shot)
			}
		}
		fmt.Fprintf(opt.Log, "site: %s: %d screenshot(s)\n", c.Name, len(c.Screenshots))
	}
}

// chromeShot screenshots a local page in headless Chromium with every
// host unresolvable (so a page that needs the network shows it).
func chromeShot(browser, page, out string, w, h int) error {
	abs, err := filepath.Abs(page)
	if err != nil {
		return err
	}
	absOut, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	profile, err := os.MkdirTemp("", "tfm-site-chrome")
	if err != nil {
		return err
	}
	defer os.RemoveAll(profile)
	cmd := exec.Command(browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
		"--disable-background-networking", "--host-resolver-rules=MAP * ~NOTFOUND", "--user-data-dir="+profile,
		fmt.Sprintf("--window-size=%d,%d", w, h), "--virtual-time-budget=10000", "--allow-file-access-from-files",
		"--screenshot="+absOut, "file://"+abs)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%v: %s", err, tail(string(b), 5))
	}
	if st, err := os.Stat(absOut); err != nil || st.Size() == 0 {
		return fmt.Errorf("no screenshot written to %s", out)
	}
	return nil
}
