// Package viz draws the course's figures offline, in Go: maps of trajectories
// over a road network (own renderer, lon/lat projected with the right aspect)
// and line, scatter, heatmap and bar charts (gonum/plot). Every figure renders
// to SVG and PNG, shows inline in a GoNB notebook with Show, and saves to a
// file with Save. Nothing is fetched from a CDN.
package viz

import (
	"bytes"
	"fmt"
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

// Show displays the figure inline in a GoNB notebook. It sends the SVG and a
// PNG rendering in one output: Jupyter shows the SVG, or the PNG where SVG is
// not allowed (an untrusted notebook). Outside a notebook it prints a one-line
// note to stderr. Rendering errors panic, so a broken figure fails the run.
func Show(f Figure) {
	svg, err := f.SVG()
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
		protocol.MIMEImageSVG:  stripXMLHeader(string(svg)),
		protocol.MIMEImagePNG:  png, // []byte: sent base64-encoded, as Jupyter wants
		protocol.MIMETextPlain: describe(f),
	}})
}

// ShowSVG displays only the SVG, as inline HTML (smaller notebooks; hidden in untrusted notebooks).
func ShowSVG(f Figure) {
	svg, err := f.SVG()
	if err != nil {
		panic(err)
	}
	if !gonbui.IsNotebook {
		fmt.Fprintf(os.Stderr, "viz.ShowSVG: not in a GoNB notebook; figure not shown (use viz.Save)\n")
		return
	}
	gonbui.DisplayHTML("<div class=\"tfm-figure\">" + stripXMLHeader(string(svg)) + "</div>")
}

// describe is the text/plain fallback of a figure.
func describe(f Figure) string {
	switch v := f.(type) {
	case *Map:
		return "map: " + v.title
	case *Chart:
		return "chart: " + v.Plot.Title.Text
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
