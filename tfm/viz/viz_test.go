package viz

import (
	"bytes"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/tfm-course/course/tfm/roadnet"
	"github.com/tfm-course/course/tfm/traj"
)

// gridCity is a 5×5 street grid around Beijing (60° latitude would exaggerate aspect errors more, but
// 40° already makes cos(lat) matter).
func gridCity() *roadnet.Graph {
	g := &roadnet.Graph{}
	const n, step = 5, 0.005
	id := func(i, j int) int { return i*n + j }
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			g.AddNode(orb.Point{116.3 + float64(j)*step, 39.9 + float64(i)*step}, 0)
		}
	}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if j+1 < n {
				g.AddTwoWay(id(i, j), id(i, j+1), orb.LineString{g.Nodes[id(i, j)].Point, g.Nodes[id(i, j+1)].Point}, 13.9, "residential", "")
			}
			if i+1 < n {
				g.AddTwoWay(id(i, j), id(i+1, j), orb.LineString{g.Nodes[id(i, j)].Point, g.Nodes[id(i+1, j)].Point}, 16.7, "primary", "")
			}
		}
	}
	return g
}

func walk(id, mode string, n int) *traj.Trajectory {
	t0 := time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)
	tr := &traj.Trajectory{ID: id, Mode: mode}
	for i := 0; i < n; i++ {
		tr.Points = append(tr.Points, traj.NewPoint(116.3+0.0008*float64(i), 39.9+0.0005*float64(i)+0.0003*math.Sin(float64(i)), t0.Add(time.Duration(i*(10+i))*time.Second)))
	}
	return tr
}

func TestMapSVGAndPNG(t *testing.T) {
	a, b := walk("a", "walk", 20), walk("b", "bus", 15)
	b.Modes = make([]string, len(b.Points))
	for i := range b.Modes {
		b.Modes[i] = map[bool]string{true: "walk", false: "bus"}[i < 5]
	}
	m := NewMap(800, 600).Title("grid city").Roads(gridCity()).
		Polygons([]orb.Polygon{{{{116.3, 39.9}, {116.31, 39.9}, {116.31, 39.91}, {116.3, 39.91}, {116.3, 39.9}}}}, []string{"centre"}).
		BySpeed(a).ByMode(b).Points([]orb.Point{{116.305, 39.905}}, "#000", "POI")
	svg, err := m.SVG()
	if err != nil {
		t.Fatal(err)
	}
	s := string(svg)
	for _, want := range []string{"<svg", "grid city", "speed (km/h)", "walk", "bus", "POI", "centre", " m<", "width=\"600pt\""} {
		if !strings.Contains(s, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	pngData, err := m.PNG()
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 800 || b.Dy() != 600 {
		t.Errorf("PNG is %dx%d, want 800x600", b.Dx(), b.Dy())
	}
	if dir := os.Getenv("TFM_VIZ_OUT"); dir != "" { // for eyeballing
		Save(m, filepath.Join(dir, "map.png"))
		Save(m, filepath.Join(dir, "map.svg"))
	}
}

func TestProjectionKeepsAspect(t *testing.T) {
	// A square of 1 km × 1 km at 60°N must be drawn square.
	// Its corners are from traj's local projection, like the map's own; the
	// haversine sides differ from the projected ones by < 1 mm here.
	sq := traj.NewLocalProjection(orb.Point{10, 60})
	b := orb.Bound{Min: sq.LonLat(-500, -500), Max: sq.LonLat(500, 500)}
	if w, h := traj.Haversine(b.Min, orb.Point{b.Max[0], b.Min[1]}), traj.Haversine(b.Min, orb.Point{b.Min[0], b.Max[1]}); math.Abs(w-1000) > 1 || math.Abs(h-1000) > 1e-6 {
		t.Fatalf("test square %g × %g m", w, h)
	}
	pr := newProjection(b, rect2(0, 0, 500, 300))
	p0, p1 := pr.pt(b.Min), pr.pt(b.Max)
	w, h := float64(p1.X-p0.X), float64(p1.Y-p0.Y)
	if math.Abs(w/h-1) > 0.01 {
		t.Fatalf("1 km square drawn %gx%g", w, h)
	}
	if mpp := pr.metresPerPoint(); math.Abs(mpp*h-1000) > 0.01 {
		t.Errorf("metres per point %g gives %g m for the square's side", mpp, mpp*h)
	}
}

func TestMapErrors(t *testing.T) {
	if _, err := NewMap(100, 100).SVG(); err == nil || !strings.Contains(err.Error(), "nothing to draw") {
		t.Errorf("empty map: err = %v", err)
	}
	tr := walk("x", "car", 5)
	if _, err := NewMap(100, 100).ByValue(tr, []float64{1, 2}, "attention").SVG(); err == nil || !strings.Contains(err.Error(), "2 values") {
		t.Errorf("wrong value count: err = %v", err)
	}
	if _, err := NewMap(100, 100).Points([]orb.Point{{0, 0}}, "blue", "").SVG(); err == nil {
		t.Error("bad colour accepted")
	}
}

func TestByValueSharesColourBar(t *testing.T) {
	a, b := walk("a", "", 4), walk("b", "", 4)
	m := NewMap(400, 300).ByValue(a, []float64{0, 1, 2, 3}, "w").ByValue(b, []float64{5, 6, 7, 10}, "w")
	if m.bar.min != 0 || m.bar.max != 10 {
		t.Errorf("colour bar range [%g,%g], want [0,10]", m.bar.min, m.bar.max)
	}
	if _, err := m.SVG(); err != nil {
		t.Fatal(err)
	}
}

func TestCharts(t *testing.T) {
	xs := []float64{0, 1, 2, 3, 4}
	figs := map[string]Figure{
		"line":    Line("Loss", "step", "loss", Series{Name: "train", Y: []float64{3, 2, 1.5, 1.2, math.NaN()}}, Series{Name: "val", X: xs, Y: []float64{3.2, 2.4, 2, 1.9, 1.9}, Points: true}),
		"scatter": Scatter("Embeddings", "pc1", "pc2", xs, []float64{1, 0, 1, 0, 1}, []string{"car", "walk", "car", "walk", "bus"}),
		"heatmap": Heatmap("Confusion", [][]float64{{5, 1}, {2, 7}}, []string{"car", "walk"}, []string{"car", "walk"}),
		"bar":     Bar("Accuracy", "acc", []string{"rnn", "transformer"}, []float64{0.7, 0.85}),
	}
	wants := map[string][]string{"line": {"train", "val", "Loss"}, "scatter": {"car", "walk", "bus"}, "heatmap": {"Confusion", ">7<"}, "bar": {"transformer"}}
	for name, f := range figs {
		svg, err := f.SVG()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, w := range wants[name] {
			if !strings.Contains(string(svg), w) {
				t.Errorf("%s SVG lacks %q", name, w)
			}
		}
		if _, err := f.PNG(); err != nil {
			t.Fatalf("%s PNG: %v", name, err)
		}
		if dir := os.Getenv("TFM_VIZ_OUT"); dir != "" {
			Save(f, filepath.Join(dir, name+".png"))
		}
	}
}

func TestChartErrors(t *testing.T) {
	for name, f := range map[string]Figure{
		"line":    Line("L", "", "", Series{X: []float64{1}, Y: []float64{1, 2}}),
		"scatter": Scatter("S", "", "", []float64{1}, []float64{1}, []string{"a", "b"}),
		"heatmap": Heatmap("H", [][]float64{{1, 2}, {3}}, nil, nil),
		"bar":     Bar("B", "", []string{"a"}, nil),
	} {
		if _, err := f.SVG(); err == nil {
			t.Errorf("%s: bad input accepted", name)
		}
	}
}

func TestSave(t *testing.T) {
	dir := t.TempDir()
	f := Bar("B", "", []string{"a"}, []float64{1})
	for _, name := range []string{"x.svg", "sub/x.png"} {
		if err := Save(f, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := Save(f, filepath.Join(dir, "x.gif")); err == nil || !strings.Contains(err.Error(), ".gif") {
		t.Errorf("Save .gif: err = %v", err)
	}
}

func rect2(x0, y0, x1, y1 float64) (r vgRect) {
	r.Min.X, r.Min.Y, r.Max.X, r.Max.Y = vgLen(x0), vgLen(y0), vgLen(x1), vgLen(y1)
	return r
}

func TestCells(t *testing.T) {
	cells := []orb.Bound{{Min: orb.Point{10, 50}, Max: orb.Point{10.01, 50.01}}, {Min: orb.Point{10.01, 50}, Max: orb.Point{10.02, 50.01}}}
	m := NewMap(300, 200).Cells(cells, []float64{1, 9}, "visits")
	svg, err := m.SVG()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(svg), "visits") || m.bar.min != 1 || m.bar.max != 9 {
		t.Errorf("colour bar [%g,%g], SVG has label: %v", m.bar.min, m.bar.max, strings.Contains(string(svg), "visits"))
	}
	if _, err := NewMap(300, 200).Cells(cells, []float64{1}, "x").SVG(); err == nil {
		t.Error("1 value for 2 cells accepted")
	}
}

func TestValuePoints(t *testing.T) {
	tr := walk("a", "", 4)
	pts := tr.LineString()
	m := NewMap(400, 300).Trajectories(tr).ValuePoints(pts, []float64{0.1, 0.4, math.NaN(), 0.2}, "weight")
	if m.bar == nil || m.bar.min != 0.1 || m.bar.max != 0.4 || m.bar.label != "weight" {
		t.Errorf("colour bar %+v, want weight over [0.1,0.4]", m.bar)
	}
	svg, err := m.SVG()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(svg), "weight") {
		t.Error("colour bar label missing from the SVG")
	}
	if _, err := NewMap(100, 100).ValuePoints(pts, []float64{1}, "w").SVG(); err == nil || !strings.Contains(err.Error(), "1 values for 4 points") {
		t.Errorf("wrong value count: err = %v", err)
	}
}
