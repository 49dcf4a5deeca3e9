package viz

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// DAG is a drawing of a causal graph (a structural causal model): labelled
// nodes at fixed positions and arrows between them, an arrow either plain,
// Cut (an intervention removed it: drawn dashed and crossed out) or Path
// (on a highlighted path, e.g. the backdoor path). Several panels sit side
// by side, e.g. the observational graph and the graph under do(X).
type DAG struct {
	title         string
	width, height float64
	panels        []DAGPanel
}

// DAGPanel is one graph of a DAG figure.
type DAGPanel struct {
	Title string
	Nodes []DAGNode
	Edges []DAGEdge
	Note  string // a line under the graph (e.g. the formula it computes)
}

// DAGNode is a node at (X, Y) in [0, 1]² of its panel (Y up).
type DAGNode struct {
	ID, Label string
	X, Y      float64
	Observed  bool // filled (observed) or hollow
}

// DAGEdge is an arrow From → To (node IDs).
type DAGEdge struct {
	From, To string
	Cut      bool   // removed by an intervention
	Path     bool   // on the highlighted (e.g. backdoor) path
	Label    string // beside the arrow's middle
}

// NewDAG starts a DAG figure of width×height pixels.
func NewDAG(title string, width, height float64, panels ...DAGPanel) *DAG {
	return &DAG{title: title, width: width, height: height, panels: panels}
}

// SVG renders the figure as SVG.
func (d *DAG) SVG() ([]byte, error) { return render(d.width, d.height, "svg", d.draw) }

// PNG renders the figure as PNG.
func (d *DAG) PNG() ([]byte, error) { return render(d.width, d.height, "png", d.draw) }

var (
	dagInk  = color.RGBA{0x22, 0x22, 0x22, 255}
	dagPath = color.RGBA{0xd6, 0x27, 0x28, 255}
	dagCut  = color.RGBA{0x99, 0x99, 0x99, 255}
	dagFill = color.RGBA{0xe8, 0xf0, 0xfa, 255}
)

func (d *DAG) draw(c draw.Canvas) error {
	c.FillPolygon(color.White, rect(c.Rectangle))
	area := c.Rectangle
	if d.title != "" {
		c.FillText(textStyle(14, color.Black, draw.XCenter, draw.YTop), vg.Point{X: (area.Min.X + area.Max.X) / 2, Y: area.Max.Y - px(6)}, d.title)
		area.Max.Y -= px(30)
	}
	if len(d.panels) == 0 {
		return fmt.Errorf("viz: DAG %q has no panels", d.title)
	}
	w := (area.Max.X - area.Min.X) / vg.Length(len(d.panels))
	for i, p := range d.panels {
		r := vg.Rectangle{Min: vg.Point{X: area.Min.X + vg.Length(i)*w, Y: area.Min.Y}, Max: vg.Point{X: area.Min.X + vg.Length(i+1)*w, Y: area.Max.Y}}
		if err := drawPanel(c, r, p); err != nil {
			return err
		}
	}
	return nil
}

func drawPanel(c draw.Canvas, r vg.Rectangle, p DAGPanel) error {
	if p.Title != "" {
		c.FillText(textStyle(12, dagInk, draw.XCenter, draw.YTop), vg.Point{X: (r.Min.X + r.Max.X) / 2, Y: r.Max.Y}, p.Title)
		r.Max.Y -= px(22)
	}
	if p.Note != "" {
		c.FillText(textStyle(11, dagInk, draw.XCenter, draw.YBottom), vg.Point{X: (r.Min.X + r.Max.X) / 2, Y: r.Min.Y + px(6)}, p.Note)
		r.Min.Y += px(28)
	}
	const radius = 38 // px
	// Wide side margins: the labels of slanted arrows extend sideways.
	inner := vg.Rectangle{Min: vg.Point{X: r.Min.X + px(radius+70), Y: r.Min.Y + px(radius+4)}, Max: vg.Point{X: r.Max.X - px(radius+70), Y: r.Max.Y - px(radius+4)}}
	at := map[string]vg.Point{}
	for _, n := range p.Nodes {
		at[n.ID] = vg.Point{X: inner.Min.X + vg.Length(n.X)*(inner.Max.X-inner.Min.X), Y: inner.Min.Y + vg.Length(n.Y)*(inner.Max.Y-inner.Min.Y)}
	}
	var centre vg.Point
	for _, q := range at {
		centre.X += q.X / vg.Length(len(at))
		centre.Y += q.Y / vg.Length(len(at))
	}
	for _, e := range p.Edges {
		a, ok1 := at[e.From]
		b, ok2 := at[e.To]
		if !ok1 || !ok2 {
			return fmt.Errorf("viz: DAG edge %s → %s names an unknown node", e.From, e.To)
		}
		dx, dy := float64(b.X-a.X), float64(b.Y-a.Y)
		l := math.Hypot(dx, dy)
		ux, uy := dx/l, dy/l
		rr := float64(px(radius + 3))
		s := vg.Point{X: a.X + vg.Length(ux*rr), Y: a.Y + vg.Length(uy*rr)}
		t := vg.Point{X: b.X - vg.Length(ux*rr), Y: b.Y - vg.Length(uy*rr)}
		sty := draw.LineStyle{Color: dagInk, Width: px(2.5)}
		switch {
		case e.Cut:
			sty = draw.LineStyle{Color: dagCut, Width: px(2), Dashes: []vg.Length{px(6), px(4)}}
		case e.Path:
			sty.Color, sty.Width = dagPath, px(3.5)
		}
		head := float64(px(12))
		base := vg.Point{X: t.X - vg.Length(ux*head), Y: t.Y - vg.Length(uy*head)}
		c.StrokeLines(sty, []vg.Point{s, base})
		side := vg.Point{X: vg.Length(-uy * head * 0.45), Y: vg.Length(ux * head * 0.45)}
		c.FillPolygon(sty.Color, []vg.Point{t, {X: base.X + side.X, Y: base.Y + side.Y}, {X: base.X - side.X, Y: base.Y - side.Y}})
		mid := vg.Point{X: (s.X + t.X) / 2, Y: (s.Y + t.Y) / 2}
		if e.Cut { // a cross on the removed arrow
			k := px(9)
			x := draw.LineStyle{Color: dagPath, Width: px(3)}
			c.StrokeLines(x, []vg.Point{{X: mid.X - k, Y: mid.Y - k}, {X: mid.X + k, Y: mid.Y + k}})
			c.StrokeLines(x, []vg.Point{{X: mid.X - k, Y: mid.Y + k}, {X: mid.X + k, Y: mid.Y - k}})
		}
		if e.Label != "" { // beside the middle, on the side away from the graph's centre
			nx, ny := -uy, ux
			if nx*float64(mid.X-centre.X)+ny*float64(mid.Y-centre.Y) < 0 {
				nx, ny = -nx, -ny
			}
			off := float64(px(10))
			if e.Cut { // clear of the cross
				off = float64(px(20))
			}
			lp := vg.Point{X: mid.X + vg.Length(nx*off), Y: mid.Y + vg.Length(ny*off)}
			xa, ya := draw.XCenter, draw.YCenter
			switch {
			case nx > 0.3:
				xa = draw.XLeft
			case nx < -0.3:
				xa = draw.XRight
			case ny > 0:
				ya = draw.YBottom
			default:
				ya = draw.YTop
			}
			col := dagInk
			if e.Cut {
				col = dagCut
			} else if e.Path {
				col = dagPath
			}
			c.FillText(textStyle(10, col, xa, ya), lp, e.Label)
		}
	}
	for _, n := range p.Nodes {
		ctr := at[n.ID]
		ring := make([]vg.Point, 48)
		for k := range ring {
			a := 2 * math.Pi * float64(k) / float64(len(ring))
			ring[k] = vg.Point{X: ctr.X + px(radius)*vg.Length(math.Cos(a)), Y: ctr.Y + px(radius)*vg.Length(math.Sin(a))}
		}
		fill := color.RGBA{255, 255, 255, 255}
		if n.Observed {
			fill = dagFill
		}
		c.FillPolygon(fill, ring)
		c.StrokeLines(draw.LineStyle{Color: dagInk, Width: px(2)}, append(ring, ring[0]))
		c.FillText(textStyle(16, dagInk, draw.XCenter, draw.YCenter), vg.Point{X: ctr.X, Y: ctr.Y + px(6)}, n.ID)
		c.FillText(textStyle(9, dagInk, draw.XCenter, draw.YCenter), vg.Point{X: ctr.X, Y: ctr.Y - px(12)}, n.Label)
	}
	return nil
}
