package grid

import (
	"bytes"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/tfm-course/course/tfm/modality"
	"github.com/tfm-course/course/tfm/modality/internal/modtest"
	"github.com/tfm-course/course/tfm/traj"
)

var testBound = orb.Bound{Min: orb.Point{116.25, 39.95}, Max: orb.Point{116.35, 40.01}}

// walkBound covers modtest.Walk's trajectories.
var walkBound = orb.Bound{Min: orb.Point{116.2, 39.9}, Max: orb.Point{116.4, 40.06}}

func metricGrid(t testing.TB) *Metric {
	g, err := NewMetric(testBound, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// fromMetres builds a trajectory at metre offsets of the grid's corner, one point a minute.
func fromMetres(g *Metric, id string, ms ...orb.Point) *traj.Trajectory {
	t := &traj.Trajectory{ID: id}
	for i, m := range ms {
		p := g.FromMetres(m)
		t.Points = append(t.Points, traj.NewPoint(p[0], p[1], modtest.T0.Add(time.Duration(i)*time.Minute)))
	}
	return t
}

func TestHandCheckedTokens(t *testing.T) {
	g := metricGrid(t)
	// cells (0,0) (0,0) (1,0) (1,0) (0,0) (2,2): 4 tokens after duplicate removal.
	a := fromMetres(g, "a", orb.Point{100, 100}, orb.Point{200, 150}, orb.Point{1100, 100}, orb.Point{1200, 200}, orb.Point{100, 100}, orb.Point{2500, 2500})
	// cells (0,0) (1,0) (1,1): 3 tokens.
	b := fromMetres(g, "b", orb.Point{900, 900}, orb.Point{1001, 10}, orb.Point{1500, 1500})
	v, err := Build(g, []*traj.Trajectory{a, b}, Options{MinCount: 2, CLS: true})
	if err != nil {
		t.Fatal(err)
	}
	// counts: (0,0)=3, (1,0)=2, (2,2)=1, (1,1)=1 → kept (0,0) id 4, (1,0) id 5.
	if v.Size() != 6 || v.Cells[0] != (Cell{0, 0}) || v.Cells[1] != (Cell{1, 0}) || v.Counts[0] != 3 || v.Counts[1] != 2 {
		t.Fatalf("vocab size %d cells %v counts %v", v.Size(), v.Cells, v.Counts)
	}
	ids, first, err := v.Tokenize(a)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int32{4, 5, 4, modality.UNK}; !equal(ids, want) || !equal(first, []int{0, 2, 4, 5}) {
		t.Fatalf("tokens %v first %v, want %v [0 2 4 5]", ids, first, want)
	}
	batch, err := v.Batch([]*traj.Trajectory{a, b}, 6)
	if err != nil {
		t.Fatal(err)
	}
	if err := batch.Check(); err != nil {
		t.Fatal(err)
	}
	wantTokens := []int32{
		modality.CLS, 4, 5, 4, modality.UNK, modality.PAD,
		modality.CLS, 4, 5, modality.UNK, modality.PAD, modality.PAD,
	}
	if !equal(batch.Tokens, wantTokens) {
		t.Fatalf("batch tokens %v, want %v", batch.Tokens, wantTokens)
	}
	if got := batch.Lengths(); got[0] != 5 || got[1] != 4 {
		t.Fatalf("lengths %v", got)
	}
	// Row 0 tokens start at points 0, 2, 4, 5 (one a minute): gaps 120, 120, 60 s.
	if batch.DeltaT[2] != 120 || batch.DeltaT[3] != 120 || batch.DeltaT[4] != 60 {
		t.Fatalf("DeltaT %v", batch.DeltaT[:6])
	}
	if want := float32((8*3600 + 2*60) / 86400.0); batch.TimeOfDay[2] != want {
		t.Fatalf("time of day %v, want %v", batch.TimeOfDay[2], want)
	}
	if batch.DayOfWeek[0] != 2 { // Tuesday
		t.Fatalf("day of week %d", batch.DayOfWeek[0])
	}
	// Truncation leaves room for CLS.
	short, _ := v.Batch([]*traj.Trajectory{a}, 3)
	if !equal(short.Tokens, []int32{modality.CLS, 4, 5}) {
		t.Fatalf("truncated %v", short.Tokens)
	}
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestMetricCentreWithinHalfCell(t *testing.T) {
	g := metricGrid(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		p := orb.Point{testBound.Min[0] + rng.Float64()*(testBound.Max[0]-testBound.Min[0]),
			testBound.Min[1] + rng.Float64()*(testBound.Max[1]-testBound.Min[1])}
		c, err := g.CellOf(p)
		if err != nil {
			t.Fatal(err)
		}
		m, mc := g.ToMetres(p), g.ToMetres(g.Centre(c))
		if math.Abs(m[0]-mc[0]) > g.CellSize/2+1e-6 || math.Abs(m[1]-mc[1]) > g.CellSize/2+1e-6 {
			t.Fatalf("point %v cell %v centre %v: %v m apart", p, c, g.Centre(c), [2]float64{m[0] - mc[0], m[1] - mc[1]})
		}
		if back, _ := g.CellOf(g.Centre(c)); back != c {
			t.Fatalf("centre of %v maps to %v", c, back)
		}
		if !g.CellBound(c).Contains(p) {
			t.Fatalf("cell bound of %v does not contain %v", c, p)
		}
	}
	if g.Cols != 9 || g.Rows != 7 { // 0.1° × cos(39.98°) ≈ 8.5 km, 0.06° ≈ 6.7 km
		t.Fatalf("grid %d×%d", g.Cols, g.Rows)
	}
}

func TestTileCentreWithinHalfCell(t *testing.T) {
	g, err := NewTiles(15, orb.Bound{})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 1000 {
		p := orb.Point{116.25 + rng.Float64()*0.1, 39.95 + rng.Float64()*0.06}
		c, err := g.CellOf(p)
		if err != nil {
			t.Fatal(err)
		}
		// In tile units (Web Mercator), the centre is within half a tile.
		f, fc := maptile.Fraction(p, 15), maptile.Fraction(g.Centre(c), 15)
		if math.Abs(f[0]-fc[0]) > 0.5+1e-9 || math.Abs(f[1]-fc[1]) > 0.5+1e-9 {
			t.Fatalf("point %v tile %v: fractional offset %v", p, c, [2]float64{f[0] - fc[0], f[1] - fc[1]})
		}
		if !g.CellBound(c).Contains(p) {
			t.Fatalf("tile bound of %v does not contain %v", c, p)
		}
	}
}

func TestRingAndNeighbours(t *testing.T) {
	g := metricGrid(t)
	if n := len(Ring(g, Cell{3, 3}, 1)); n != 9 {
		t.Fatalf("interior 1-ring has %d cells", n)
	}
	if n := len(Ring(g, Cell{0, 0}, 1)); n != 4 {
		t.Fatalf("corner 1-ring has %d cells", n)
	}
	if n := len(Ring(g, Cell{3, 3}, 2)); n != 25 {
		t.Fatalf("2-ring has %d cells", n)
	}
	a := fromMetres(g, "a", orb.Point{100, 100}, orb.Point{1100, 100}, orb.Point{1100, 1100}, orb.Point{3100, 3100})
	v, _ := Build(g, []*traj.Trajectory{a}, Options{})
	id := v.Token(Cell{0, 0})
	nb := v.Neighbours(id, 1)
	if len(nb) != 2 {
		t.Fatalf("neighbours of (0,0): %v", nb)
	}
	for _, n := range nb {
		c, _ := v.Cell(n)
		if c != (Cell{1, 0}) && c != (Cell{1, 1}) {
			t.Fatalf("unexpected neighbour %v", c)
		}
	}
	if v.Neighbours(modality.PAD, 1) != nil {
		t.Fatal("special tokens have no neighbours")
	}
	if cs := v.Centres(); len(cs) != v.Size() || cs[id] != g.Centre(Cell{0, 0}) {
		t.Fatalf("centres %v", cs)
	}
}

func TestSaveLoadIdentical(t *testing.T) {
	trajs := modtest.Walk(1, 20)
	tiles, _ := NewTiles(16, orb.Bound{})
	walkGrid, _ := NewMetric(walkBound, 500)
	for _, g := range []Grid{walkGrid, tiles} {
		v, err := Build(g, trajs, Options{MinCount: 2, CLS: true, Sampling: modality.Uniform})
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "vocab.json")
		if err := v.Save(path); err != nil {
			t.Fatal(err)
		}
		w, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		b1, err := v.Batch(trajs, 24)
		if err != nil {
			t.Fatal(err)
		}
		b2, err := w.Batch(trajs, 24)
		if err != nil {
			t.Fatal(err)
		}
		if !equal(b1.Tokens, b2.Tokens) || !equal(b1.TimeOfDay, b2.TimeOfDay) || w.Size() != v.Size() {
			t.Fatalf("%s: tensors differ after save/load", g.Spec().Kind)
		}
		unk := 0
		for _, id := range b1.Tokens {
			if id == modality.UNK {
				unk++
			}
		}
		t.Logf("%s grid: vocab %d, %d UNK of %d slots", g.Spec().Kind, v.Size(), unk, len(b1.Tokens))
	}
}

func TestBadInput(t *testing.T) {
	g, _ := NewMetric(walkBound, 500)
	v, err := Build(g, modtest.Walk(1, 3), Options{})
	if err != nil {
		t.Fatal(err)
	}
	far := &traj.Trajectory{ID: "far", Points: []traj.Point{traj.NewPoint(116.3, 39.98, modtest.T0), traj.NewPoint(120, 39.98, modtest.T0)}}
	nan := &traj.Trajectory{ID: "nan", Points: []traj.Point{traj.NewPoint(116.3, math.NaN(), modtest.T0)}}
	cases := []struct {
		name string
		run  func() error
		want string
	}{
		{"outside", func() error { _, err := v.Batch([]*traj.Trajectory{far}, 8); return err }, `"far" point 1: grid: point [120 39.98] outside the grid bound`},
		{"nan", func() error { _, _, err := v.Tokenize(nan); return err }, `"nan" point 0: grid: latitude NaN`},
		{"empty", func() error { _, _, err := v.Tokenize(&traj.Trajectory{ID: "e"}); return err }, `"e" has no points`},
		{"cell size", func() error { _, err := NewMetric(testBound, 0); return err }, "cell size 0"},
		{"flat bound", func() error {
			_, err := NewMetric(orb.Bound{Min: orb.Point{1, 1}, Max: orb.Point{1, 2}}, 10)
			return err
		}, "no area"},
		{"zoom", func() error { _, err := NewTiles(31, orb.Bound{}); return err }, "zoom 31"},
		{"kind", func() error { _, err := New(Spec{Kind: "hex"}); return err }, `unknown kind "hex"`},
		{"maxLen", func() error { _, err := v.Batch(modtest.Walk(1, 1), 0); return err }, "maxLen 0"},
		{"bad file", func() error {
			_, err := Read(strings.NewReader(`{"kind":"grid-vocab","grid":{"kind":"metric"}}`), "v.json")
			return err
		}, "v.json"},
	}
	for _, c := range cases {
		err := c.run()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to mention %q", c.name, err, c.want)
		}
	}
	// SkipOutside drops the far point instead.
	v.Options.SkipOutside = true
	if ids, _, err := v.Tokenize(far); err != nil || len(ids) != 1 {
		t.Fatalf("skip outside: %v %v", ids, err)
	}
}

func TestGeolife(t *testing.T) {
	trajs := modtest.Geolife(t, 30)
	g, err := NewTiles(15, orb.Bound{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := Build(g, trajs, Options{MinCount: 2})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := v.Write(&buf); err != nil {
		t.Fatal(err)
	}
	w, err := Read(&buf, "buffer")
	if err != nil {
		t.Fatal(err)
	}
	b1, err := v.Batch(trajs, 128)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := w.Batch(trajs, 128)
	if !equal(b1.Tokens, b2.Tokens) {
		t.Fatal("GeoLife tokens differ after save/load")
	}
	points, tokens := 0, 0
	for _, tr := range trajs {
		ids, _, _ := v.Tokenize(tr)
		points += len(tr.Points)
		tokens += len(ids)
	}
	if tokens >= points/5 {
		t.Errorf("duplicate removal kept %d tokens of %d points", tokens, points)
	}
	t.Logf("GeoLife zoom 15: %d points → %d tokens, vocabulary %d (min count 2)", points, tokens, v.Size())
}

func BenchmarkBatch(b *testing.B) {
	trajs := modtest.Walk(5, 64)
	tiles, _ := NewTiles(17, orb.Bound{})
	walkGrid, _ := NewMetric(walkBound, 100)
	for _, g := range []Grid{walkGrid, tiles} {
		b.Run(g.Spec().Kind, func(b *testing.B) {
			v, err := Build(g, trajs, Options{CLS: true})
			if err != nil {
				b.Fatal(err)
			}
			points := 0
			for _, t := range trajs {
				points += len(t.Points)
			}
			for b.Loop() {
				if _, err := v.Batch(trajs, 128); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(points*b.N)/b.Elapsed().Seconds(), "points/s")
		})
	}
}

func TestSynthCity(t *testing.T) {
	city := modtest.City(t, 60)
	ds := city.Dataset()
	g, err := NewMetric(city.Bound().Pad(0.005), 250)
	if err != nil {
		t.Fatal(err)
	}
	v, err := Build(g, ds.Trajectories[:40], Options{MinCount: 2, CLS: true})
	if err != nil {
		t.Fatal(err)
	}
	b, err := v.Batch(ds.Trajectories[40:], 64)
	if err != nil {
		t.Fatal(err)
	}
	// Every token's cell centre is within half a cell (per axis) of the
	// first point in it.
	for r, tr := range ds.Trajectories[40:] {
		ids, first, _ := v.Tokenize(tr)
		for i, id := range ids {
			if id == modality.UNK {
				continue
			}
			c, _ := v.Cell(id)
			m, mc := g.ToMetres(tr.Points[first[i]].Point), g.ToMetres(g.Centre(c))
			if math.Abs(m[0]-mc[0]) > 125+1e-6 || math.Abs(m[1]-mc[1]) > 125+1e-6 {
				t.Fatalf("row %d token %d: point %v m from its cell centre", r, i, [2]float64{m[0] - mc[0], m[1] - mc[1]})
			}
		}
	}
	unk, real := 0, 0
	for i, id := range b.Tokens {
		if b.Mask[i] && id != modality.CLS {
			real++
			if id == modality.UNK {
				unk++
			}
		}
	}
	t.Logf("synthetic city: %d×%d cells, vocabulary %d, %d of %d test tokens UNK", g.Cols, g.Rows, v.Size(), unk, real)
	if unk*2 > real {
		t.Errorf("%d of %d test tokens unknown", unk, real)
	}
}
