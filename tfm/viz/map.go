package viz

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/tfm-course/course/tfm/roadnet"
	"github.com/tfm-course/course/tfm/traj"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Map is a map figure: layers drawn in the order added (markers on top),
// projected from lon/lat with an equirectangular projection scaled by
// cos(latitude) so distances keep their aspect. Build it with the chained
// methods, then Show or Save it. Errors (e.g. a value slice of the wrong
// length) are kept and returned by SVG/PNG.
type Map struct {
	width, height float64 // pixels
	title         string
	bound         orb.Bound
	hasBound      bool
	fixedBound    bool
	layers        []func(c *draw.Canvas, pr *projection)
	overlay       []func(c *draw.Canvas, pr *projection)
	legend        []legendEntry
	bar           *colorBar
	markers       bool
	scaleBar      bool
	err           error
	nextColor     int
	dots          []orb.Point // drawn points: labels avoid them
	labels        []mapLabel
}

// mapLabel is a text placed after everything else, clear of dots and other labels.
type mapLabel struct {
	at   orb.Point
	text string
	col  color.Color
}

type legendEntry struct {
	label string
	color color.Color
	dot   bool // a dot instead of a line swatch
}

type colorBar struct {
	label    string
	min, max float64
}

// LineStyle styles plain polylines: a "#rrggbb" colour and a width in pixels.
type LineStyle struct {
	Color string
	Width float64
	Dash  bool
	Label string // legend entry, "" for none
}

// NewMap starts a map of width×height pixels (e.g. 800, 600).
func NewMap(width, height float64) *Map {
	return &Map{width: width, height: height, markers: true, scaleBar: true}
}

// Title sets the title drawn above the map.
func (m *Map) Title(s string) *Map { m.title = s; return m }

// Bound fixes the area shown (otherwise it fits everything drawn).
func (m *Map) Bound(b orb.Bound) *Map { m.bound, m.hasBound, m.fixedBound = b, true, true; return m }

// Markers turns the start (green) / end (red) markers of trajectories on or off (default on).
func (m *Map) Markers(on bool) *Map { m.markers = on; return m }

// ScaleBar turns the distance scale bar on or off (default on).
func (m *Map) ScaleBar(on bool) *Map { m.scaleBar = on; return m }

// Err returns the first error recorded while building the map.
func (m *Map) Err() error { return m.err }

func (m *Map) fail(format string, args ...any) {
	if m.err == nil {
		m.err = fmt.Errorf("viz map: "+format, args...)
	}
}

func (m *Map) extend(b orb.Bound) {
	if m.fixedBound {
		return
	}
	if !m.hasBound {
		m.bound, m.hasBound = b, true
		return
	}
	m.bound = m.bound.Union(b)
}

func (m *Map) extendPoints(pts []orb.Point) {
	for _, p := range pts {
		if math.IsNaN(p[0]) || math.IsNaN(p[1]) {
			continue
		}
		m.extend(orb.Bound{Min: p, Max: p})
	}
}

func mustColor(m *Map, s string, fallback color.RGBA) color.RGBA {
	if s == "" {
		return fallback
	}
	c, err := ParseColor(s)
	if err != nil {
		m.fail("%v", err)
		return fallback
	}
	return c
}

// roadWidth is the drawn width (px) of a road class.
func roadWidth(class string) float64 {
	switch class {
	case "motorway", "trunk":
		return 3
	case "primary", "arterial":
		return 2.2
	case "secondary":
		return 1.8
	case "tertiary":
		return 1.4
	}
	return 1
}

// Roads draws a road network as a grey background (wider for major classes);
// two-way streets are drawn once.
func (m *Map) Roads(g *roadnet.Graph) *Map {
	if g == nil {
		m.fail("Roads: nil graph")
		return m
	}
	type line struct {
		pts   orb.LineString
		width float64
	}
	var lines []line
	for i := range g.Segments {
		s := &g.Segments[i]
		if s.Reverse >= 0 && s.Reverse < s.ID {
			continue
		}
		geom := s.Geometry
		if len(geom) < 2 && s.From >= 0 && s.To >= 0 && s.From < len(g.Nodes) && s.To < len(g.Nodes) {
			geom = orb.LineString{g.Nodes[s.From].Point, g.Nodes[s.To].Point}
		}
		lines = append(lines, line{geom, roadWidth(s.Class)})
		m.extendPoints(geom)
	}
	for _, n := range g.Nodes {
		m.extendPoints([]orb.Point{n.Point})
	}
	grey := color.RGBA{0xb8, 0xb8, 0xb8, 255}
	m.layers = append(m.layers, func(c *draw.Canvas, pr *projection) {
		// One path per width keeps the SVG small (thousands of segments).
		byWidth := map[float64][][]vg.Point{}
		var widths []float64
		for _, l := range lines {
			if _, ok := byWidth[l.width]; !ok {
				widths = append(widths, l.width)
			}
			byWidth[l.width] = append(byWidth[l.width], c.ClipLinesXY(pr.line(l.pts))...)
		}
		sort.Float64s(widths)
		for _, w := range widths {
			strokeMany(c, draw.LineStyle{Color: grey, Width: px(w)}, byWidth[w])
		}
	})
	return m
}

// strokeMany strokes many polylines as a single path.
func strokeMany(c *draw.Canvas, sty draw.LineStyle, lines [][]vg.Point) {
	var p vg.Path
	for _, l := range lines {
		if len(l) < 2 {
			continue
		}
		p.Move(l[0])
		for _, q := range l[1:] {
			p.Line(q)
		}
	}
	if len(p) == 0 {
		return
	}
	c.SetLineStyle(sty)
	c.Stroke(p)
}

// Lines draws plain polylines (e.g. a road network not in a Graph, or routes).
func (m *Map) Lines(lines []orb.LineString, style LineStyle) *Map {
	col := mustColor(m, style.Color, color.RGBA{0xb8, 0xb8, 0xb8, 255})
	w := style.Width
	if w <= 0 {
		w = 1
	}
	ls := draw.LineStyle{Color: col, Width: px(w)}
	if style.Dash {
		ls.Dashes = []vg.Length{px(4), px(3)}
	}
	for _, l := range lines {
		m.extendPoints(l)
	}
	m.layers = append(m.layers, func(c *draw.Canvas, pr *projection) {
		for _, l := range lines {
			c.StrokeLines(ls, pr.line(l))
		}
	})
	if style.Label != "" {
		m.legend = append(m.legend, legendEntry{label: style.Label, color: col})
	}
	return m
}

// Polygons fills polygons lightly (e.g. districts) and writes labels[i] (may be nil) at their centres.
func (m *Map) Polygons(polys []orb.Polygon, labels []string) *Map {
	if labels != nil && len(labels) != len(polys) {
		m.fail("Polygons: %d labels for %d polygons", len(labels), len(polys))
		return m
	}
	for _, p := range polys {
		if len(p) > 0 {
			m.extendPoints(p[0])
		}
	}
	m.layers = append(m.layers, func(c *draw.Canvas, pr *projection) {
		for i, p := range polys {
			if len(p) == 0 || len(p[0]) < 3 {
				continue
			}
			col := Palette[i%len(Palette)]
			ring := pr.line(orb.LineString(p[0]))
			c.FillPolygon(withAlpha(col, 40), ring)
			c.StrokeLines(draw.LineStyle{Color: withAlpha(col, 160), Width: px(1), Dashes: []vg.Length{px(3), px(2)}}, append(ring, ring[0]))
		}
	})
	for i, p := range polys {
		if labels != nil && labels[i] != "" && len(p) > 0 && len(p[0]) >= 3 {
			m.labels = append(m.labels, mapLabel{at: p.Bound().Center(), text: labels[i], col: darken(Palette[i%len(Palette)])})
		}
	}
	return m
}

// Cells fills rectangles (e.g. grid cells, in lon/lat) coloured by value on the
// viridis scale, with a colour bar named label, drawn at the layer's position
// (add it before Roads to keep streets visible on top). NaN values are skipped.
func (m *Map) Cells(cells []orb.Bound, values []float64, label string) *Map {
	if len(cells) != len(values) {
		m.fail("Cells %q: %d values for %d cells", label, len(values), len(cells))
		return m
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		lo, hi = math.Min(lo, v), math.Max(hi, v)
		m.extendPoints([]orb.Point{cells[i].Min, cells[i].Max})
	}
	if math.IsInf(lo, 0) {
		m.fail("Cells %q: no finite value", label)
		return m
	}
	m.setBar(label, lo, hi)
	bar := m.bar
	m.layers = append(m.layers, func(c *draw.Canvas, pr *projection) {
		for i, b := range cells {
			v := values[i]
			if math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			p0, p1 := pr.pt(b.Min), pr.pt(b.Max)
			col := Viridis((v - bar.min) / (bar.max - bar.min))
			c.FillPolygon(col, []vg.Point{p0, {X: p1.X, Y: p0.Y}, p1, {X: p0.X, Y: p1.Y}})
		}
	})
	return m
}

// Points draws dots (e.g. POIs, GPS fixes) in one colour with an optional legend label.
func (m *Map) Points(pts []orb.Point, colour, label string) *Map {
	col := mustColor(m, colour, Palette[0])
	m.extendPoints(pts)
	m.dots = append(m.dots, pts...)
	m.overlay = append(m.overlay, func(c *draw.Canvas, pr *projection) {
		for _, p := range pts {
			c.DrawGlyph(draw.GlyphStyle{Color: col, Radius: px(3), Shape: draw.CircleGlyph{}}, pr.pt(p))
		}
	})
	if label != "" {
		m.legend = append(m.legend, legendEntry{label: label, color: col, dot: true})
	}
	return m
}

// ValuePoints draws dots coloured by value on the viridis scale (a colour
// bar named label) and sized by |value| (radius 2.5–9 px, the largest
// |value| biggest), the biggest drawn on top: per-point weights such as
// attention or attributions. NaN values are skipped.
func (m *Map) ValuePoints(pts []orb.Point, values []float64, label string) *Map {
	if len(pts) != len(values) {
		m.fail("ValuePoints %q: %d values for %d points", label, len(values), len(pts))
		return m
	}
	lo, hi, big := math.Inf(1), math.Inf(-1), 0.0
	var order []int
	for i, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		lo, hi, big = math.Min(lo, v), math.Max(hi, v), math.Max(big, math.Abs(v))
		order = append(order, i)
	}
	if len(order) == 0 {
		m.fail("ValuePoints %q: no finite value", label)
		return m
	}
	sort.SliceStable(order, func(a, b int) bool { return math.Abs(values[order[a]]) < math.Abs(values[order[b]]) })
	m.setBar(label, lo, hi)
	bar := m.bar
	m.extendPoints(pts)
	m.dots = append(m.dots, pts...)
	m.overlay = append(m.overlay, func(c *draw.Canvas, pr *projection) {
		for _, i := range order {
			r := 2.5
			if big > 0 {
				r += 6.5 * math.Abs(values[i]) / big
			}
			q := pr.pt(pts[i])
			c.DrawGlyph(draw.GlyphStyle{Color: color.White, Radius: px(r + 1), Shape: draw.CircleGlyph{}}, q)
			c.DrawGlyph(draw.GlyphStyle{Color: Viridis((values[i] - bar.min) / (bar.max - bar.min)), Radius: px(r), Shape: draw.CircleGlyph{}}, q)
		}
	})
	return m
}

// Trajectories draws each trajectory in its own palette colour (labelled by ID
// in the legend when there are at most 10) with start/end markers.
func (m *Map) Trajectories(ts ...*traj.Trajectory) *Map {
	for _, t := range ts {
		if t == nil || len(t.Points) == 0 {
			continue
		}
		col := Palette[m.nextColor%len(Palette)]
		m.nextColor++
		colors := make([]color.Color, max(len(t.Points)-1, 0))
		for i := range colors {
			colors[i] = col
		}
		m.addTrack(t, colors)
		if len(ts) <= 10 && t.ID != "" {
			m.legend = append(m.legend, legendEntry{label: t.ID, color: col})
		}
	}
	return m
}

// BySpeed colours trajectories by the speed of each step (km/h) with a colour bar.
func (m *Map) BySpeed(ts ...*traj.Trajectory) *Map {
	var all [][]float64
	var finite []float64
	for _, t := range ts {
		s := t.Speeds()
		for i := range s {
			s[i] *= 3.6
			if !math.IsNaN(s[i]) && !math.IsInf(s[i], 0) {
				finite = append(finite, s[i])
			}
		}
		all = append(all, s)
	}
	if len(finite) == 0 {
		m.fail("BySpeed: no trajectory has two timed points")
		return m
	}
	sort.Float64s(finite)
	hi := finite[int(0.98*float64(len(finite)-1))] // robust to GPS jumps
	if hi <= 0 {
		hi = finite[len(finite)-1]
	}
	if hi <= 0 {
		hi = 1
	}
	m.setBar("speed (km/h)", 0, hi)
	for k, t := range ts {
		m.addTrack(t, m.scaleColors(all[k]))
	}
	return m
}

// ByMode colours every step by its transport mode (Trajectory.ModeAt) with a legend.
func (m *Map) ByMode(ts ...*traj.Trajectory) *Map {
	seen := map[string]bool{}
	for _, t := range ts {
		if t == nil || len(t.Points) == 0 {
			continue
		}
		colors := make([]color.Color, len(t.Points)-1)
		for i := range colors {
			mode := t.ModeAt(i)
			seen[mode] = true
			colors[i] = ModeColor(mode)
		}
		m.addTrack(t, colors)
	}
	modes := make([]string, 0, len(seen))
	for k := range seen {
		modes = append(modes, k)
	}
	sort.Strings(modes)
	for _, k := range modes {
		label := k
		if label == "" {
			label = "(unknown)"
		}
		m.legend = append(m.legend, legendEntry{label: label, color: ModeColor(k)})
	}
	return m
}

// ByValue colours one trajectory by any value: one per point (each step gets
// the mean of its ends) or one per step. label names the colour bar. Several
// ByValue calls on one map share the colour bar (its range grows).
func (m *Map) ByValue(t *traj.Trajectory, values []float64, label string) *Map {
	if t == nil || len(t.Points) < 2 {
		m.fail("ByValue %q: trajectory needs at least 2 points", label)
		return m
	}
	n := len(t.Points)
	var step []float64
	switch len(values) {
	case n:
		step = make([]float64, n-1)
		for i := range step {
			step[i] = (values[i] + values[i+1]) / 2
		}
	case n - 1:
		step = values
	default:
		m.fail("ByValue %q: %d values for trajectory %q with %d points (want %d or %d)", label, len(values), t.ID, n, n, n-1)
		return m
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range values {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if math.IsInf(lo, 0) {
		m.fail("ByValue %q: no finite value", label)
		return m
	}
	if m.bar != nil && m.bar.label == label {
		lo, hi = math.Min(lo, m.bar.min), math.Max(hi, m.bar.max)
	}
	m.setBar(label, lo, hi)
	// Colours are resolved at draw time so later calls can widen the range.
	m.addTrackFunc(t, func() []color.Color { return m.scaleColors(step) })
	return m
}

func (m *Map) setBar(label string, lo, hi float64) {
	if hi <= lo {
		hi = lo + 1
	}
	m.bar = &colorBar{label: label, min: lo, max: hi}
}

func (m *Map) scaleColors(v []float64) []color.Color {
	out := make([]color.Color, len(v))
	for i, x := range v {
		out[i] = Viridis((x - m.bar.min) / (m.bar.max - m.bar.min))
	}
	return out
}

func (m *Map) addTrack(t *traj.Trajectory, colors []color.Color) {
	m.addTrackFunc(t, func() []color.Color { return colors })
}

// addTrackFunc draws a trajectory step by step with per-step colours, plus markers.
func (m *Map) addTrackFunc(t *traj.Trajectory, colors func() []color.Color) {
	if t == nil || len(t.Points) == 0 {
		return
	}
	ls := t.LineString()
	m.extendPoints(ls)
	m.layers = append(m.layers, func(c *draw.Canvas, pr *projection) {
		pts := pr.line(ls)
		cols := colors()
		// Join consecutive steps of the same colour into one polyline (smaller SVG, nicer joins).
		for i := 0; i+1 < len(pts); {
			j := i + 1
			for j+1 < len(pts) && j < len(cols) && cols[j] == cols[i] {
				j++
			}
			c.StrokeLines(draw.LineStyle{Color: cols[i], Width: px(2.5)}, pts[i:j+1])
			i = j
		}
	})
	if m.markers {
		start, end := ls[0], ls[len(ls)-1]
		m.overlay = append(m.overlay, func(c *draw.Canvas, pr *projection) {
			for _, mk := range []struct {
				p   orb.Point
				col color.RGBA
			}{{start, color.RGBA{0x1b, 0x9e, 0x3e, 255}}, {end, color.RGBA{0xc6, 0x28, 0x28, 255}}} {
				q := pr.pt(mk.p)
				c.DrawGlyph(draw.GlyphStyle{Color: color.White, Radius: px(5.5), Shape: draw.CircleGlyph{}}, q)
				c.DrawGlyph(draw.GlyphStyle{Color: mk.col, Radius: px(4), Shape: draw.CircleGlyph{}}, q)
			}
		})
	}
}

// projection maps lon/lat to canvas points: the local projection
// (traj.LocalProjection) around the bound's centre, in metres, scaled to vg
// points.
type projection struct {
	local  traj.LocalProjection
	scale  float64 // vg points per metre
	cx, cy vg.Length
}

func (p *projection) pt(q orb.Point) vg.Point {
	x, y := p.local.XY(q)
	return vg.Point{X: p.cx + vg.Length(x*p.scale), Y: p.cy + vg.Length(y*p.scale)}
}

func (p *projection) line(ls orb.LineString) []vg.Point {
	out := make([]vg.Point, 0, len(ls))
	for _, q := range ls {
		if math.IsNaN(q[0]) || math.IsNaN(q[1]) {
			continue
		}
		out = append(out, p.pt(q))
	}
	return out
}

// metresPerPoint is the ground distance of one vg point.
func (p *projection) metresPerPoint() float64 { return 1 / p.scale }

// newProjection fits bound (with 4% padding) into area, keeping the aspect.
func newProjection(b orb.Bound, area vg.Rectangle) *projection {
	local := traj.NewLocalProjection(b.Center())
	x0, y0 := local.XY(b.Min)
	x1, y1 := local.XY(b.Max)
	const minSpan = 55.0 // metres (0.0005°), for a single point
	dx, dy := math.Max(x1-x0, minSpan)*1.08, math.Max(y1-y0, minSpan)*1.08
	w, h := float64(area.Max.X-area.Min.X), float64(area.Max.Y-area.Min.Y)
	return &projection{
		local: local,
		scale: math.Min(w/dx, h/dy),
		cx:    (area.Min.X + area.Max.X) / 2, cy: (area.Min.Y + area.Max.Y) / 2,
	}
}

// SVG renders the map as SVG.
func (m *Map) SVG() ([]byte, error) { return m.render("svg") }

// PNG renders the map as PNG (96 dpi, width×height pixels).
func (m *Map) PNG() ([]byte, error) { return m.render("png") }

func (m *Map) render(format string) ([]byte, error) {
	if m.err != nil {
		return nil, m.err
	}
	if !m.hasBound {
		return nil, fmt.Errorf("viz map: nothing to draw (add roads, lines, points or trajectories)")
	}
	return render(m.width, m.height, format, m.draw)
}

// drawOn draws the map filling c (a panel of a Grid).
func (m *Map) drawOn(c draw.Canvas) error {
	if m.err != nil {
		return m.err
	}
	if !m.hasBound {
		return fmt.Errorf("viz map: nothing to draw (add roads, lines, points or trajectories)")
	}
	return m.draw(c)
}

func textStyle(size vg.Length, col color.Color, xa draw.XAlignment, ya draw.YAlignment) draw.TextStyle {
	return draw.TextStyle{
		Color:   col,
		Font:    font.From(font.Font{Typeface: "Liberation", Variant: "Sans"}, size),
		XAlign:  xa,
		YAlign:  ya,
		Handler: text.Plain{Fonts: font.DefaultCache},
	}
}

func darken(c color.RGBA) color.RGBA { return color.RGBA{c.R / 2, c.G / 2, c.B / 2, 255} }

func (m *Map) draw(c draw.Canvas) error {
	c.FillPolygon(color.White, rect(c.Rectangle))
	area := c.Rectangle
	pad := px(8)
	area.Min.X += pad
	area.Min.Y += pad
	area.Max.X -= pad
	area.Max.Y -= pad
	if m.title != "" {
		c.FillText(textStyle(13, color.Black, draw.XCenter, draw.YTop), vg.Point{X: (area.Min.X + area.Max.X) / 2, Y: area.Max.Y}, m.title)
		area.Max.Y -= px(24)
	}
	panel := area
	if len(m.legend) > 0 || m.bar != nil {
		w := px(150) // wide enough for the colour bar; wider for long legend labels
		for _, e := range m.legend {
			w = max(w, textStyle(10, color.Black, draw.XLeft, draw.YCenter).Width(e.label)+px(36))
		}
		area.Max.X -= w
		panel.Min.X = area.Max.X + px(10)
	}
	c.FillPolygon(color.RGBA{0xfa, 0xfa, 0xf7, 255}, rect(area))
	c.StrokeLines(draw.LineStyle{Color: color.RGBA{0xcc, 0xcc, 0xcc, 255}, Width: px(1)}, append(rect(area), area.Min))
	pr := newProjection(m.bound, area)
	inner := draw.Crop(c, area.Min.X-c.Min.X, area.Max.X-c.Max.X, area.Min.Y-c.Min.Y, area.Max.Y-c.Max.Y)
	for _, l := range m.layers {
		l(&inner, pr)
	}
	for _, l := range m.overlay {
		l(&inner, pr)
	}
	m.drawLabels(&inner, pr)
	if m.scaleBar {
		drawScaleBar(&c, pr, area)
	}
	m.drawPanel(&c, panel)
	return nil
}

func rect(r vg.Rectangle) []vg.Point {
	return []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}}
}

// niceLength rounds v down to 1, 2 or 5 × 10^k.
func niceLength(v float64) float64 {
	if v <= 0 {
		return 0
	}
	e := math.Pow(10, math.Floor(math.Log10(v)))
	for _, f := range []float64{5, 2, 1} {
		if f*e <= v {
			return f * e
		}
	}
	return e
}

func drawScaleBar(c *draw.Canvas, pr *projection, area vg.Rectangle) {
	mpp := pr.metresPerPoint()
	target := float64(area.Max.X-area.Min.X) / 5 * mpp
	metres := niceLength(target)
	if metres <= 0 {
		return
	}
	length := vg.Length(metres / mpp)
	x0, y0 := area.Min.X+px(12), area.Min.Y+px(12)
	black := draw.LineStyle{Color: color.RGBA{0x33, 0x33, 0x33, 255}, Width: px(2)}
	c.StrokeLines(black, []vg.Point{{X: x0, Y: y0 + px(4)}, {X: x0, Y: y0}, {X: x0 + length, Y: y0}, {X: x0 + length, Y: y0 + px(4)}})
	label := strconv.FormatFloat(metres, 'f', -1, 64) + " m"
	if metres >= 1000 {
		label = strconv.FormatFloat(metres/1000, 'f', -1, 64) + " km"
	}
	c.FillText(textStyle(9, color.Black, draw.XCenter, draw.YBottom), vg.Point{X: x0 + length/2, Y: y0 + px(3)}, label)
}

func (m *Map) drawPanel(c *draw.Canvas, panel vg.Rectangle) {
	y := panel.Max.Y - px(4)
	x := panel.Min.X
	for _, e := range m.legend {
		mid := y - px(7)
		if e.dot {
			c.DrawGlyph(draw.GlyphStyle{Color: e.color, Radius: px(4), Shape: draw.CircleGlyph{}}, vg.Point{X: x + px(10), Y: mid})
		} else {
			c.StrokeLines(draw.LineStyle{Color: e.color, Width: px(4)}, []vg.Point{{X: x, Y: mid}, {X: x + px(20), Y: mid}})
		}
		c.FillText(textStyle(10, color.Black, draw.XLeft, draw.YCenter), vg.Point{X: x + px(26), Y: mid}, e.label)
		y -= px(18)
	}
	if m.bar == nil {
		return
	}
	y -= px(10)
	c.FillText(textStyle(10, color.Black, draw.XLeft, draw.YTop), vg.Point{X: x, Y: y}, m.bar.label)
	top := y - px(20)
	height := min(px(180), top-panel.Min.Y-px(10))
	if height < px(30) {
		return
	}
	const steps = 40
	bw := px(16)
	for i := 0; i < steps; i++ {
		y0 := top - height + height*vg.Length(i)/steps
		y1 := top - height + height*vg.Length(i+1)/steps + px(0.5)
		c.FillPolygon(Viridis((float64(i)+0.5)/steps), []vg.Point{{X: x, Y: y0}, {X: x + bw, Y: y0}, {X: x + bw, Y: y1}, {X: x, Y: y1}})
	}
	ticks := NiceTicks(m.bar.min, m.bar.max, 5)
	d := 0
	if len(ticks) > 1 {
		d = decimals(ticks[1] - ticks[0])
	}
	for _, v := range ticks { // 1-2-5 values, not the range's quarters
		yy := top - height + height*vg.Length((v-m.bar.min)/(m.bar.max-m.bar.min))
		c.StrokeLines(draw.LineStyle{Color: color.Black, Width: px(1)}, []vg.Point{{X: x + bw, Y: yy}, {X: x + bw + px(4), Y: yy}})
		c.FillText(textStyle(9, color.Black, draw.XLeft, draw.YCenter), vg.Point{X: x + bw + px(6), Y: yy}, formatFixed(v, d))
	}
}

func formatTick(v float64) string {
	a := math.Abs(v)
	switch {
	case a == 0:
		return "0"
	case v == math.Trunc(v) && a < 1e6:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 1000 || a < 0.01:
		return strconv.FormatFloat(v, 'g', 3, 64)
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// drawLabels writes the polygon labels last, each moved off the dots and the
// labels before it (placeLabels) and set on a pale backing so roads under it
// do not hide it.
func (m *Map) drawLabels(c *draw.Canvas, pr *projection) {
	if len(m.labels) == 0 {
		return
	}
	var obstacles []box
	r := px(4)
	for _, p := range m.dots {
		q := pr.pt(p)
		obstacles = append(obstacles, box{q.X - r, q.Y - r, q.X + r, q.Y + r})
	}
	anchors := make([]vg.Point, len(m.labels))
	sizes := make([]vg.Point, len(m.labels))
	for i, l := range m.labels {
		st := textStyle(10, l.col, draw.XCenter, draw.YCenter)
		anchors[i] = pr.pt(l.at)
		sizes[i] = vg.Point{X: st.Width(l.text) + px(4), Y: st.Height(l.text) + px(2)}
	}
	centres, _ := placeLabels(anchors, sizes, obstacles)
	for i, l := range m.labels {
		ctr, sz := centres[i], sizes[i]
		c.FillPolygon(color.NRGBA{255, 255, 255, 190}, rect(vg.Rectangle{Min: vg.Point{X: ctr.X - sz.X/2, Y: ctr.Y - sz.Y/2}, Max: vg.Point{X: ctr.X + sz.X/2, Y: ctr.Y + sz.Y/2}}))
		c.FillText(textStyle(10, l.col, draw.XCenter, draw.YCenter), ctr, l.text)
	}
}
