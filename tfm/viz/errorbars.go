package viz

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// BarErr draws one bar per name with an error bar of ± errs[i] on each
// (a spread over seeds: mean ± sd); errs may be nil, a zero draws no bar.
func BarErr(title, ylabel string, names []string, values, errs []float64) *Chart {
	c := Bar(title, ylabel, names, values)
	if c.err != nil {
		return c
	}
	if errs == nil {
		return c
	}
	if len(errs) != len(values) {
		return c.fail(fmt.Errorf("%d errors for %d values", len(errs), len(values)))
	}
	var pts errXYs
	lo, hi := 0.0, 0.0
	for i, v := range values {
		e := math.Abs(errs[i])
		if !finite(v) || !finite(e) {
			return c.fail(fmt.Errorf("bar %q: non-finite value %v ± %v", names[i], v, errs[i]))
		}
		lo, hi = math.Min(lo, v-e), math.Max(hi, v+e)
		if e > 0 {
			pts = append(pts, errXY{x: float64(i), y: v, ye: e})
		}
	}
	if err := c.addYErrors(pts, 0, vg.Points(1.2), vg.Points(7)); err != nil {
		return c.fail(err)
	}
	if hi > lo { // headroom over the error bars as Bar leaves it over the bars
		c.Plot.Y.Min, c.Plot.Y.Max = lo-0.06*(hi-lo)*b2f(lo < 0), hi+0.06*(hi-lo)
	}
	return c
}

// ErrPoint is one point of an ErrorScatter: X ± XErr, Y ± YErr (the
// half-widths of its error bars, e.g. one sd over seeds; 0: no bar), with
// an optional text label drawn beside it.
type ErrPoint struct {
	Label      string
	X, Y       float64
	XErr, YErr float64
}

// ErrSeries is a named group of points drawn with one marker and colour;
// Line joins them in order (a sweep, e.g. λ = 0, 0.2, …, 1).
type ErrSeries struct {
	Name   string
	Points []ErrPoint
	Line   bool
}

// RefLine is a labelled reference value across the whole chart: a dashed
// grey line at x = Value (Vertical) or y = Value, e.g. a classical baseline.
type RefLine struct {
	Name     string
	Value    float64
	Vertical bool
}

// errGlyphs are the series' marker shapes, so colour is not the only cue.
var errGlyphs = []draw.GlyphDrawer{draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.PyramidGlyph{},
	draw.BoxGlyph{}, draw.RingGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{}}

// ErrorScatter plots groups of points with error bars on both axes (a
// trade-off figure: one point per variant, a line through a sweep, a marker
// per method) and reference lines; every point with a Label is named on
// the chart, every series and reference line in the legend. A series'
// colour and marker follow its index, so a series without points keeps
// the others' styles as in a chart where it has them (a zoomed panel).
func ErrorScatter(title, xlabel, ylabel string, series []ErrSeries, refs ...RefLine) *Chart {
	c := newChart(title, xlabel, ylabel)
	c.Plot.Add(plotter.NewGrid())
	n := 0
	lbs := &pointLabels{}
	for si, s := range series {
		var pts errXYs
		var labels []string
		for _, p := range s.Points {
			if !finite(p.X) || !finite(p.Y) || !finite(p.XErr) || !finite(p.YErr) {
				return c.fail(fmt.Errorf("series %q, point %q: non-finite value", s.Name, p.Label))
			}
			pts = append(pts, errXY{x: p.X, y: p.Y, xe: math.Abs(p.XErr), ye: math.Abs(p.YErr)})
			labels = append(labels, p.Label)
		}
		if len(pts) == 0 {
			continue
		}
		n += len(pts)
		col := Palette[si%len(Palette)]
		if s.Line && len(pts) > 1 {
			l, err := plotter.NewLine(pts)
			if err != nil {
				return c.fail(err)
			}
			l.Color, l.Width = col, vg.Points(1.5)
			c.Plot.Add(l)
		}
		for _, bars := range []func() (plot.Plotter, error){
			func() (plot.Plotter, error) {
				b, err := plotter.NewXErrorBars(pts)
				if b != nil {
					b.LineStyle.Color, b.LineStyle.Width, b.CapWidth = col, vg.Points(1), vg.Points(5)
				}
				return b, err
			},
			func() (plot.Plotter, error) {
				b, err := plotter.NewYErrorBars(pts)
				if b != nil {
					b.LineStyle.Color, b.LineStyle.Width, b.CapWidth = col, vg.Points(1), vg.Points(5)
				}
				return b, err
			},
		} {
			b, err := bars()
			if err != nil {
				return c.fail(err)
			}
			c.Plot.Add(b)
		}
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return c.fail(err)
		}
		sc.Color, sc.Shape, sc.Radius = col, errGlyphs[(si+si/len(Palette))%len(errGlyphs)], vg.Points(4) // past the palette, another shape
		c.Plot.Add(sc)
		if s.Name != "" {
			c.Plot.Legend.Add(s.Name, sc)
		}
		for i, l := range labels {
			if l != "" {
				lbs.anchors = append(lbs.anchors, plotter.XY{X: pts[i].x, Y: pts[i].y})
				lbs.texts = append(lbs.texts, l)
			}
		}
	}
	if n == 0 {
		return c.fail(fmt.Errorf("no points"))
	}
	c.padX()
	c.padY()
	// A reference line inside the data's range is drawn; one outside it
	// would squeeze the data into a corner, so the legend gives its value.
	for _, r := range refs {
		if !finite(r.Value) {
			return c.fail(fmt.Errorf("reference line %q: non-finite value", r.Name))
		}
		rl := &refLine{RefLine: r, style: draw.LineStyle{Color: color.RGBA{0x66, 0x66, 0x66, 255}, Width: vg.Points(1.2),
			Dashes: []vg.Length{vg.Points(5), vg.Points(3)}}}
		ax := c.Plot.Y
		if r.Vertical {
			ax = c.Plot.X
		}
		name := r.Name
		if r.Value >= ax.Min && r.Value <= ax.Max {
			c.Plot.Add(rl)
		} else {
			rl.off = true
			name = fmt.Sprintf("%s = %s (off chart)", r.Name, strconv.FormatFloat(r.Value, 'g', 3, 64))
		}
		if r.Name != "" {
			c.Plot.Legend.Add(name, rl)
		}
	}
	if len(lbs.texts) > 0 {
		c.Plot.Add(lbs)
	}
	return c
}

// pointLabels names points beside their markers, each label moved off the
// markers and the labels before it (placeLabels, as the maps' labels).
type pointLabels struct {
	anchors plotter.XYs
	texts   []string
}

func (l *pointLabels) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	r := vg.Points(5)
	anchors := make([]vg.Point, len(l.texts))
	sizes := make([]vg.Point, len(l.texts))
	var obstacles []box
	col := color.RGBA{0x33, 0x33, 0x33, 255}
	for i, a := range l.anchors {
		q := vg.Point{X: trX(a.X), Y: trY(a.Y)}
		anchors[i] = q
		obstacles = append(obstacles, box{q.X - r, q.Y - r, q.X + r, q.Y + r})
		st := textStyle(9, col, draw.XCenter, draw.YCenter)
		sizes[i] = vg.Point{X: st.Width(l.texts[i]) + px(4), Y: st.Height(l.texts[i]) + px(2)}
	}
	centres, _ := placeLabels(anchors, sizes, obstacles)
	for i, t := range l.texts {
		ctr, sz := centres[i], sizes[i]
		c.FillPolygon(color.NRGBA{255, 255, 255, 190}, rect(vg.Rectangle{Min: vg.Point{X: ctr.X - sz.X/2, Y: ctr.Y - sz.Y/2}, Max: vg.Point{X: ctr.X + sz.X/2, Y: ctr.Y + sz.Y/2}}))
		c.FillText(textStyle(9, col, draw.XCenter, draw.YCenter), ctr, t)
	}
}

// LogX puts the x axis on a log scale (powers of ten ticked), padded by a
// factor of 1.15 either side; every x value must be positive.
func (c *Chart) LogX() *Chart {
	lo, hi := c.Plot.X.Min, c.Plot.X.Max
	if c.Plot.X.Scale == (plot.LinearScale{}) { // undo padX's linear room
		lo, hi = (lo*21+hi)/22, (hi*21+lo)/22
	}
	if !(lo > 0) || math.IsInf(hi, 0) {
		return c.fail(fmt.Errorf("log x axis: x range [%g, %g] must be positive", lo, hi))
	}
	c.Plot.X.Scale, c.Plot.X.Tick.Marker = plot.LogScale{}, logTicker{}
	c.Plot.X.Min, c.Plot.X.Max = lo/1.15, hi*1.15
	return c
}

// logTicker labels 1, 2 and 5 times each power of ten in range (gonum's
// LogTicks labels only the powers, too few for a range under 100×).
type logTicker struct{}

func (logTicker) Ticks(min, max float64) []plot.Tick {
	var ts []plot.Tick
	for e := math.Floor(math.Log10(min)); math.Pow(10, e) <= max; e++ {
		for _, m := range []float64{1, 2, 5} {
			v := m * math.Pow(10, e)
			if v >= min && v <= max {
				ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', -1, 64)})
			}
		}
	}
	return ts
}

// padX leaves 5 % of room left and right of the data (labels, bar caps).
func (c *Chart) padX() {
	lo, hi := c.Plot.X.Min, c.Plot.X.Max
	if math.IsInf(lo, 0) || math.IsInf(hi, 0) || lo > hi {
		return
	}
	pad := 0.05 * (hi - lo)
	if pad == 0 {
		pad = math.Max(0.05*math.Abs(hi), 0.5)
	}
	c.Plot.X.Min, c.Plot.X.Max = lo-pad, hi+pad
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// errXY is a point with symmetric error half-widths; errXYs satisfies
// gonum/plot's XYer, XErrorer and YErrorer.
type errXY struct{ x, y, xe, ye float64 }
type errXYs []errXY

func (p errXYs) Len() int                        { return len(p) }
func (p errXYs) XY(i int) (float64, float64)     { return p[i].x, p[i].y }
func (p errXYs) XError(i int) (float64, float64) { return p[i].xe, p[i].xe }
func (p errXYs) YError(i int) (float64, float64) { return p[i].ye, p[i].ye }

// refLine draws a RefLine across the data area; its value widens only its
// own axis's range.
type refLine struct {
	RefLine
	style draw.LineStyle
	off   bool // outside the data's range: only in the legend, dotted
}

func (r *refLine) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	if r.Vertical {
		x := trX(r.Value)
		c.StrokeLine2(r.style, x, c.Min.Y, x, c.Max.Y)
		return
	}
	y := trY(r.Value)
	c.StrokeLine2(r.style, c.Min.X, y, c.Max.X, y)
}

func (r *refLine) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax, ymin, ymax = math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	if r.Vertical {
		return r.Value, r.Value, ymin, ymax
	}
	return xmin, xmax, r.Value, r.Value
}

// Thumbnail draws the legend's sample: a short dashed line.
func (r *refLine) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	st := r.style
	if r.off {
		st.Dashes = []vg.Length{vg.Points(1), vg.Points(2)}
	}
	c.StrokeLine2(st, c.Min.X, y, c.Max.X, y)
}

// GroupedBarErr draws, for each category (x), one bar per series side by
// side, each ± errs[s][i] (nil errs: no error bars), the series in the
// legend: e.g. the error of each income group (series) under each
// mitigation (categories).
func GroupedBarErr(title, ylabel string, categories, series []string, values, errs [][]float64) *Chart {
	c := newChart(title, "", ylabel)
	if len(series) == 0 || len(categories) == 0 || len(values) != len(series) || errs != nil && len(errs) != len(series) {
		return c.fail(fmt.Errorf("%d series, %d value rows, %d error rows for %d categories", len(series), len(values), len(errs), len(categories)))
	}
	g := plotter.NewGrid()
	g.Vertical.Color = nil
	c.Plot.Add(g)
	width := vg.Points(math.Max(4, math.Min(24, 460/float64(len(categories)*len(series)))))
	lo, hi := 0.0, 0.0
	for s, name := range series {
		if len(values[s]) != len(categories) || errs != nil && len(errs[s]) != len(categories) {
			return c.fail(fmt.Errorf("series %q: %d values for %d categories", name, len(values[s]), len(categories)))
		}
		b, err := plotter.NewBarChart(plotter.Values(values[s]), width)
		if err != nil {
			return c.fail(err)
		}
		b.Color, b.LineStyle.Width = Palette[s%len(Palette)], 0
		b.Offset = width * vg.Length(float64(s)-float64(len(series)-1)/2)
		c.Plot.Add(b)
		c.Plot.Legend.Add(name, b)
		var pts errXYs
		for i, v := range values[s] {
			e := 0.0
			if errs != nil {
				e = math.Abs(errs[s][i])
			}
			if !finite(v) || !finite(e) {
				return c.fail(fmt.Errorf("series %q, %q: non-finite value %v ± %v", name, categories[i], v, e))
			}
			lo, hi = math.Min(lo, v-e), math.Max(hi, v+e)
			if e > 0 {
				pts = append(pts, errXY{x: float64(i), y: v, ye: e})
			}
		}
		if err := c.addYErrors(pts, b.Offset, vg.Points(1), vg.Points(4)); err != nil {
			return c.fail(err)
		}
	}
	if hi > lo {
		c.Plot.Y.Min, c.Plot.Y.Max = lo-0.06*(hi-lo)*b2f(lo < 0), hi+0.06*(hi-lo)
	}
	c.Plot.NominalX(wrapLabels(categories, (c.Width-90)/float64(len(categories)))...)
	return c
}

// addYErrors draws black ± error bars at pts (none when empty), shifted
// sideways by dx (a grouped bar's offset).
func (c *Chart) addYErrors(pts errXYs, dx, width, capWidth vg.Length) error {
	if len(pts) == 0 {
		return nil
	}
	eb, err := plotter.NewYErrorBars(pts)
	if err != nil {
		return err
	}
	eb.LineStyle.Color, eb.LineStyle.Width, eb.CapWidth = color.Black, width, capWidth
	if dx == 0 {
		c.Plot.Add(eb)
	} else {
		c.Plot.Add(&offsetBars{eb, dx})
	}
	return nil
}

// offsetBars draws error bars shifted sideways by a bar's offset (gonum's
// YErrorBars have no offset of their own).
type offsetBars struct {
	*plotter.YErrorBars
	dx vg.Length
}

func (o *offsetBars) Plot(c draw.Canvas, p *plot.Plot) {
	c.Rectangle.Min.X += o.dx
	c.Rectangle.Max.X += o.dx
	o.YErrorBars.Plot(c, p)
}
