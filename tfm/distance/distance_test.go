package distance

import (
	"math"
	"math/rand"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"github.com/tfm-course/course/tfm/traj"
)

func must(t *testing.T, m Metric, a, b *Series) float64 {
	t.Helper()
	d, err := m.Distance(a, b)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func close(a, b, rel float64) bool {
	if a == b {
		return true
	}
	return math.Abs(a-b) <= rel*math.Max(1e-12, math.Max(math.Abs(a), math.Abs(b)))
}

func brute(m Metric, a, b pts) float64 {
	switch m.Kind {
	case DTW:
		return bruteDTW(m.Geo, a, b)
	case Frechet:
		return bruteFrechet(m.Geo, a, b)
	case Hausdorff:
		return bruteHausdorff(m.Geo, a, b)
	case SSPD:
		return bruteSSPD(m.Geo, a, b)
	case EDR:
		return bruteEDR(m.Geo, m.Eps, a, b)
	case LCSS:
		return bruteLCSS(m.Geo, m.Eps, a, b)
	case ERP:
		return bruteERP(m.Geo, m.Gap, a, b)
	}
	panic("no brute force for " + m.String())
}

func TestAgainstBruteForce(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for _, geo := range []bool{false, true} {
		x0, y0, step, eps := 0.0, 0.0, 1.0, 1.5
		gap := [2]float64{0.5, -1}
		rel := 1e-9
		if geo {
			x0, y0, step, eps = 116.3, 39.9, 0.001, 150
			gap = [2]float64{116.2, 39.8}
			rel = 1e-6 // the spherical references use bearings and acos
		}
		metrics := []Metric{{Kind: DTW}, {Kind: Frechet}, {Kind: Hausdorff}, {Kind: SSPD},
			{Kind: EDR, Eps: eps}, {Kind: LCSS, Eps: eps}, {Kind: ERP, Gap: gap}, {Kind: ERP}}
		for trial := 0; trial < 150; trial++ {
			a := randomWalk(r, 1+r.Intn(12), x0, y0, step)
			b := randomWalk(r, 1+r.Intn(12), x0, y0, step)
			sa, sb := a.series(t), b.series(t)
			for _, m := range metrics {
				m.Geo = geo
				want, got := brute(m, a, b), must(t, m, sa, sb)
				tol := rel
				if m.Kind == ERP && m.Gap == [2]float64{} && geo {
					tol = 1e-9 // gap at (0, 0): large distances, no cross-track
				}
				if !close(got, want, tol) {
					t.Fatalf("%v trial %d (n=%d m=%d): got %.17g, brute force %.17g", m, trial, len(a), len(b), got, want)
				}
			}
		}
	}
}

func TestHandChecked(t *testing.T) {
	// Two parallel lines one unit apart.
	a := pts{{0, 0}, {1, 0}, {2, 0}}.series(t)
	b := pts{{0, 1}, {1, 1}, {2, 1}}.series(t)
	// The same straight line sampled at 4 and at 2 vertices.
	c := pts{{0, 0}, {1, 0}, {2, 0}, {3, 0}}.series(t)
	d := pts{{0, 0}, {3, 0}}.series(t)
	cases := []struct {
		m    Metric
		x, y *Series
		want float64
	}{
		{Metric{Kind: DTW}, a, b, 3},
		{Metric{Kind: Frechet}, a, b, 1},
		{Metric{Kind: ContinuousFrechet}, a, b, 1},
		{Metric{Kind: Hausdorff}, a, b, 1},
		{Metric{Kind: SSPD}, a, b, 1},
		{Metric{Kind: EDR, Eps: 0.5}, a, b, 1},
		{Metric{Kind: EDR, Eps: 1}, a, b, 0},
		{Metric{Kind: LCSS, Eps: 0.5}, a, b, 1},
		{Metric{Kind: LCSS, Eps: 1}, a, b, 0},
		{Metric{Kind: ERP}, a, b, 3},
		// c: 0,1,2,3 on the x axis; d: its two ends. DTW: 0+1+1+0.
		{Metric{Kind: DTW}, c, d, 2},
		{Metric{Kind: Frechet}, c, d, 1}, // (1,0) and (2,0) each pair with an end 1 away
		{Metric{Kind: ContinuousFrechet}, c, d, 0},
		{Metric{Kind: Hausdorff}, c, d, 0},
		{Metric{Kind: SSPD}, c, d, 0},
		{Metric{Kind: EDR, Eps: 0.1}, c, d, 0.5},              // two deletions / max(4, 2)
		{Metric{Kind: LCSS, Eps: 0.1}, c, d, 0},               // both ends match: 1 − 2/2
		{Metric{Kind: ERP}, c, d, 3},                          // delete (1,0) and (2,0): gaps 1 + 2
		{Metric{Kind: ERP, Gap: [2]float64{1.5, 0}}, c, d, 1}, // gaps 0.5 + 0.5
		// A detour through (1.5, 1) over the base (0,0)–(3,0): the continuous
		// distances see its height 1; the discrete one must pair (1.5, 1) with
		// an end of the base, √(1.5² + 1) away.
		{Metric{Kind: ContinuousFrechet}, pts{{0, 0}, {1.5, 1}, {3, 0}}.series(t), d, 1},
		{Metric{Kind: Hausdorff}, pts{{0, 0}, {1.5, 1}, {3, 0}}.series(t), d, 1},
		{Metric{Kind: Frechet}, pts{{0, 0}, {1.5, 1}, {3, 0}}.series(t), d, math.Hypot(1.5, 1)},
		// Continuous Fréchet of a backtracking curve: going 0→2→1→3 against
		// 0→3 must wait while the other backs up from 2 to 1: ε = 0.5.
		{Metric{Kind: ContinuousFrechet}, pts{{0, 0}, {2, 0}, {1, 0}, {3, 0}}.series(t), d, 0.5},
		{Metric{Kind: Hausdorff}, pts{{0, 0}, {2, 0}, {1, 0}, {3, 0}}.series(t), d, 0},
	}
	for _, tc := range cases {
		if got := must(t, tc.m, tc.x, tc.y); !close(got, tc.want, 1e-9) {
			t.Errorf("%v(%v, %v) = %.17g, want %g", tc.m, tc.x.X, tc.y.X, got, tc.want)
		}
	}
}

func TestGeographicHandChecked(t *testing.T) {
	// One degree of longitude on the equator: R·π/180.
	deg := EarthRadius * math.Pi / 180
	a := pts{{0, 0}, {1, 0}}.series(t)
	b := pts{{0, 1}, {1, 1}}.series(t)
	for _, tc := range []struct {
		m    Metric
		want float64
	}{
		{Metric{Kind: DTW, Geo: true}, 2 * deg},
		{Metric{Kind: Frechet, Geo: true}, deg},
		{Metric{Kind: ContinuousFrechet, Geo: true}, deg},
		// (0,0) and (1,0) to the arc along latitude 1: the ends are nearest (1°).
		{Metric{Kind: Hausdorff, Geo: true}, deg},
		{Metric{Kind: EDR, Geo: true, Eps: 0.9 * deg}, 1},
		{Metric{Kind: EDR, Geo: true, Eps: 1.01 * deg}, 0},
		{Metric{Kind: LCSS, Geo: true, Eps: 1.01 * deg}, 0},
		// Gap at (0,0): delete nothing, match pairwise: 2°; or gap costs.
		{Metric{Kind: ERP, Geo: true}, 2 * deg},
	} {
		if got := must(t, tc.m, a, b); !close(got, tc.want, 1e-9) {
			t.Errorf("%v = %.17g, want %.17g", tc.m, got, tc.want)
		}
	}
	// Cross-track: (0.5, 0.01) against the equator segment (0,0)–(1,0) is 0.01° away.
	p := pts{{0.5, 0.01}}.series(t)
	if got := must(t, Metric{Kind: Hausdorff, Geo: true}, p, a); !close(got, math.Max(0.01*deg, Haversine(0.5, 0.01, 0, 0)), 1e-9) {
		t.Errorf("hausdorff(point, equator) = %v", got)
	}
	if got := must(t, Metric{Kind: SSPD, Geo: true}, p, a); !close(got, (0.01*deg+(Haversine(0.5, 0.01, 0, 0)+Haversine(0.5, 0.01, 1, 0))/2)/2, 1e-9) {
		t.Errorf("sspd(point, equator) = %v", got)
	}
}

// TestGeoVsPlanar: on a small patch, geographic distances match planar
// ones on an equirectangular projection in metres to within 0.1 %.
func TestGeoVsPlanar(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	lat0 := 39.9
	local := traj.NewLocalProjectionAt(orb.Point{0, 0}, lat0)
	proj := func(p pts) pts {
		q := make(pts, len(p))
		for i, v := range p {
			q[i][0], q[i][1] = local.XY(orb.Point{v[0], v[1]})
		}
		return q
	}
	for trial := 0; trial < 20; trial++ {
		a, b := randomWalk(r, 20, 116.3, lat0, 0.0005), randomWalk(r, 25, 116.3, lat0, 0.0005)
		ga, gb, pa, pb := a.series(t), b.series(t), proj(a).series(t), proj(b).series(t)
		for _, k := range Kinds() {
			g := must(t, Metric{Kind: k, Geo: true, Eps: 60}, ga, gb)
			p := must(t, Metric{Kind: k, Eps: 60, Gap: [2]float64{pa.X[0], pa.Y[0]}}, pa, pb)
			if k == ERP {
				continue // the gap points differ
			}
			tol := 2e-3
			if k == EDR || k == LCSS {
				tol = 0.1 // a few borderline matches may flip
			}
			if !close(g, p, tol) {
				t.Errorf("%v: geographic %v vs planar %v", k, g, p)
			}
		}
	}
}

func TestProperties(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	for _, geo := range []bool{false, true} {
		x0, y0, step, eps := 0.0, 0.0, 1.0, 1.0
		if geo {
			x0, y0, step, eps = 2.35, 48.85, 0.001, 100
		}
		for trial := 0; trial < 25; trial++ {
			var s [3]*Series
			for i := range s {
				s[i] = randomWalk(r, 2+r.Intn(15), x0, y0, step).series(t)
			}
			for _, k := range Kinds() {
				m := Metric{Kind: k, Geo: geo, Eps: eps}
				dab, dba := must(t, m, s[0], s[1]), must(t, m, s[1], s[0])
				if !close(dab, dba, 1e-9) {
					t.Errorf("%v not symmetric: %v vs %v", m, dab, dba)
				}
				if d := must(t, m, s[0], s[0]); d != 0 {
					t.Errorf("%v(a, a) = %v, want 0", m, d)
				}
				switch k {
				case Frechet, ContinuousFrechet, Hausdorff, ERP:
					dbc, dac := must(t, m, s[1], s[2]), must(t, m, s[0], s[2])
					if dac > dab+dbc+1e-9*(dab+dbc) {
						t.Errorf("%v triangle inequality: d(a,c)=%v > %v + %v", m, dac, dab, dbc)
					}
				}
				if k == ContinuousFrechet {
					df := must(t, Metric{Kind: Frechet, Geo: geo}, s[0], s[1])
					h := must(t, Metric{Kind: Hausdorff, Geo: geo}, s[0], s[1])
					if dab > df*(1+1e-9) || dab < h*(1-1e-9) {
						t.Errorf("want hausdorff %v ≤ cfrechet %v ≤ frechet %v", h, dab, df)
					}
				}
			}
		}
	}
}

// densify inserts k−1 evenly spaced points in every segment.
func densify(p pts, k int) pts {
	var q pts
	for i := 0; i+1 < len(p); i++ {
		for s := 0; s < k; s++ {
			f := float64(s) / float64(k)
			q = append(q, [2]float64{p[i][0] + f*(p[i+1][0]-p[i][0]), p[i][1] + f*(p[i+1][1]-p[i][1])})
		}
	}
	return append(q, p[len(p)-1])
}

// TestContinuousFrechetConverges: the discrete Fréchet distance of densely
// resampled curves tends to the continuous one from above, within the
// sample spacing.
func TestContinuousFrechetConverges(t *testing.T) {
	r := rand.New(rand.NewSource(4))
	for trial := 0; trial < 20; trial++ {
		a, b := randomWalk(r, 2+r.Intn(6), 0, 0, 1), randomWalk(r, 2+r.Intn(6), 0, 0, 1)
		cf := must(t, Metric{Kind: ContinuousFrechet}, a.series(t), b.series(t))
		const k = 200
		da, db := densify(a, k), densify(b, k)
		df := must(t, Metric{Kind: Frechet}, da.series(t), db.series(t))
		spacing := 0.0
		for _, p := range []pts{da, db} {
			for i := 1; i < len(p); i++ {
				spacing = math.Max(spacing, math.Hypot(p[i][0]-p[i-1][0], p[i][1]-p[i-1][1]))
			}
		}
		if cf > df+1e-9 || df > cf+spacing {
			t.Errorf("trial %d: cfrechet %v, discrete on dense samples %v (spacing %v)", trial, cf, df, spacing)
		}
		// The decision procedure flips exactly at the result.
		c := cfCurves{p: a.series(t), q: b.series(t), lr: make([]interval, len(b))}
		if cf > 0 && (!c.decide(cf) || c.decide(cf*(1-1e-6))) {
			t.Errorf("trial %d: decide does not flip at %v", trial, cf)
		}
	}
}

func TestPairwiseCondensedKNN(t *testing.T) {
	r := rand.New(rand.NewSource(5))
	var A, B []*Series
	for i := 0; i < 23; i++ {
		A = append(A, randomWalk(r, 3+r.Intn(30), 0, 0, 1).series(t))
	}
	for i := 0; i < 7; i++ {
		B = append(B, randomWalk(r, 3+r.Intn(30), 0, 0, 1).series(t))
	}
	for _, k := range Kinds() {
		m := Metric{Kind: k, Eps: 1}
		for _, th := range []int{1, 3} {
			opt := Options{Threads: th}
			cd, err := Condensed(A, m, opt)
			if err != nil {
				t.Fatal(err)
			}
			pw, err := Pairwise(A, B, m, opt)
			if err != nil {
				t.Fatal(err)
			}
			n := len(A)
			for i := 0; i < n; i++ {
				for j := i + 1; j < n; j++ {
					if got, want := cd[CondensedIndex(n, i, j)], must(t, m, A[i], A[j]); got != want {
						t.Fatalf("%v condensed (%d,%d) = %v, want %v", m, i, j, got, want)
					}
				}
				for j := range B {
					if got, want := pw[i*len(B)+j], must(t, m, A[i], B[j]); got != want {
						t.Fatalf("%v pairwise (%d,%d) = %v, want %v", m, i, j, got, want)
					}
				}
			}
			sq := Square(cd, n)
			if sq[2*n+5] != cd[CondensedIndex(n, 2, 5)] || sq[5*n+2] != sq[2*n+5] || sq[3*n+3] != 0 {
				t.Fatalf("Square does not mirror the condensed vector")
			}
			// k-NN of each B against A equals sorting the exact row.
			for j, q := range B {
				got, st, err := KNN(q, A, 5, m, opt)
				if err != nil {
					t.Fatal(err)
				}
				want := make([]Neighbor, n)
				for i := range A {
					want[i] = Neighbor{i, pw[i*len(B)+j]}
				}
				slices.SortFunc(want, func(a, b Neighbor) int {
					if less(a, b) {
						return -1
					}
					return 1
				})
				if !slices.Equal(got, want[:5]) {
					t.Fatalf("%v KNN = %v, want %v (stats %+v)", m, got, want[:5], st)
				}
			}
		}
	}
}

func TestLowerBoundsHold(t *testing.T) {
	r := rand.New(rand.NewSource(6))
	for _, geo := range []bool{false, true} {
		x0, y0, step, eps := 0.0, 0.0, 1.0, 1.0
		if geo {
			x0, y0, step, eps = -70, -33, 0.05, 3000 // long arcs: the bulge matters
		}
		for trial := 0; trial < 100; trial++ {
			a := randomWalk(r, 1+r.Intn(20), x0, y0, step).series(t)
			b := randomWalk(r, 1+r.Intn(20), x0+3*step*r.NormFloat64(), y0, step).series(t)
			for _, k := range Kinds() {
				m := Metric{Kind: k, Geo: geo, Eps: eps}
				if lb, d := LowerBound(m, a, b), must(t, m, a, b); lb > d*(1+1e-9)+1e-12 {
					t.Errorf("%v lower bound %v > distance %v", m, lb, d)
				}
			}
		}
	}
}

func TestErrors(t *testing.T) {
	if _, err := New([]float64{0, math.NaN()}, []float64{0, 0}); err == nil {
		t.Error("NaN accepted")
	}
	if _, err := New(nil, nil); err == nil {
		t.Error("empty trajectory accepted")
	}
	if _, err := New([]float64{0}, []float64{0, 1}); err == nil {
		t.Error("unequal lengths accepted")
	}
	bad := pts{{0, 0}, {200, 95}}.series(t)
	ok := pts{{0, 0}, {1, 1}}.series(t)
	if _, err := (Metric{Kind: DTW, Geo: true}).Distance(bad, ok); err == nil {
		t.Error("latitude 95 accepted by a geographic metric")
	}
	if _, err := (Metric{Kind: DTW}).Distance(bad, ok); err != nil {
		t.Errorf("planar metric rejected planar coordinates: %v", err)
	}
	if _, err := (Metric{Kind: EDR, Eps: -1}).Distance(ok, ok); err == nil {
		t.Error("negative eps accepted")
	}
	if _, err := ParseKind("cosine"); err == nil {
		t.Error("unknown metric name accepted")
	}
	if k, err := ParseKind("CFrechet"); err != nil || k != ContinuousFrechet {
		t.Errorf("ParseKind(CFrechet) = %v, %v", k, err)
	}
}

func TestFastAsin(t *testing.T) {
	r := rand.New(rand.NewSource(8))
	for i := 0; i < 200000; i++ {
		x := r.Float64() * 0.13
		if i%4 == 0 {
			x = math.Exp(-r.Float64() * 40) // tiny arguments: short distances
		}
		got, want := fastAsin(x), math.Asin(x)
		if math.Abs(got-want) > 3*(math.Nextafter(want, math.Inf(1))-want) { // math.Asin itself is not correctly rounded
			t.Fatalf("fastAsin(%v) = %v, math.Asin %v", x, got, want)
		}
	}
	if fastAsin(0) != 0 || fastAsin(1) != math.Pi/2 {
		t.Error("fastAsin at 0 or 1")
	}
}

// TestTeach checks the notebook's textbook tables against the kernels.
func TestTeach(t *testing.T) {
	r := rand.New(rand.NewSource(9))
	for trial := 0; trial < 50; trial++ {
		a, b := randomWalk(r, 1+r.Intn(20), 0, 0, 1), randomWalk(r, 1+r.Intn(20), 0, 0, 1)
		sa, sb := a.series(t), b.series(t)
		if got, want := TeachDTW(a, b), must(t, Metric{Kind: DTW}, sa, sb); !close(got, want, 1e-12) {
			t.Fatalf("TeachDTW %v, kernel %v", got, want)
		}
		if got, want := TeachFrechet(a, b), must(t, Metric{Kind: Frechet}, sa, sb); !close(got, want, 1e-12) {
			t.Fatalf("TeachFrechet %v, kernel %v", got, want)
		}
	}
}

// TestNoAllocation: once a Scratch has grown, a distance allocates nothing.
func TestNoAllocation(t *testing.T) {
	r := rand.New(rand.NewSource(13))
	a := randomWalk(r, 60, 116.3, 39.9, 0.001).series(t)
	b := randomWalk(r, 45, 116.3, 39.9, 0.001).series(t)
	var s Scratch
	for _, geo := range []bool{false, true} {
		for _, k := range Kinds() {
			m := Metric{Kind: k, Geo: geo, Eps: 100}
			s.Distance(m, a, b)
			s.Distance(m, b, a)
			if n := testing.AllocsPerRun(5, func() { s.Distance(m, a, b) }); n != 0 {
				t.Errorf("%v: %v allocations per distance", m, n)
			}
		}
	}
}

func TestCondensedSmall(t *testing.T) {
	one := pts{{0, 0}, {1, 1}}.series(t)
	for _, in := range [][]*Series{nil, {one}} {
		v, err := Condensed(in, Metric{Kind: DTW}, Options{})
		if err != nil || len(v) != 0 {
			t.Errorf("Condensed(%d series) = %v, %v", len(in), v, err)
		}
	}
	if v, err := Pairwise([]*Series{one}, nil, Metric{Kind: DTW}, Options{}); err != nil || len(v) != 0 {
		t.Errorf("Pairwise with no columns = %v, %v", v, err)
	}
	if nn, _, err := KNN(one, []*Series{one}, 0, Metric{Kind: DTW}, Options{}); err != nil || nn != nil {
		t.Errorf("KNN k=0 = %v, %v", nn, err)
	}
}
