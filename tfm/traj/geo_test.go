package traj

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

func TestEarthRadiusDegree(t *testing.T) {
	// One degree of latitude on the mean sphere: R·π/180 = 111,195.08 m.
	if d := Haversine(orb.Point{10, 45}, orb.Point{10, 46}); math.Abs(d-111195.08) > 0.01 {
		t.Errorf("one degree of latitude = %.3f m, want 111195.08", d)
	}
	// One degree of longitude on the equator is the same arc.
	if d := Haversine(orb.Point{0, 0}, orb.Point{1, 0}); math.Abs(d-EarthRadius*math.Pi/180) > 1e-6 {
		t.Errorf("one degree of longitude on the equator = %.6f m", d)
	}
	// At 60°N the parallel arc of one degree is half that (55,597.5 m); the
	// great circle between its ends is 0.53 m shorter.
	if d, arc := Haversine(orb.Point{0, 60}, orb.Point{1, 60}), EarthRadius*math.Pi/360; d >= arc || d < arc-0.6 {
		t.Errorf("one degree of longitude at 60°N = %.3f m, want just under %.3f", d, arc)
	}
}

// lawOfCosines is the great-circle distance by the spherical law of cosines,
// an independent formula (ill-conditioned for short distances).
func lawOfCosines(a, b orb.Point) float64 {
	r := math.Pi / 180
	c := math.Sin(a[1]*r)*math.Sin(b[1]*r) + math.Cos(a[1]*r)*math.Cos(b[1]*r)*math.Cos((b[0]-a[0])*r)
	return EarthRadius * math.Acos(c)
}

func TestHaversine(t *testing.T) {
	cases := []struct {
		a, b orb.Point
		want float64
	}{
		{orb.Point{2.35, 48.85}, orb.Point{2.35, 48.85}, 0},
		{orb.Point{0, 90}, orb.Point{0, -90}, math.Pi * EarthRadius}, // pole to pole
		{orb.Point{0, 0}, orb.Point{180, 0}, math.Pi * EarthRadius},  // antipodes on the equator
		{orb.Point{-179.5, 0}, orb.Point{179.5, 0}, EarthRadius * math.Pi / 180},
		// Paris–London by the spherical law of cosines (fine at this range).
		{orb.Point{2.3522, 48.8566}, orb.Point{-0.1276, 51.5072}, lawOfCosines(orb.Point{2.3522, 48.8566}, orb.Point{-0.1276, 51.5072})},
	}
	for _, c := range cases {
		got := Haversine(c.a, c.b)
		if math.Abs(got-c.want) > 1e-6 {
			t.Errorf("Haversine(%v, %v) = %.3f, want %.3f", c.a, c.b, got, c.want)
		}
		if back := Haversine(c.b, c.a); back != got {
			t.Errorf("not symmetric: %v vs %v", got, back)
		}
	}
	ls := orb.LineString{{0, 0}, {0, 1}, {1, 1}}
	if got, want := HaversineLength(ls), Haversine(ls[0], ls[1])+Haversine(ls[1], ls[2]); got != want {
		t.Errorf("HaversineLength = %v, want %v", got, want)
	}
	if HaversineLength(ls[:1]) != 0 || HaversineLength(nil) != 0 {
		t.Error("length of fewer than two points is not 0")
	}
}

func TestLocalProjection(t *testing.T) {
	p := NewLocalProjection(orb.Point{116.4, 39.9})
	if x, y := p.XY(p.Origin); x != 0 || y != 0 {
		t.Errorf("origin at (%v, %v)", x, y)
	}
	// The scale is the sphere's: one degree north is R·π/180 metres, one
	// degree east cos(lat) of that.
	kx, ky := p.MetresPerDegree()
	if ky != EarthRadius*math.Pi/180 || math.Abs(kx-ky*math.Cos(39.9*math.Pi/180)) > 1e-9 {
		t.Errorf("metres per degree %v, %v", kx, ky)
	}
	// Round trip both ways, exact to rounding (well under a micrometre and
	// 1e-12°) anywhere in a 40 km square.
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 1000; i++ {
		x, y := (rng.Float64()-0.5)*40e3, (rng.Float64()-0.5)*40e3
		q := p.LonLat(x, y)
		x2, y2 := p.XY(q)
		if math.Abs(x2-x) > 1e-6 || math.Abs(y2-y) > 1e-6 {
			t.Fatalf("XY(LonLat(%v, %v)) = (%v, %v)", x, y, x2, y2)
		}
		back := p.LonLat(p.XY(q))
		if math.Abs(back[0]-q[0]) > 1e-12 || math.Abs(back[1]-q[1]) > 1e-12 {
			t.Fatalf("LonLat(XY(%v)) = %v", q, back)
		}
		// Planar distance from the origin agrees with the great circle to 0.1 %.
		if d, h := math.Hypot(x, y), Haversine(p.Origin, q); math.Abs(d-h) > 1e-3*h {
			t.Fatalf("planar %.2f m vs haversine %.2f m at (%v, %v)", d, h, x, y)
		}
	}
	// A scale latitude other than the origin's: (0, 0) stays at the origin,
	// the east-west scale is the other latitude's.
	q := NewLocalProjectionAt(orb.Point{116.3, 39.8}, 40)
	if x, y := q.XY(q.Origin); x != 0 || y != 0 {
		t.Errorf("origin at (%v, %v)", x, y)
	}
	if kx, _ := q.MetresPerDegree(); kx != NewLocalProjection(orb.Point{0, 40}).kx {
		t.Errorf("east-west scale %v, want that of 40°N", kx)
	}
}
