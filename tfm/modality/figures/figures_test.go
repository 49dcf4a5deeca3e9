package figures

import (
	"bytes"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/tfm-course/course/tfm/modality/gps"
	"github.com/tfm-course/course/tfm/modality/grid"
	"github.com/tfm-course/course/tfm/modality/image"
	"github.com/tfm-course/course/tfm/modality/internal/modtest"
	"github.com/tfm-course/course/tfm/modality/text"
	"github.com/tfm-course/course/tfm/viz"
)

func TestFeatureChart(t *testing.T) {
	trajs := modtest.Walk(1, 3)
	f, err := gps.Fit(trajs)
	if err != nil {
		t.Fatal(err)
	}
	c, err := FeatureChart(f, trajs[0], gps.Speed, gps.HeadingSin)
	if err != nil {
		t.Fatal(err)
	}
	svg, err := c.SVG()
	if err != nil || !bytes.Contains(svg, []byte("<svg")) {
		t.Fatalf("svg %d bytes, %v", len(svg), err)
	}
	if _, err := FeatureChart(f, trajs[0], 99); err == nil {
		t.Fatal("column 99 accepted")
	}
}

func TestCellHeatmap(t *testing.T) {
	city := modtest.City(t, 30)
	g, err := grid.NewMetric(city.Bound(), 500)
	if err != nil {
		t.Fatal(err)
	}
	counts, err := CellCounts(g, city.Dataset().Trajectories)
	if err != nil {
		t.Fatal(err)
	}
	img, err := CellHeatmap(g, counts, city.Network, 4)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 4*g.Cols || b.Dy() != 4*g.Rows {
		t.Fatalf("heat map %v for %d×%d cells", b, g.Cols, g.Rows)
	}
	white, road, coloured := 0, 0, 0
	for y := 0; y < img.Bounds().Dy(); y++ {
		for x := 0; x < img.Bounds().Dx(); x++ {
			switch c := img.RGBAAt(x, y); c {
			case color.RGBA{255, 255, 255, 255}:
				white++
				if counts[grid.Cell{X: x / 4, Y: g.Rows - 1 - y/4}] > 0 {
					t.Fatalf("visited cell painted white at %d,%d", x, y)
				}
			case color.RGBA{60, 60, 60, 255}:
				road++
			default:
				coloured++
			}
		}
	}
	if road == 0 || coloured == 0 {
		t.Fatalf("white %d road %d coloured %d", white, road, coloured)
	}
	pic := Picture{img}
	data, err := pic.PNG()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	svg, _ := pic.SVG()
	if !strings.HasPrefix(string(svg), "<svg") || !strings.Contains(string(svg), "base64,") {
		t.Fatalf("svg %.80s", svg)
	}
	var _ viz.Figure = pic
}

func TestSentencesAndImageGrid(t *testing.T) {
	city := modtest.City(t, 6)
	trajs := city.Dataset().Trajectories
	d, err := text.NewDescriber(text.FromCity(city), text.Config{})
	if err != nil {
		t.Fatal(err)
	}
	s, descs, err := Sentences(d, trajs)
	if err != nil || len(s) != 6 || len(descs) != 6 || !strings.Contains(s[0], "arrive at") {
		t.Fatalf("sentences %q %v", s, err)
	}
	img, err := ImageGrid(image.New(16, 16), trajs, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 3*34+2 || b.Dy() != 2*34+2 {
		t.Fatalf("image grid %v", b)
	}
}
