package viz

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Chart is a gonum/plot figure (with an optional colour bar on the right).
// Plot is exposed for any tuning gonum/plot allows (axis ranges, log scales, …).
type Chart struct {
	Plot          *plot.Plot
	Width, Height float64 // pixels, default 640×400
	// LegendOutside draws the legend to the right of the data area (the
	// default), where no line runs; false draws it inside, top right.
	LegendOutside bool
	bar           *plot.Plot
	err           error
}

// Series is one named line of a line chart.
type Series struct {
	Name   string
	X, Y   []float64 // X may be nil: 0, 1, 2, …
	Points bool      // also draw a dot at each value
}

func init() {
	// Charts use the maps' sans-serif face (gonum/plot defaults to serif).
	plot.DefaultFont = font.Font{Typeface: "Liberation", Variant: "Sans"}
	plotter.DefaultFont = plot.DefaultFont // labels (heatmap values) too
}

func newChart(title, xlabel, ylabel string) *Chart {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	p.Legend.Top = true
	p.X.Tick.Marker = niceTicker{5}
	p.Y.Tick.Marker = niceTicker{5}
	return &Chart{Plot: p, Width: 640, Height: 400, LegendOutside: true}
}

func (c *Chart) fail(err error) *Chart {
	if c.err == nil && err != nil {
		c.err = fmt.Errorf("viz chart %q: %w", c.Plot.Title.Text, err)
	}
	return c
}

// Err returns the first error recorded while building the chart.
func (c *Chart) Err() error { return c.err }

// Size sets the size in pixels.
func (c *Chart) Size(width, height float64) *Chart { c.Width, c.Height = width, height; return c }

func xys(x, y []float64) (plotter.XYs, error) {
	if x != nil && len(x) != len(y) {
		return nil, fmt.Errorf("%d x values for %d y values", len(x), len(y))
	}
	out := make(plotter.XYs, 0, len(y))
	for i, v := range y {
		xv := float64(i)
		if x != nil {
			xv = x[i]
		}
		if math.IsNaN(v) || math.IsInf(v, 0) || math.IsNaN(xv) || math.IsInf(xv, 0) {
			continue // gonum/plot rejects non-finite values
		}
		out = append(out, plotter.XY{X: xv, Y: v})
	}
	return out, nil
}

// lineDashes are the series' dash patterns (solid, long dashes, dots, dash-dot),
// so lines that coincide still show each other and colour is not the only cue.
var lineDashes = [][]vg.Length{nil, {vg.Points(6), vg.Points(3)}, {vg.Points(1.5), vg.Points(2.5)}, {vg.Points(6), vg.Points(2.5), vg.Points(1.5), vg.Points(2.5)}}

// Line draws one line per series (loss curves, metric vs λ sweeps), with a legend for named series.
func Line(title, xlabel, ylabel string, series ...Series) *Chart {
	c := newChart(title, xlabel, ylabel)
	c.Plot.Add(plotter.NewGrid())
	for i, s := range series {
		pts, err := xys(s.X, s.Y)
		if err != nil {
			return c.fail(fmt.Errorf("series %q: %w", s.Name, err))
		}
		if len(pts) == 0 {
			return c.fail(fmt.Errorf("series %q: no finite values", s.Name))
		}
		col := Palette[i%len(Palette)]
		l, err := plotter.NewLine(pts)
		if err != nil {
			return c.fail(err)
		}
		l.Color, l.Width = col, vg.Points(1.8)
		l.Dashes = lineDashes[(i/len(Palette)+i)%len(lineDashes)] // overlapping lines stay visible
		c.Plot.Add(l)
		if s.Points {
			sc, err := plotter.NewScatter(pts)
			if err != nil {
				return c.fail(err)
			}
			sc.Color, sc.Shape, sc.Radius = col, draw.CircleGlyph{}, vg.Points(2.5)
			c.Plot.Add(sc)
		}
		if s.Name != "" {
			c.Plot.Legend.Add(s.Name, l)
		}
	}
	c.padY()
	return c
}

// padY leaves 5 % of headroom above and below the data, so no line runs
// along the frame or under the title.
func (c *Chart) padY() {
	lo, hi := c.Plot.Y.Min, c.Plot.Y.Max
	if math.IsInf(lo, 0) || math.IsInf(hi, 0) || lo > hi {
		return
	}
	pad := 0.05 * (hi - lo)
	if pad == 0 {
		pad = math.Max(0.05*math.Abs(hi), 0.5)
	}
	c.Plot.Y.Min, c.Plot.Y.Max = lo-pad, hi+pad
}

// Scatter plots points coloured by label (nil labels: one colour), with a
// legend, e.g. 2-D projections of embeddings.
func Scatter(title, xlabel, ylabel string, x, y []float64, labels []string) *Chart {
	c := newChart(title, xlabel, ylabel)
	c.Plot.Add(plotter.NewGrid())
	if len(x) != len(y) {
		return c.fail(fmt.Errorf("%d x values for %d y values", len(x), len(y)))
	}
	if labels != nil && len(labels) != len(x) {
		return c.fail(fmt.Errorf("%d labels for %d points", len(labels), len(x)))
	}
	groups := map[string][]int{}
	for i := range x {
		l := ""
		if labels != nil {
			l = labels[i]
		}
		groups[l] = append(groups[l], i)
	}
	names := make([]string, 0, len(groups))
	for k := range groups {
		names = append(names, k)
	}
	sort.Strings(names)
	for gi, name := range names {
		idx := groups[name]
		gx, gy := make([]float64, len(idx)), make([]float64, len(idx))
		for k, i := range idx {
			gx[k], gy[k] = x[i], y[i]
		}
		pts, _ := xys(gx, gy)
		if len(pts) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return c.fail(err)
		}
		col := Palette[gi%len(Palette)]
		sc.Color = color.NRGBA{col.R, col.G, col.B, 200}
		sc.Shape, sc.Radius = draw.CircleGlyph{}, vg.Points(2.5)
		c.Plot.Add(sc)
		if name != "" {
			c.Plot.Legend.Add(name, sc)
		}
	}
	return c
}

// Bar draws one bar per name.
func Bar(title, ylabel string, names []string, values []float64) *Chart {
	c := newChart(title, "", ylabel)
	if len(names) != len(values) {
		return c.fail(fmt.Errorf("%d names for %d values", len(names), len(values)))
	}
	if len(values) == 0 {
		return c.fail(fmt.Errorf("no values"))
	}
	g := plotter.NewGrid()
	g.Vertical.Color = nil
	c.Plot.Add(g)
	b, err := plotter.NewBarChart(plotter.Values(values), vg.Points(math.Max(8, 300/float64(len(values)))))
	if err != nil {
		return c.fail(err)
	}
	b.Color, b.LineStyle.Width = Palette[0], 0
	c.Plot.Add(b)
	lo, hi := 0.0, 0.0
	for _, v := range values {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if hi > lo { // headroom so the tallest bar does not touch the frame
		c.Plot.Y.Min, c.Plot.Y.Max = lo-0.06*(hi-lo)*b2f(lo < 0), hi+0.06*(hi-lo)
	}
	c.Plot.NominalX(wrapLabels(names, (c.Width-90)/float64(len(names)))...)
	return c
}

// wrapLabels breaks category names wider than width pixels (about 6.5 px a
// character at the tick font) onto several lines at spaces, so neighbouring
// bar labels do not run into each other (also after a "/").
func wrapLabels(names []string, width float64) []string {
	out := make([]string, len(names))
	maxChars := max(int(width/6.5), 6)
	for i, n := range names {
		var lines []string
		line := ""
		for _, w := range strings.Fields(strings.ReplaceAll(n, "/", "/ ")) { // "a/b" may break after the slash
			sep := " "
			if line == "" || strings.HasSuffix(line, "/") {
				sep = ""
			}
			if line != "" && len(line)+len(sep)+len(w) > maxChars {
				lines = append(lines, line)
				line = w
				continue
			}
			line += sep + w
		}
		out[i] = strings.Join(append(lines, line), "\n")
	}
	return out
}

// grid adapts a row-major matrix to plotter.GridXYZ, row 0 at the top.
type grid struct{ m [][]float64 }

func (g grid) Dims() (int, int)   { return len(g.m[0]), len(g.m) }
func (g grid) Z(c, r int) float64 { return g.m[len(g.m)-1-r][c] }
func (g grid) X(c int) float64    { return float64(c) }
func (g grid) Y(r int) float64    { return float64(r) }

// Heatmap draws a matrix (row 0 at the top) with the viridis scale and a colour
// bar, e.g. attention weights or a confusion matrix; up to 15×15 cells also
// show their values. rowLabels/colLabels may be nil.
func Heatmap(title string, m [][]float64, rowLabels, colLabels []string) *Chart {
	c := newChart(title, "", "")
	if len(m) == 0 || len(m[0]) == 0 {
		return c.fail(fmt.Errorf("empty matrix"))
	}
	for i, row := range m {
		if len(row) != len(m[0]) {
			return c.fail(fmt.Errorf("row %d has %d values, row 0 has %d", i, len(row), len(m[0])))
		}
	}
	if rowLabels != nil && len(rowLabels) != len(m) || colLabels != nil && len(colLabels) != len(m[0]) {
		return c.fail(fmt.Errorf("%d row / %d column labels for a %dx%d matrix", len(rowLabels), len(colLabels), len(m), len(m[0])))
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, row := range m {
		for _, v := range row {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if math.IsInf(lo, 0) {
		return c.fail(fmt.Errorf("no finite value"))
	}
	if hi <= lo {
		hi = lo + 1
	}
	cm := &viridisMap{min: lo, max: hi}
	g := grid{m}
	h := plotter.NewHeatMap(g, cm.Palette(64))
	h.Min, h.Max = lo, hi
	h.NaN = color.RGBA{0xdd, 0xdd, 0xdd, 255}
	c.Plot.Add(h)
	rows, cols := len(m), len(m[0])
	if rows <= 15 && cols <= 15 {
		var lbl plotter.XYLabels
		for r := 0; r < rows; r++ {
			for col := 0; col < cols; col++ {
				lbl.XYs = append(lbl.XYs, plotter.XY{X: float64(col), Y: float64(rows - 1 - r)})
				lbl.Labels = append(lbl.Labels, formatTick(m[r][col]))
			}
		}
		labels, err := plotter.NewLabels(lbl)
		if err != nil {
			return c.fail(err)
		}
		for i := range labels.TextStyle {
			r, col := i/cols, i%cols
			t := (m[r][col] - lo) / (hi - lo)
			labels.TextStyle[i].XAlign, labels.TextStyle[i].YAlign = draw.XCenter, draw.YCenter
			labels.TextStyle[i].Font.Size = vg.Points(8)
			if t > 0.6 {
				labels.TextStyle[i].Color = color.Black
			} else {
				labels.TextStyle[i].Color = color.White
			}
		}
		c.Plot.Add(labels)
	}
	if colLabels != nil {
		c.Plot.NominalX(colLabels...)
	} else {
		c.Plot.X.Min, c.Plot.X.Max = -0.5, float64(cols)-0.5
	}
	if rowLabels != nil {
		rev := make([]string, rows)
		for i, l := range rowLabels {
			rev[rows-1-i] = l
		}
		c.Plot.NominalY(rev...)
	} else {
		c.Plot.Y.Min, c.Plot.Y.Max = -0.5, float64(rows)-0.5
	}
	bar := plot.New()
	bar.Y.Tick.Marker = niceTicker{5} // 0, 5, 10 … (not 0.00 / 25.00)
	bar.HideX()
	bar.Y.Padding = 0
	bar.Add(&plotter.ColorBar{ColorMap: cm, Vertical: true})
	c.bar = bar
	return c
}

// viridisMap is Viridis as a gonum palette.ColorMap.
type viridisMap struct{ min, max, alpha float64 }

func (v *viridisMap) At(x float64) (color.Color, error) {
	if x < v.min || x > v.max {
		return nil, palette.ErrOverflow
	}
	return Viridis((x - v.min) / (v.max - v.min)), nil
}
func (v *viridisMap) Max() float64       { return v.max }
func (v *viridisMap) SetMax(x float64)   { v.max = x }
func (v *viridisMap) Min() float64       { return v.min }
func (v *viridisMap) SetMin(x float64)   { v.min = x }
func (v *viridisMap) Alpha() float64     { return 1 }
func (v *viridisMap) SetAlpha(a float64) { v.alpha = a }
func (v *viridisMap) Palette(n int) palette.Palette {
	cols := make([]color.Color, n)
	for i := range cols {
		cols[i] = Viridis(float64(i) / float64(max(n-1, 1)))
	}
	return colorList(cols)
}

type colorList []color.Color

func (l colorList) Colors() []color.Color { return l }

// SVG renders the chart as SVG.
func (c *Chart) SVG() ([]byte, error) { return c.render("svg") }

// PNG renders the chart as PNG (96 dpi).
func (c *Chart) PNG() ([]byte, error) { return c.render("png") }

func (c *Chart) render(format string) (out []byte, err error) {
	if c.err != nil {
		return nil, c.err
	}
	defer func() { // gonum/plot panics on some degenerate inputs
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("viz chart %q: %v", c.Plot.Title.Text, r)
		}
	}()
	return render(c.Width, c.Height, format, c.drawOn)
}

// drawOn draws the chart filling dc.
func (c *Chart) drawOn(dc draw.Canvas) error {
	if c.err != nil {
		return c.err
	}
	dc.FillPolygon(color.White, rect(dc.Rectangle))
	if c.bar == nil {
		c.drawWithLegend(dc)
		return nil
	}
	barW := px(70)
	main := draw.Crop(dc, 0, -barW, 0, 0)
	c.drawWithLegend(main)
	side := draw.Crop(dc, dc.Max.X-dc.Min.X-barW, 0, px(30), -px(30))
	c.bar.Draw(side)
	return nil
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// Labels sets the axis labels (names with units, e.g. "step", "generative loss").
func (c *Chart) Labels(x, y string) *Chart {
	c.Plot.X.Label.Text, c.Plot.Y.Label.Text = x, y
	return c
}

// drawWithLegend draws the plot with its legend in a column on the right, out
// of the data area, when LegendOutside is set and the legend has entries.
func (c *Chart) drawWithLegend(dc draw.Canvas) {
	lg := c.Plot.Legend
	r := lg.Rectangle(dc)
	w := r.Max.X - r.Min.X
	if !c.LegendOutside || w <= 0 {
		c.Plot.Draw(dc)
		return
	}
	c.Plot.Legend = plot.NewLegend() // empty: nothing drawn over the lines
	defer func() { c.Plot.Legend = lg }()
	strip := w + px(16)
	c.Plot.Draw(draw.Crop(dc, 0, -strip, 0, 0))
	side := draw.Crop(dc, dc.Max.X-dc.Min.X-strip+px(8), 0, 0, -px(30))
	lg.Top, lg.Left, lg.XOffs, lg.YOffs = true, true, 0, 0
	lg.Draw(side)
}

// Title sets the chart's title.
func (c *Chart) Title(s string) *Chart { c.Plot.Title.Text = s; return c }

// HideLegend removes the legend (e.g. a panel of small multiples whose title
// already names its one series).
func (c *Chart) HideLegend() *Chart { c.Plot.Legend = plot.NewLegend(); return c }
