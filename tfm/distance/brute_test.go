package distance

import (
	"math"
	"math/rand"
	"testing"
)

// Obviously correct reference implementations: full matrices filled by
// memoised recursion straight from the definitions, with point distances
// from math.Hypot (planar) or the haversine formula (geographic) and
// traj-dist's bearing-based cross-track rule on the sphere.

type pts [][2]float64

func (p pts) series(t *testing.T) *Series {
	t.Helper()
	xs, ys := make([]float64, len(p)), make([]float64, len(p))
	for i, q := range p {
		xs[i], ys[i] = q[0], q[1]
	}
	s, err := New(xs, ys)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func pdist(geo bool, a, b [2]float64) float64 {
	if geo {
		return Haversine(a[0], a[1], b[0], b[1])
	}
	return math.Hypot(a[0]-b[0], a[1]-b[1])
}

func memo(n, m int) [][]float64 {
	c := make([][]float64, n+1)
	for i := range c {
		c[i] = make([]float64, m+1)
		for j := range c[i] {
			c[i][j] = math.NaN()
		}
	}
	return c
}

func bruteDTW(geo bool, a, b pts) float64 {
	c := memo(len(a), len(b))
	var f func(i, j int) float64
	f = func(i, j int) float64 { // cost of aligning a[:i] with b[:j]
		if i == 0 && j == 0 {
			return 0
		}
		if i == 0 || j == 0 {
			return math.Inf(1)
		}
		if !math.IsNaN(c[i][j]) {
			return c[i][j]
		}
		c[i][j] = pdist(geo, a[i-1], b[j-1]) + min(f(i-1, j-1), f(i-1, j), f(i, j-1))
		return c[i][j]
	}
	return f(len(a), len(b))
}

func bruteFrechet(geo bool, a, b pts) float64 {
	c := memo(len(a), len(b))
	var f func(i, j int) float64 // Eiter–Mannila, 0-based
	f = func(i, j int) float64 {
		if !math.IsNaN(c[i][j]) {
			return c[i][j]
		}
		d := pdist(geo, a[i], b[j])
		switch {
		case i == 0 && j == 0:
			c[i][j] = d
		case i == 0:
			c[i][j] = max(f(0, j-1), d)
		case j == 0:
			c[i][j] = max(f(i-1, 0), d)
		default:
			c[i][j] = max(min(f(i-1, j), f(i-1, j-1), f(i, j-1)), d)
		}
		return c[i][j]
	}
	return f(len(a)-1, len(b)-1)
}

func brutePointSeg(geo bool, p, s1, s2 [2]float64) float64 {
	if !geo {
		vx, vy := s2[0]-s1[0], s2[1]-s1[1]
		l2 := vx*vx + vy*vy
		if l2 == 0 {
			return math.Hypot(p[0]-s1[0], p[1]-s1[1])
		}
		u := ((p[0]-s1[0])*vx + (p[1]-s1[1])*vy) / l2
		u = math.Max(0, math.Min(1, u))
		return math.Hypot(p[0]-(s1[0]+u*vx), p[1]-(s1[1]+u*vy))
	}
	const R = EarthRadius
	d13, d23, d12 := pdist(true, s1, p), pdist(true, s2, p), pdist(true, s1, s2)
	if d12 == 0 {
		return d13
	}
	crt := math.Asin(math.Sin(d13/R)*math.Sin(bearing(s1, p)-bearing(s1, s2))) * R
	d1p := math.Acos(math.Min(1, math.Cos(d13/R)/math.Cos(crt/R))) * R
	d2p := math.Acos(math.Min(1, math.Cos(d23/R)/math.Cos(crt/R))) * R
	if d1p > d12 || d2p > d12 {
		return math.Min(d13, d23)
	}
	return math.Abs(crt)
}

func bearing(a, b [2]float64) float64 {
	r := math.Pi / 180
	la1, la2, dlo := a[1]*r, b[1]*r, (b[0]-a[0])*r
	return math.Atan2(math.Sin(dlo)*math.Cos(la2), math.Cos(la1)*math.Sin(la2)-math.Sin(la1)*math.Cos(la2)*math.Cos(dlo))
}

func brutePointPath(geo bool, p [2]float64, b pts) float64 {
	if len(b) == 1 {
		return pdist(geo, p, b[0])
	}
	d := math.Inf(1)
	for k := 0; k+1 < len(b); k++ {
		d = math.Min(d, brutePointSeg(geo, p, b[k], b[k+1]))
	}
	return d
}

func bruteHausdorff(geo bool, a, b pts) float64 {
	h := 0.0
	for _, p := range a {
		h = math.Max(h, brutePointPath(geo, p, b))
	}
	for _, p := range b {
		h = math.Max(h, brutePointPath(geo, p, a))
	}
	return h
}

func bruteSSPD(geo bool, a, b pts) float64 {
	var sa, sb float64
	for _, p := range a {
		sa += brutePointPath(geo, p, b)
	}
	for _, p := range b {
		sb += brutePointPath(geo, p, a)
	}
	return (sa/float64(len(a)) + sb/float64(len(b))) / 2
}

func bruteEDR(geo bool, eps float64, a, b pts) float64 {
	c := memo(len(a), len(b))
	var f func(i, j int) float64
	f = func(i, j int) float64 {
		if i == 0 {
			return float64(j)
		}
		if j == 0 {
			return float64(i)
		}
		if !math.IsNaN(c[i][j]) {
			return c[i][j]
		}
		sub := 1.0
		if pdist(geo, a[i-1], b[j-1]) <= eps {
			sub = 0
		}
		c[i][j] = min(f(i-1, j-1)+sub, f(i-1, j)+1, f(i, j-1)+1)
		return c[i][j]
	}
	return f(len(a), len(b)) / float64(max(len(a), len(b)))
}

func bruteLCSS(geo bool, eps float64, a, b pts) float64 {
	c := memo(len(a), len(b))
	var f func(i, j int) float64
	f = func(i, j int) float64 {
		if i == 0 || j == 0 {
			return 0
		}
		if !math.IsNaN(c[i][j]) {
			return c[i][j]
		}
		if pdist(geo, a[i-1], b[j-1]) <= eps {
			c[i][j] = f(i-1, j-1) + 1
		} else {
			c[i][j] = max(f(i-1, j), f(i, j-1))
		}
		return c[i][j]
	}
	return 1 - f(len(a), len(b))/float64(min(len(a), len(b)))
}

func bruteERP(geo bool, g [2]float64, a, b pts) float64 {
	c := memo(len(a), len(b))
	var f func(i, j int) float64
	f = func(i, j int) float64 {
		if i == 0 && j == 0 {
			return 0
		}
		if !math.IsNaN(c[i][j]) {
			return c[i][j]
		}
		v := math.Inf(1)
		if i > 0 && j > 0 {
			v = f(i-1, j-1) + pdist(geo, a[i-1], b[j-1])
		}
		if i > 0 {
			v = min(v, f(i-1, j)+pdist(geo, a[i-1], g))
		}
		if j > 0 {
			v = min(v, f(i, j-1)+pdist(geo, b[j-1], g))
		}
		c[i][j] = v
		return v
	}
	return f(len(a), len(b))
}

// randomWalk returns a trajectory of n points starting at (x0, y0) with steps
// of about step in each coordinate.
func randomWalk(r *rand.Rand, n int, x0, y0, step float64) pts {
	p := make(pts, n)
	x, y := x0+r.NormFloat64()*step*3, y0+r.NormFloat64()*step*3
	for i := range p {
		p[i] = [2]float64{x, y}
		x += r.NormFloat64() * step
		y += r.NormFloat64() * step
	}
	return p
}
