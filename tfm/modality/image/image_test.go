package image

import (
	"bytes"
	"image/png"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/tfm-course/course/tfm/modality/internal/modtest"
	"github.com/tfm-course/course/tfm/roadnet"
	"github.com/tfm-course/course/tfm/traj"
)

// occupancyMatches checks the occupancy plane is 1 exactly at the pixels of the points.
func occupancyMatches(t *testing.T, r *Rasterizer, tr *traj.Trajectory) int {
	t.Helper()
	pix, f, err := r.Rasterize(tr)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]bool{}
	for _, p := range tr.Points {
		row, col, ok := f.Pixel(p.Point, r.H, r.W)
		if !ok {
			t.Fatalf("%s: point %v outside its own box frame", tr.ID, p.Point)
		}
		want[row*r.W+col] = true
	}
	for k := 0; k < r.H*r.W; k++ {
		if (pix[k] == 1) != want[k] || (pix[k] != 0 && pix[k] != 1) {
			t.Fatalf("%s: occupancy of pixel %d = %v, points there: %v", tr.ID, k, pix[k], want[k])
		}
	}
	return len(want)
}

func TestOccupancyMatchesPoints(t *testing.T) {
	r := New(32, 32)
	for _, tr := range modtest.Walk(1, 10) {
		occupancyMatches(t, r, tr)
		pix, f, _ := r.Rasterize(tr)
		// Time is 1 at the last point's pixel, speed within [0, 1].
		last := tr.Points[len(tr.Points)-1]
		row, col, _ := f.Pixel(last.Point, 32, 32)
		if pix[32*32+row*32+col] != 1 {
			t.Fatalf("time at the last point = %v", pix[32*32+row*32+col])
		}
		for _, v := range pix[2*32*32:] {
			if v < 0 || v > 1 {
				t.Fatalf("speed value %v", v)
			}
		}
	}
}

func TestHandCheckedFixedBound(t *testing.T) {
	// A 4×4 image over a 0.04° square near the equator: pixels 0.01° wide.
	r := &Rasterizer{H: 4, W: 4, Channels: []Channel{Occupancy, Time, Speed}, Bound: orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{0.04, 0.04}}, MaxSpeed: 1000}
	t0 := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	tr := &traj.Trajectory{ID: "hand", Points: []traj.Point{
		traj.NewPoint(0.005, 0.035, t0),                      // row 0, col 0
		traj.NewPoint(0.015, 0.035, t0.Add(100*time.Second)), // row 0, col 1
		traj.NewPoint(0.035, 0.005, t0.Add(200*time.Second)), // row 3, col 3
	}}
	pix, _, err := r.Rasterize(tr)
	if err != nil {
		t.Fatal(err)
	}
	occ, tim := pix[:16], pix[16:32]
	wantOcc := []float32{1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}
	for k := range wantOcc {
		if occ[k] != wantOcc[k] {
			t.Fatalf("occupancy %v, want %v", occ, wantOcc)
		}
	}
	if tim[0] != 0 || tim[1] != 0.5 || tim[15] != 1 {
		t.Fatalf("time %v", tim)
	}
	// Speeds: ~1113 m in 100 s → 11.1 m/s at points 0 and 1, /1000.
	if s := pix[32+1]; math.Abs(float64(s)-0.01113) > 2e-4 {
		t.Fatalf("speed %v", s)
	}
	// With Lines, the diagonal from (0,1) to (3,3) is drawn too.
	r.Lines = true
	pix, _, _ = r.Rasterize(tr)
	n := 0
	for _, v := range pix[:16] {
		if v == 1 {
			n++
		}
	}
	if n < 5 {
		t.Fatalf("lines mark only %d pixels: %v", n, pix[:16])
	}
	// Pixels on the line between points 1 and 2 get times between theirs.
	for k := 4; k < 12; k++ {
		if pix[k] == 1 && !(pix[16+k] > 0.5 && pix[16+k] < 1) {
			t.Fatalf("line pixel %d has time %v", k, pix[16+k])
		}
	}
}

func TestTileFrameAndRoad(t *testing.T) {
	tile := maptile.At(orb.Point{116.3, 39.98}, 14)
	b := tile.Bound()
	g := &roadnet.Graph{}
	mid := (b.Min[1] + b.Max[1]) / 2
	a := g.AddNode(orb.Point{b.Min[0] - 0.01, mid}, 0)
	c := g.AddNode(orb.Point{b.Max[0] + 0.01, mid}, 0)
	g.AddTwoWay(a, c, nil, 10, "primary", "Long Street")
	r := &Rasterizer{H: 16, W: 16, Channels: []Channel{Occupancy, Road}, Tile: &tile, Network: g}
	p := orb.Point{b.Min[0] + 0.1*(b.Max[0]-b.Min[0]), b.Min[1] + 0.9*(b.Max[1]-b.Min[1])}
	tr := &traj.Trajectory{ID: "t", Points: []traj.Point{traj.NewPoint(p[0], p[1], modtest.T0)}}
	pix, f, err := r.Rasterize(tr)
	if err != nil {
		t.Fatal(err)
	}
	row, col, ok := f.Pixel(p, 16, 16)
	if !ok || col != 1 || row > 2 || pix[row*16+col] != 1 {
		t.Fatalf("point at row %d col %d ok %v", row, col, ok)
	}
	// The road crosses the whole tile in one or two rows near the middle.
	roadRows := map[int]int{}
	for k, v := range pix[256:] {
		if v == 1 {
			roadRows[k/16]++
		}
	}
	total := 0
	for row, n := range roadRows {
		if row < 6 || row > 9 {
			t.Fatalf("road drawn in row %d", row)
		}
		total += n
	}
	if total < 16 || total > 32 {
		t.Fatalf("road covers %d pixels in rows %v", total, roadRows)
	}
}

func TestBadInput(t *testing.T) {
	r := New(8, 8)
	fixed := &Rasterizer{H: 8, W: 8, Channels: DefaultChannels, Bound: orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{1, 1}}}
	nan := &traj.Trajectory{ID: "nan", Points: []traj.Point{traj.NewPoint(math.NaN(), 0, modtest.T0)}}
	cases := []struct {
		name string
		run  func() error
		want string
	}{
		{"empty", func() error { _, err := r.Batch([]*traj.Trajectory{{ID: "e"}}); return err }, `"e" has no points`},
		{"nan", func() error { _, _, err := r.Rasterize(nan); return err }, `"nan" point 0: longitude NaN`},
		{"outside", func() error { _, err := fixed.Batch(modtest.Walk(1, 1)); return err }, `"walk-0" point 0`},
		{"channel", func() error {
			_, _, err := (&Rasterizer{H: 2, W: 2, Channels: []Channel{"colour"}}).Rasterize(modtest.Walk(1, 1)[0])
			return err
		}, `unknown channel "colour"`},
		{"road", func() error {
			_, _, err := (&Rasterizer{H: 2, W: 2, Channels: []Channel{Road}}).Rasterize(modtest.Walk(1, 1)[0])
			return err
		}, "needs a Network"},
		{"size", func() error {
			_, _, err := (&Rasterizer{H: 0, W: 2, Channels: DefaultChannels}).Rasterize(modtest.Walk(1, 1)[0])
			return err
		}, "size 0×2"},
		{"no batch", func() error { _, err := r.Batch(nil); return err }, "no trajectories"},
	}
	for _, c := range cases {
		err := c.run()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to mention %q", c.name, err, c.want)
		}
	}
	fixed.ClipOutside = true
	if _, err := fixed.Batch(modtest.Walk(1, 1)); err == nil || !strings.Contains(err.Error(), "no point inside") {
		t.Errorf("clip outside: %v", err)
	}
}

func TestPNG(t *testing.T) {
	r := New(16, 16)
	b, err := r.Batch(modtest.Walk(2, 6))
	if err != nil {
		t.Fatal(err)
	}
	img, err := Mosaic(b, r.Channels, nil, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WritePNG(&buf, img); err != nil {
		t.Fatal(err)
	}
	dec, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if w, h := dec.Bounds().Dx(), dec.Bounds().Dy(); w != 3*(32+2)+2 || h != 2*(32+2)+2 {
		t.Fatalf("mosaic %d×%d", w, h)
	}
	// An occupied pixel is not white, an empty one is.
	one, _ := Image(b, 0, r.Channels, nil, 1)
	for k := 0; k < 256; k++ {
		c := one.RGBAAt(k%16, k/16)
		white := c.R == 255 && c.G == 255 && c.B == 255
		if white == (b.Pixels[k] == 1) {
			t.Fatalf("pixel %d occupancy %v colour %v", k, b.Pixels[k], c)
		}
	}
}

func TestGeolife(t *testing.T) {
	trajs := modtest.Geolife(t, 20)
	r := New(32, 32)
	total := 0
	for _, tr := range trajs {
		total += occupancyMatches(t, r, tr)
	}
	t.Logf("GeoLife: %d trajectories → %d occupied pixels of 32×32", len(trajs), total)
}

func BenchmarkBatch(b *testing.B) {
	trajs := modtest.Walk(5, 64)
	r := New(32, 32)
	points := 0
	for _, t := range trajs {
		points += len(t.Points)
	}
	for b.Loop() {
		if _, err := r.Batch(trajs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(64*b.N)/b.Elapsed().Seconds(), "images/s")
}

func TestSynthCityWithRoads(t *testing.T) {
	city := modtest.City(t, 12)
	r := &Rasterizer{H: 32, W: 32, Channels: []Channel{Road, Occupancy, Time, Speed}, Network: city.Network,
		Margin: 0.1, MinExtent: 200, MaxSpeed: 30}
	ds := city.Dataset()
	b, err := r.Batch(ds.Trajectories)
	if err != nil {
		t.Fatal(err)
	}
	plane := 32 * 32
	for i, tr := range ds.Trajectories {
		img := b.Pixels[i*4*plane : (i+1)*4*plane]
		road, occ := img[:plane], img[plane:2*plane]
		// The trips drive on the network: most occupied pixels lie on or
		// next to a road pixel.
		onRoad, occupied := 0, 0
		for k, v := range occ {
			if v == 0 {
				continue
			}
			occupied++
			row, col := k/32, k%32
		near:
			for dr := -1; dr <= 1; dr++ {
				for dc := -1; dc <= 1; dc++ {
					rr, cc := row+dr, col+dc
					if rr >= 0 && rr < 32 && cc >= 0 && cc < 32 && road[rr*32+cc] == 1 {
						onRoad++
						break near
					}
				}
			}
		}
		if float64(onRoad) < 0.9*float64(occupied) {
			t.Errorf("%s: %d of %d occupied pixels near a road", tr.ID, onRoad, occupied)
		}
	}
}
