package notebook

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	_ "image/gif" // DecodeConfig of exported GIF figures
	_ "image/jpeg"
	_ "image/png"
	"net/url"
	"os"
	"regexp"
	"strings"
)

// Figure is one figure found in a notebook's outputs or in its exported HTML.
type Figure struct {
	Cell  int    // 0-based cell index (-1 when unknown: figures found in HTML)
	Kind  string // "svg" (inline), "img svg", "img png", "png", …
	Empty string // why the figure shows nothing ("" when it draws something)
}

// displayOrder is nbconvert's choice among an output's representations: the
// first present is the one exported (and the one Jupyter shows).
var displayOrder = []string{"text/html", "image/svg+xml", "image/png", "image/jpeg", "image/gif"}

// NotebookFigures lists the figures an executed notebook displays: for each
// display or result output, the figures of the representation nbconvert
// exports (the <img>s with data: URIs and <svg>s of text/html, or one SVG or
// raster image). Empty says why a figure is empty (no drawing elements, zero
// size, no data).
func NotebookFigures(nb *Notebook) []Figure {
	var figs []Figure
	for i, c := range nb.Cells {
		if c.CellType != "code" {
			continue
		}
		for _, o := range c.Outputs {
			if o.OutputType != "display_data" && o.OutputType != "execute_result" {
				continue
			}
			for _, mime := range displayOrder {
				raw, ok := o.Data[mime]
				if !ok {
					continue
				}
				var t Text
				if err := json.Unmarshal(raw, &t); err != nil {
					figs = append(figs, Figure{Cell: i, Kind: mime, Empty: "unreadable " + mime + " data"})
					break
				}
				switch mime {
				case "text/html":
					for _, f := range HTMLFigures(string(t)) {
						f.Cell = i
						figs = append(figs, f)
					}
				case "image/svg+xml":
					figs = append(figs, Figure{Cell: i, Kind: "svg", Empty: svgEmpty(string(t))})
				default:
					figs = append(figs, Figure{Cell: i, Kind: strings.TrimPrefix(mime, "image/"), Empty: rasterEmpty(strings.TrimSpace(string(t)))})
				}
				break
			}
		}
	}
	return figs
}

var (
	imgTag    = regexp.MustCompile(`(?is)<img\b[^>]*>`)
	svgOpen   = regexp.MustCompile(`(?i)<svg\b`)
	svgClose  = regexp.MustCompile(`(?i)</svg\s*>`)
	drawElem  = regexp.MustCompile(`(?i)<(path|rect|circle|ellipse|line|polyline|polygon|image|use)\b`)
	attrSrc   = regexp.MustCompile(`(?is)\bsrc\s*=\s*("([^"]*)"|'([^']*)')`)
	attrZero  = regexp.MustCompile(`(?i)\s(width|height)\s*=\s*("0+(\.0*)?(px|pt)?"|'0+(\.0*)?(px|pt)?'|0+(\.0*)?(px|pt)?[\s/>])`)
	dataURI   = regexp.MustCompile(`(?is)^data:image/([a-z0-9.+-]+)(;[^,]*)?,(.*)$`)
	svgSizeOf = regexp.MustCompile(`(?is)^<svg\b[^>]*>`)
)

// HTMLFigures lists the figures of an HTML document or fragment: every <img>
// whose src is a data:image URI and every outermost inline <svg>, in order.
// <img>s pointing at files are not figures the export embeds and are skipped.
func HTMLFigures(doc string) []Figure {
	type hit struct {
		at int
		f  Figure
	}
	var hits []hit
	for _, loc := range imgTag.FindAllStringIndex(doc, -1) {
		tag := doc[loc[0]:loc[1]]
		m := attrSrc.FindStringSubmatch(tag)
		if m == nil {
			continue
		}
		src := strings.TrimSpace(m[2] + m[3])
		d := dataURI.FindStringSubmatch(src)
		if d == nil {
			if src == "" {
				hits = append(hits, hit{loc[0], Figure{Cell: -1, Kind: "img", Empty: "<img> without data"}})
			}
			continue
		}
		f := Figure{Cell: -1, Kind: "img " + strings.TrimSuffix(d[1], "+xml")}
		data, err := decodeData(d[2], d[3])
		switch {
		case err != nil:
			f.Empty = "undecodable data: URI: " + err.Error()
		case len(data) == 0:
			f.Empty = "<img> with empty data"
		case attrZero.MatchString(tag):
			f.Empty = "<img> of zero width or height"
		case strings.HasPrefix(strings.ToLower(d[1]), "svg"):
			f.Empty = svgEmpty(string(data))
		default:
			f.Empty = rasterBytesEmpty(data)
		}
		hits = append(hits, hit{loc[0], f})
	}
	// Outermost <svg> elements (an <svg> nested in another is part of it).
	for pos := 0; ; {
		loc := svgOpen.FindStringIndex(doc[pos:])
		if loc == nil {
			break
		}
		start := pos + loc[0]
		end := svgEnd(doc, start)
		hits = append(hits, hit{start, Figure{Cell: -1, Kind: "svg", Empty: svgEmpty(doc[start:end])}})
		pos = end
	}
	// Both lists are in document order; merge them.
	for i := 1; i < len(hits); i++ {
		for j := i; j > 0 && hits[j].at < hits[j-1].at; j-- {
			hits[j], hits[j-1] = hits[j-1], hits[j]
		}
	}
	figs := make([]Figure, len(hits))
	for i, h := range hits {
		figs[i] = h.f
	}
	return figs
}

// svgEnd is the index just past the </svg> closing the <svg> at start
// (nesting counted), or len(doc) when it is never closed.
func svgEnd(doc string, start int) int {
	depth, pos := 0, start
	for {
		o := svgOpen.FindStringIndex(doc[pos:])
		c := svgClose.FindStringIndex(doc[pos:])
		switch {
		case c == nil:
			return len(doc)
		case o != nil && o[0] < c[0]:
			depth++
			pos += o[1]
		default:
			depth--
			pos += c[1]
			if depth == 0 {
				return pos
			}
		}
	}
}

func decodeData(params, payload string) ([]byte, error) {
	if strings.Contains(strings.ToLower(params), ";base64") {
		payload = strings.Map(func(r rune) rune {
			if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
				return -1
			}
			return r
		}, payload)
		return base64.StdEncoding.DecodeString(payload)
	}
	s, err := url.PathUnescape(payload)
	return []byte(s), err
}

// svgEmpty says why an SVG draws nothing: no drawing element (what nbconvert
// 6.5's sanitiser leaves of an inline <svg>), or a zero width or height.
func svgEmpty(svg string) string {
	if !drawElem.MatchString(svg) {
		return "<svg> without drawing elements (path, rect, circle, line, polygon, image, …)"
	}
	if open := svgSizeOf.FindString(strings.TrimSpace(svg[max(0, strings.Index(strings.ToLower(svg), "<svg")):])); open != "" && attrZero.MatchString(open) {
		return "<svg> of zero width or height"
	}
	return ""
}

// rasterEmpty checks a base64 raster image of an ipynb output.
func rasterEmpty(b64 string) string {
	if b64 == "" {
		return "no image data"
	}
	data, err := decodeData(";base64", b64)
	if err != nil {
		return "undecodable image data: " + err.Error()
	}
	return rasterBytesEmpty(data)
}

func rasterBytesEmpty(data []byte) string {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return "zero-size or unreadable image: " + err.Error()
	}
	if cfg.Width == 0 || cfg.Height == 0 {
		return fmt.Sprintf("zero-size image (%dx%d)", cfg.Width, cfg.Height)
	}
	return ""
}

// CheckFigures compares the figures an executed notebook displays with those
// of its HTML export (htmlPath): every figure must be in the export and draw
// something there. Problems name the cell of the figure when the two lists
// line up (same count), else the notebook as a whole.
func CheckFigures(nb *Notebook, htmlPath string) []Problem {
	b, err := os.ReadFile(htmlPath)
	if err != nil {
		return []Problem{{Notebook: nb.Path, Cell: -1, Reason: "figures: " + err.Error()}}
	}
	return compareFigures(nb, NotebookFigures(nb), HTMLFigures(string(b)))
}

func compareFigures(nb *Notebook, want, got []Figure) []Problem {
	var out []Problem
	add := func(cell int, reason string) {
		p := Problem{Notebook: nb.Path, Cell: cell, Reason: reason, Source: "(figures of the whole notebook)"}
		if cell >= 0 {
			p.CodeCell, p.Source = nb.CodeCellNumber(cell), describeCell(string(nb.Cells[cell].Source))
		}
		out = append(out, p)
	}
	for _, f := range want {
		if f.Empty != "" {
			add(f.Cell, "empty figure in the notebook: "+f.Empty)
		}
	}
	if len(got) != len(want) {
		add(-1, fmt.Sprintf("the exported HTML holds %d figures, the notebook displays %d", len(got), len(want)))
	}
	for i, f := range got {
		if f.Empty == "" {
			continue
		}
		cell := -1
		if len(got) == len(want) {
			cell = want[i].Cell
			if want[i].Empty != "" {
				continue // reported above
			}
		}
		add(cell, fmt.Sprintf("empty figure in the exported HTML (%s): %s", f.Kind, f.Empty))
	}
	return out
}
