package explore

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/tfm-course/course/tfm/pretrain"
	"github.com/tfm-course/course/tfm/viz"
)

// Metric describes a task's score on the figure.
type Metric struct {
	Name        string // the tasks package's metric key (recovery_error_m, mean_rank, accuracy)
	Label       string // axis name with units
	LowerBetter bool
}

// Metrics are the tasks' scores, by task name.
var Metrics = map[string]Metric{
	"recover":    {"recovery_error_m", "recovery error of dropped points (m)", true},
	"classify":   {"accuracy", "mode accuracy of a probe (fraction)", false},
	"similarity": {"mean_rank", "similarity mean rank (1 = best)", true},
}

// Axis is the axis label of a task: its metric, units and which way is
// better. The figure turns every axis so that better is up or right.
func Axis(task string, horizontal bool) string {
	m := Metrics[task]
	dir := map[bool]string{true: "better →", false: "better ↑"}[horizontal]
	if m.LowerBetter {
		return fmt.Sprintf("%s · lower is %s", m.Label, dir)
	}
	return fmt.Sprintf("%s · higher is %s", m.Label, dir)
}

// better reports whether a is at least as good as b on both tasks.
func better(a, b Point, local, global Metric) bool {
	geq := func(x, y float64, lower bool) bool {
		if lower {
			return x <= y
		}
		return x >= y
	}
	return geq(a.Local, b.Local, local.LowerBetter) && geq(a.Global, b.Global, global.LowerBetter)
}

// Front is the Pareto front of points: those no other point beats on both
// tasks (at least as good on both, different on one), ordered along the
// local task.
func Front(points []Point, cfg Config) []Point {
	local, global := Metrics[cfg.Local], Metrics[cfg.Global]
	var front []Point
	for i, p := range points {
		dominated := false
		for j, q := range points {
			if i != j && better(q, p, local, global) && (q.Local != p.Local || q.Global != p.Global) {
				dominated = true
				break
			}
		}
		if !dominated {
			front = append(front, p)
		}
	}
	sort.SliceStable(front, func(i, j int) bool { return front[i].Local < front[j].Local })
	return front
}

// glyphs give each balancer its own marker, so colour is not the only cue.
var glyphs = []draw.GlyphDrawer{draw.CircleGlyph{}, draw.PyramidGlyph{}, draw.BoxGlyph{}, draw.TriangleGlyph{}, draw.SquareGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{}, draw.RingGlyph{}}

// style is the colour and marker of a balancer: fixed first, then the
// others in pretrain.Balancers' order, so every figure agrees.
func style(balancer string) (color.RGBA, draw.GlyphDrawer) {
	i := slices.Index(pretrain.Balancers, balancer)
	if i < 0 {
		i = len(pretrain.Balancers)
	}
	return viz.Palette[i%len(viz.Palette)], glyphs[i%len(glyphs)]
}

// pointLabel is the text beside a point: λ for the fixed balancer, else the
// balancer's spec and the generative share it ended at.
func pointLabel(p Point) string {
	if p.Setting.balancer() == "fixed" {
		return strings.TrimPrefix(p.Label, "fixed ")
	}
	return fmt.Sprintf("%s (w_gen share %.2f)", p.Label, p.GenShare)
}

// Figure is the trade-off figure of the runs so far: one marker per run
// (colour and shape by balancer, its setting written beside it), the local
// task across, the global task up, both turned so that better is up and to
// the right, the Pareto front dashed and the latest run ringed.
func Figure(points []Point, cfg Config) *viz.Chart {
	local, global := Metrics[cfg.Local], Metrics[cfg.Global]
	title := fmt.Sprintf("Balancing trade-off: %d run%s (hybrid %s, %d steps, %s)",
		len(points), map[bool]string{true: "", false: "s"}[len(points) == 1], cfg.Modality, cfg.Steps, trips(cfg.Trips))
	c := viz.Scatter(title, Axis(cfg.Local, true), Axis(cfg.Global, false), nil, nil, nil).Size(820, 480)
	p := c.Plot
	if local.LowerBetter {
		p.X.Scale = plot.InvertedScale{Normalizer: plot.LinearScale{}}
	}
	if global.LowerBetter {
		p.Y.Scale = plot.InvertedScale{Normalizer: plot.LinearScale{}}
	}
	if len(points) == 0 {
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
		p.X.Tick.Marker, p.Y.Tick.Marker = plot.ConstantTicks(nil), plot.ConstantTicks(nil)
		if l, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: 0.5, Y: 0.5}}, Labels: []string{"press “run” to train a model and add its point"}}); err == nil {
			l.TextStyle[0].XAlign, l.TextStyle[0].Font.Size = draw.XCenter, vg.Points(12)
			p.Add(l)
		}
		return c
	}
	if front := Front(points, cfg); len(front) > 1 {
		xy := make(plotter.XYs, len(front))
		for i, f := range front {
			xy[i] = plotter.XY{X: f.Local, Y: f.Global}
		}
		if l, err := plotter.NewLine(xy); err == nil {
			l.Color, l.Width, l.Dashes = color.RGBA{0x99, 0x99, 0x99, 255}, vg.Points(1.2), []vg.Length{vg.Points(5), vg.Points(3)}
			p.Add(l)
			p.Legend.Add("Pareto front", l)
		}
	}
	var names []string // balancers in first-seen order
	for _, pt := range points {
		if b := pt.Setting.balancer(); !slices.Contains(names, b) {
			names = append(names, b)
		}
	}
	for _, b := range names {
		var xy plotter.XYs
		for _, pt := range points {
			if pt.Setting.balancer() == b {
				xy = append(xy, plotter.XY{X: pt.Local, Y: pt.Global})
			}
		}
		sc, err := plotter.NewScatter(xy)
		if err != nil {
			return c
		}
		col, g := style(b)
		sc.Color, sc.Shape, sc.Radius = col, g, vg.Points(5)
		p.Add(sc)
		p.Legend.Add(b, sc)
	}
	last := points[len(points)-1]
	if ring, err := plotter.NewScatter(plotter.XYs{{X: last.Local, Y: last.Global}}); err == nil {
		ring.Color, ring.Shape, ring.Radius = color.RGBA{0, 0, 0, 255}, draw.RingGlyph{}, vg.Points(8)
		p.Add(ring)
		p.Legend.Add("latest run", ring)
	}
	labels := &pointLabels{radius: vg.Points(8)}
	for _, pt := range points {
		labels.xy = append(labels.xy, plotter.XY{X: pt.Local, Y: pt.Global})
		labels.text = append(labels.text, pointLabel(pt))
	}
	p.Add(labels)
	pad(&p.X, points, func(q Point) float64 { return q.Local }, 0.25, 0.25)
	pad(&p.Y, points, func(q Point) float64 { return q.Global }, 0.12, 0.12)
	return c
}

// pointLabels writes each point's label beside it, on the first side
// (right, left, above, below, then the diagonals) where it covers no marker
// and no label placed before it, inside the data area.
type pointLabels struct {
	xy     plotter.XYs
	text   []string
	radius vg.Length // half the size of the area a marker covers
}

func (l *pointLabels) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	sty := text.Style{Color: color.Black, Font: font.From(plot.DefaultFont, vg.Points(10)), Handler: plot.DefaultTextHandler}
	type box struct{ x0, y0, x1, y1 vg.Length }
	overlaps := func(a, b box) bool { return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1 }
	var taken []box
	for _, q := range l.xy {
		x, y := trX(q.X), trY(q.Y)
		taken = append(taken, box{x - l.radius, y - l.radius, x + l.radius, y + l.radius})
	}
	for i, q := range l.xy {
		x, y := trX(q.X), trY(q.Y)
		w, h := sty.Width(l.text[i]), sty.Height(l.text[i])
		g := l.radius + vg.Points(2)
		// Lower-left corners of the candidate boxes.
		cands := []vg.Point{
			{X: x + g, Y: y - h/2}, {X: x - g - w, Y: y - h/2}, {X: x - w/2, Y: y + g}, {X: x - w/2, Y: y - g - h},
			{X: x + g, Y: y + g/2}, {X: x + g, Y: y - g/2 - h}, {X: x - g - w, Y: y + g/2}, {X: x - g - w, Y: y - g/2 - h},
			{X: x + g, Y: y + g + h}, {X: x + g, Y: y - g - 2*h},
		}
		best, bestHits := cands[0], -1
		for _, a := range cands {
			b := box{a.X, a.Y, a.X + w, a.Y + h}
			hits := 0
			if b.x0 < c.Min.X || b.x1 > c.Max.X || b.y0 < c.Min.Y || b.y1 > c.Max.Y {
				hits += 4 // outside the data area
			}
			for j, o := range taken {
				if j != i && overlaps(b, o) {
					hits++
				}
			}
			if bestHits < 0 || hits < bestHits {
				best, bestHits = a, hits
			}
			if hits == 0 {
				break
			}
		}
		taken = append(taken, box{best.X, best.Y, best.X + w, best.Y + h})
		e := sty.FontExtents() // FillText's point is the baseline: lift it by the descent
		c.FillText(sty, vg.Point{X: best.X, Y: best.Y + vg.Length(e.Height-e.Ascent)}, l.text[i])
	}
}

// pad sets the axis range to the points' range widened by lo and hi of it
// (on the side that is drawn right or up for hi: room for the labels).
func pad(a *plot.Axis, points []Point, v func(Point) float64, lo, hi float64) {
	mn, mx := math.Inf(1), math.Inf(-1)
	for _, p := range points {
		if x := v(p); !math.IsNaN(x) && !math.IsInf(x, 0) {
			mn, mx = math.Min(mn, x), math.Max(mx, x)
		}
	}
	if mn > mx {
		return
	}
	span := mx - mn
	if span == 0 {
		span = math.Max(math.Abs(mx)*0.1, 0.1)
	}
	if _, inverted := a.Scale.(plot.InvertedScale); inverted {
		lo, hi = hi, lo // drawn right or up is the low end
	}
	a.Min, a.Max = mn-lo*span, mx+hi*span
}

func trips(n int) string {
	if n == 0 {
		return "all trips"
	}
	return fmt.Sprintf("%d trips", n)
}
