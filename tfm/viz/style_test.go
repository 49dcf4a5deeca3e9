package viz

import (
	"bytes"
	"encoding/base64"
	"image/png"
	"math"
	"regexp"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
)

func TestNiceTicks(t *testing.T) {
	cases := []struct {
		lo, hi float64
		want   []float64
	}{
		{0, 29.9, []float64{0, 5, 10, 15, 20, 25}}, // the speed bar that read 7.47 / 14.9 / 22.4
		{0.118, 0.142, []float64{0.12, 0.125, 0.13, 0.135, 0.14}},
		{-1, 1, []float64{-1, -0.5, 0, 0.5, 1}},
		{0, 300, []float64{0, 100, 200, 300}},
		{3.2, 3.9, []float64{3.2, 3.4, 3.6, 3.8}},
	}
	for _, c := range cases {
		got := NiceTicks(c.lo, c.hi, 5)
		if len(got) != len(c.want) {
			t.Errorf("NiceTicks(%g, %g) = %v, want %v", c.lo, c.hi, got, c.want)
			continue
		}
		for i := range got {
			if math.Abs(got[i]-c.want[i]) > 1e-12 {
				t.Errorf("NiceTicks(%g, %g) = %v, want %v", c.lo, c.hi, got, c.want)
				break
			}
		}
	}
	// Every step is 1, 2 or 5 × 10^k, every tick inside the range.
	for _, r := range [][2]float64{{0, 7.47}, {0.122, 0.138}, {1, 1e6}, {-3e-4, 2e-4}, {17, 23}} {
		ticks := NiceTicks(r[0], r[1], 5)
		if len(ticks) < 2 {
			t.Fatalf("NiceTicks(%g, %g) = %v: want at least 2", r[0], r[1], ticks)
		}
		step := ticks[1] - ticks[0]
		m := step / math.Pow(10, math.Floor(math.Log10(step)+1e-9))
		if math.Abs(m-1) > 1e-6 && math.Abs(m-2) > 1e-6 && math.Abs(m-5) > 1e-6 {
			t.Errorf("NiceTicks(%g, %g): step %g is not 1-2-5", r[0], r[1], step)
		}
		for _, v := range ticks {
			if v < r[0]-1e-12 || v > r[1]+1e-12 {
				t.Errorf("NiceTicks(%g, %g): %g outside", r[0], r[1], v)
			}
		}
	}
	if NiceTicks(1, 1, 5) != nil || NiceTicks(0, math.Inf(1), 5) != nil {
		t.Error("NiceTicks of an empty or infinite range should be nil")
	}
}

func TestChartTicksAreNice(t *testing.T) {
	c := Line("t", "step", "loss", Series{Name: "a", Y: []float64{0.1221, 0.13, 0.1379}})
	svg, err := c.SVG()
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{">0.122<", ">0.138<", ">7.47<"} {
		if strings.Contains(string(svg), bad) {
			t.Errorf("chart has a tick label %s", bad)
		}
	}
	for _, want := range []string{">0.125<", ">0.135<"} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("chart lacks the tick label %s", want)
		}
	}
}

func TestPlaceLabelsAvoidsDotsAndLabels(t *testing.T) {
	size := vg.Point{X: 40, Y: 10}
	dot := box{-3, -3, 3, 3} // a POI right on the district's centre
	anchors := []vg.Point{{X: 0, Y: 0}, {X: 5, Y: 0}}
	centres, ok := placeLabels(anchors, []vg.Point{size, size}, []box{dot})
	for i, c := range centres {
		if !ok[i] {
			t.Errorf("label %d found no free place", i)
		}
		b := box{c.X - size.X/2, c.Y - size.Y/2, c.X + size.X/2, c.Y + size.Y/2}
		if b.overlaps(dot) {
			t.Errorf("label %d at %v covers the dot", i, c)
		}
		if math.Hypot(float64(c.X-anchors[i].X), float64(c.Y-anchors[i].Y)) > 60 {
			t.Errorf("label %d moved to %v, far from its anchor %v", i, c, anchors[i])
		}
	}
	a, b := centres[0], centres[1]
	if (box{a.X - 20, a.Y - 5, a.X + 20, a.Y + 5}).overlaps(box{b.X - 20, b.Y - 5, b.X + 20, b.Y + 5}) {
		t.Errorf("the two labels overlap: %v and %v", a, b)
	}
	// A free anchor keeps its place.
	centres, _ = placeLabels([]vg.Point{{X: 100, Y: 100}}, []vg.Point{size}, []box{dot})
	if centres[0] != (vg.Point{X: 100, Y: 100}) {
		t.Errorf("a label clear of every dot moved to %v", centres[0])
	}
}

var imgSrc = regexp.MustCompile(`src="data:image/svg\+xml;base64,([^"]+)"`)

func TestHTMLIsImgWithSVG(t *testing.T) {
	c := Line("loss", "step", "loss", Series{Name: "train", Y: []float64{3, 2, 1}}).Size(500, 300)
	h, err := HTML(c)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "<img ") || !strings.Contains(h, `width="500" height="300"`) || strings.Contains(h, "<svg") {
		t.Fatalf("HTML = %.200s", h)
	}
	m := imgSrc.FindStringSubmatch(h)
	if m == nil {
		t.Fatal("no SVG data URI")
	}
	svg, err := base64.StdEncoding.DecodeString(m[1])
	if err != nil || !strings.Contains(string(svg), "<path") {
		t.Fatalf("data URI is not a drawn SVG (%v)", err)
	}
}

func TestLegendOutsideData(t *testing.T) {
	series := []Series{{Name: "bike", Y: []float64{1, 5, 9}}, {Name: "car", Y: []float64{2, 3, 4}}}
	in := Line("x", "h", "min", series...)
	in.LegendOutside = false
	out := Line("x", "h", "min", series...)
	pi, err := in.PNG()
	if err != nil {
		t.Fatal(err)
	}
	po, err := out.PNG()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(pi, po) {
		t.Fatal("LegendOutside changes nothing")
	}
	// Outside: the right-hand strip holds the legend, so the data area ends
	// well before the right edge: the top-right corner region is plain white
	// except for the legend text, and the axes' frame is narrower.
	img, _ := png.Decode(bytes.NewReader(po))
	w := img.Bounds().Dx()
	dark := 0
	for y := 40; y < 360; y++ {
		if r, _, _, _ := img.At(w-3, y).RGBA(); r < 0x8000 {
			dark++
		}
	}
	if dark > 0 {
		t.Errorf("%d dark pixels at the right edge: the plot runs into the legend strip", dark)
	}
}

func TestSmallMultiples(t *testing.T) {
	a := Line("a", "x", "y", Series{Y: []float64{1, 2}}).Size(300, 200)
	b := NewMap(300, 200).Title("b").Roads(gridCity())
	g := SmallMultiples("two panels", 2, a, b, a)
	data, err := g.PNG()
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if bd := img.Bounds(); bd.Dx() != 600 || bd.Dy() != 430 {
		t.Errorf("grid is %dx%d, want 600x430", bd.Dx(), bd.Dy())
	}
	svg, err := g.SVG()
	if err != nil || !strings.Contains(string(svg), "two panels") || strings.Count(string(svg), ">a<") < 2 {
		t.Errorf("grid SVG lacks its titles (%v)", err)
	}
	if _, err := SmallMultiples("bad", 2).SVG(); err == nil {
		t.Error("an empty grid renders")
	}
}

func TestWrapLabels(t *testing.T) {
	got := wrapLabels([]string{"scratch", "generative (random masking)", "resampled coordinates", "resampled/hausdorff", "a/b"}, 100)
	want := []string{"scratch", "generative\n(random\nmasking)", "resampled\ncoordinates", "resampled/\nhausdorff", "a/b"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("wrapLabels[%d] = %q, want %q", i, got[i], want[i])
		}
	}
}

// sizeless is a figure viz does not know the size of (like figures.Picture).
type sizeless struct{}

func (sizeless) SVG() ([]byte, error) {
	return []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>`), nil
}
func (sizeless) PNG() ([]byte, error) { return nil, nil }

func TestHTMLOfAFigureOfUnknownSize(t *testing.T) {
	h, err := HTML(sizeless{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(h, "width=") || strings.Contains(h, "height=\"") {
		t.Errorf("a figure of unknown size got a size: %.120s", h) // width="0" showed nothing
	}
}

func TestColourBarStretchesInSVG(t *testing.T) {
	svg, err := Heatmap("h", [][]float64{{0, 1}, {2, 3}}, nil, nil).SVG()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(svg), `<image preserveAspectRatio="none" `) {
		t.Error("the colour bar's <image> keeps its aspect: a browser draws it as a hairline")
	}
}
