// Package viz draws the course's figures offline, in Go: maps of trajectories
// over a road network (own renderer, lon/lat projected with the right aspect)
// and line, scatter, heatmap and bar charts (gonum/plot). Every figure renders
// to SVG and PNG, shows inline in a GoNB notebook with Show, and saves to a
// file with Save. Nothing is fetched from a CDN.
package viz

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/protocol"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Figure is anything viz can render: *Map and *Chart.
type Figure interface {
	SVG() ([]byte, error)
	PNG() ([]byte, error)
}

// px converts CSS pixels (96 per inch) to vg lengths (points, 72 per inch).
func px(v float64) vg.Length { return vg.Length(v) * vg.Inch / 96 }

// render draws with fn on a canvas of w×h pixels and encodes it as "svg" or "png".
func render(w, h float64, format string, fn func(c draw.Canvas) error) ([]byte, error) {
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("viz: figure size %gx%g must be positive", w, h)
	}
	var buf bytes.Buffer
	switch format {
	case "svg":
		c := vgsvg.New(px(w), px(h))
		if err := fn(draw.New(c)); err != nil {
			return nil, err
		}
		if _, err := c.WriteTo(&buf); err != nil {
			return nil, err
		}
		// gonum's raster images (colour bars: 1 pixel wide, stretched) need
		// preserveAspectRatio="none", or a browser keeps their aspect and draws a hairline.
		return bytes.ReplaceAll(buf.Bytes(), []byte("<image "), []byte(`<image preserveAspectRatio="none" `)), nil
	case "png":
		c := vgimg.NewWith(vgimg.UseWH(px(w), px(h)), vgimg.UseDPI(96))
		if err := fn(draw.New(c)); err != nil {
			return nil, err
		}
		if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("viz: unknown format %q (want svg or png)", format)
	}
	return buf.Bytes(), nil
}

// Show displays the figure inline in a GoNB notebook as one output holding
// the SVG as an <img> with a data: URI (text/html), a PNG rendering and a text
// description. Jupyter shows the <img> (also in an untrusted notebook, whose
// sanitiser keeps images), nbconvert's HTML export keeps it (its sanitiser
// strips the drawing elements of inline <svg>), and viewers without HTML show
// the PNG. Outside a notebook it prints a one-line note to stderr. Rendering
// errors panic, so a broken figure fails the run.
func Show(f Figure) {
	img, err := HTML(f)
	if err != nil {
		panic(err)
	}
	png, err := f.PNG()
	if err != nil {
		panic(err)
	}
	if !gonbui.IsNotebook {
		fmt.Fprintf(os.Stderr, "viz.Show: not in a GoNB notebook; figure not shown (use viz.Save)\n")
		return
	}
	gonbui.SendData(&protocol.DisplayData{Data: map[protocol.MIMEType]any{
		protocol.MIMETextHTML:  img,
		protocol.MIMEImagePNG:  png, // []byte: sent base64-encoded, as Jupyter wants
		protocol.MIMETextPlain: describe(f),
	}})
	sent("viz.Show")
}

// sent waits until GoNB has processed what was sent (a cell that ends right
// after a large figure could otherwise exit before it arrives: seen once with
// chapter 4's road map under load) and reports a broken pipe on stderr, so a
// figure is never lost silently.
func sent(who string) {
	gonbui.Sync()
	if err := gonbui.Error(); err != nil {
		fmt.Fprintf(os.Stderr, "%s: figure not sent to the notebook: %v\n", who, err)
	}
}

// HTML renders the figure as an <img> whose src is the SVG as a base64 data:
// URI, at the figure's size in CSS pixels (max-width 100 %, so it shrinks in a
// narrow page). Unlike inline <svg>, it survives HTML sanitisers.
func HTML(f Figure) (string, error) {
	svg, err := f.SVG()
	if err != nil {
		return "", err
	}
	size := "" // unknown (e.g. a raster Picture): the SVG's own size
	if w, h := figureSize(f); w > 0 && h > 0 {
		size = fmt.Sprintf(` width="%d" height="%d"`, int(math.Round(w)), int(math.Round(h)))
	}
	alt := html.EscapeString(describe(f))
	return fmt.Sprintf(`<img class="tfm-figure" alt="%s"%s style="max-width:100%%;height:auto" src="data:image/svg+xml;base64,%s">`,
		alt, size, base64.StdEncoding.EncodeToString(svg)), nil
}

// Update shows the figure in the notebook display named id (from
// gonbui.UniqueId), replacing what that display held: one live figure that is
// redrawn in place instead of a growing list. Rendering errors are returned.
func Update(id string, f Figure) error {
	img, err := HTML(f)
	if err != nil {
		return err
	}
	if gonbui.IsNotebook {
		gonbui.UpdateHTML(id, img)
	}
	return nil
}

// figureSize is the figure's size in pixels (0×0 when unknown).
func figureSize(f Figure) (w, h float64) {
	switch v := f.(type) {
	case *Map:
		return v.width, v.height
	case *Chart:
		return v.Width, v.Height
	case *Grid:
		return v.size()
	case interface{ Size() (float64, float64) }:
		return v.Size()
	}
	return 0, 0
}

// ShowSVG displays only the SVG, as an <img> with a data: URI (smaller
// notebooks; see Show for why not inline <svg>).
func ShowSVG(f Figure) {
	img, err := HTML(f)
	if err != nil {
		panic(err)
	}
	if !gonbui.IsNotebook {
		fmt.Fprintf(os.Stderr, "viz.ShowSVG: not in a GoNB notebook; figure not shown (use viz.Save)\n")
		return
	}
	gonbui.DisplayHTML(img)
	sent("viz.ShowSVG")
}

// describe is the text/plain fallback of a figure.
func describe(f Figure) string {
	switch v := f.(type) {
	case *Map:
		return "map: " + v.title
	case *Chart:
		return "chart: " + v.Plot.Title.Text
	case *Grid:
		return fmt.Sprintf("%d panels: %s", len(v.figs), v.title)
	}
	return "figure"
}

// ShowPNG displays the figure inline as a PNG image (useful for very dense maps).
func ShowPNG(f Figure) {
	png, err := f.PNG()
	if err != nil {
		panic(err)
	}
	if !gonbui.IsNotebook {
		fmt.Fprintf(os.Stderr, "viz.ShowPNG: not in a GoNB notebook; %d bytes of PNG not shown (use viz.Save)\n", len(png))
		return
	}
	gonbui.DisplayPNG(png)
	sent("viz.ShowPNG")
}

// Save writes the figure to path, as SVG or PNG according to its extension.
func Save(f Figure, path string) error {
	var data []byte
	var err error
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".svg":
		data, err = f.SVG()
	case ".png":
		data, err = f.PNG()
	default:
		return fmt.Errorf("viz.Save %s: unknown extension %q (want .svg or .png)", path, ext)
	}
	if err != nil {
		return fmt.Errorf("viz.Save %s: %w", path, err)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	return os.WriteFile(path, data, 0o644)
}

func stripXMLHeader(svg string) string {
	if i := strings.Index(svg, "<svg"); i > 0 {
		return svg[i:]
	}
	return svg
}
