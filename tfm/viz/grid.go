package viz

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Grid lays charts and maps out as small multiples: one panel per figure,
// cols per row, under a common title, so figures that would hide each other
// as overlays (six views of one trip) sit side by side. Each panel keeps its
// own size; the cell is the largest panel.
type Grid struct {
	title string
	cols  int
	figs  []Figure
	err   error
}

// SmallMultiples lays figs (*Chart or *Map) out in a grid of cols columns.
func SmallMultiples(title string, cols int, figs ...Figure) *Grid {
	g := &Grid{title: title, cols: max(cols, 1), figs: figs}
	if len(figs) == 0 {
		g.err = fmt.Errorf("viz grid %q: no figures", title)
	}
	for i, f := range figs {
		if _, ok := f.(panel); !ok && g.err == nil {
			g.err = fmt.Errorf("viz grid %q: figure %d (%T) is not a *Chart or *Map", title, i, f)
		}
	}
	return g
}

// panel is a figure that can draw itself on part of a canvas.
type panel interface {
	drawOn(c draw.Canvas) error
}

func (g *Grid) cell() (w, h float64) {
	for _, f := range g.figs {
		fw, fh := figureSize(f)
		w, h = math.Max(w, fw), math.Max(h, fh)
	}
	return w, h
}

func (g *Grid) rows() int { return (len(g.figs) + g.cols - 1) / g.cols }

func (g *Grid) titleHeight() float64 {
	if g.title == "" {
		return 0
	}
	return 30
}

func (g *Grid) size() (w, h float64) {
	cw, ch := g.cell()
	return cw * float64(min(g.cols, len(g.figs))), ch*float64(g.rows()) + g.titleHeight()
}

// SVG renders the grid as one SVG.
func (g *Grid) SVG() ([]byte, error) { return g.render("svg") }

// PNG renders the grid as one PNG.
func (g *Grid) PNG() ([]byte, error) { return g.render("png") }

func (g *Grid) render(format string) ([]byte, error) {
	if g.err != nil {
		return nil, g.err
	}
	w, h := g.size()
	return render(w, h, format, g.drawOn)
}

func (g *Grid) drawOn(c draw.Canvas) error {
	if g.err != nil {
		return g.err
	}
	c.FillPolygon(color.White, rect(c.Rectangle))
	top := c.Max.Y
	if g.title != "" {
		c.FillText(textStyle(14, color.Black, draw.XCenter, draw.YTop), vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: top - px(6)}, g.title)
		top -= px(g.titleHeight())
	}
	cw, ch := g.cell()
	for i, f := range g.figs {
		fw, fh := figureSize(f)
		r, col := i/g.cols, i%g.cols
		x0 := c.Min.X + px(cw*float64(col)+(cw-fw)/2)
		y1 := top - px(ch*float64(r)+(ch-fh)/2)
		sub := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{Min: vg.Point{X: x0, Y: y1 - px(fh)}, Max: vg.Point{X: x0 + px(fw), Y: y1}}}
		if err := f.(panel).drawOn(sub); err != nil {
			return fmt.Errorf("viz grid %q, panel %d: %w", g.title, i, err)
		}
	}
	return nil
}
