package distance

import (
	"math"
	"slices"
)

// Continuous Fréchet distance, exact: the Alt–Godau (1995) decision
// procedure ("is δF(P, Q) ≤ ε?", O(n·m) over the free-space diagram) and a
// search over the critical values where the answer can change:
//   (a) the distances between the start points and between the end points;
//   (b) the distance from a vertex of one curve to a segment of the other
//       (a passage opens on a cell boundary);
//   (c) for two vertices of one curve and a segment of the other, the distance
//       from either vertex to the point of the segment equidistant from both
//       (a monotone passage opens across several cells).
// The search binary-searches the sorted (b) values, then only the (c) values
// between the two (b) values that bracket the answer (which keeps the sort
// small), each step running the decision procedure. The result is a critical
// value, exact up to the procedure's relative tolerance of 1e-10.
//
// Geographic curves are made of great-circle arcs; free intervals, vertex–arc
// distances and bisector points are computed on the unit sphere (angles),
// then scaled by EarthRadius.

type interval struct{ lo, hi float64 } // empty when lo > hi

var emptyInterval = interval{1, 0}

func (iv interval) empty() bool { return iv.lo > iv.hi }

type cfScratch struct {
	lr     []interval
	vals   []float64
	pq, qp []float64 // vertex-to-segment distances (row-major)
}

// cfCurves binds two curves and the geometry (planar or spherical).
type cfCurves struct {
	geo  bool
	p, q *Series
	lr   []interval
	se   float64 // sin(eps/2) of the current decision (geographic)
}

func (s *Scratch) continuousFrechet(geo bool, a, b *Series, abandon float64) float64 {
	c := cfCurves{geo: geo, p: a, q: b}
	scale := 1.0
	if geo {
		scale = EarthRadius
	}
	lim := abandon / scale
	np, nq := a.Len(), b.Len()
	if np == 1 || nq == 1 {
		// A point against a curve: the farthest vertex (distance to a fixed
		// point is convex along a segment, and quasi-convex along an arc).
		r := 0.0
		for i := 0; i < np; i++ {
			for j := 0; j < nq; j++ {
				r = max(r, c.vertexDist(i, j))
			}
		}
		return r * scale
	}
	if cap(s.cf.lr) < nq {
		s.cf.lr = make([]interval, nq)
	}
	c.lr = s.cf.lr[:nq-1]
	lo := max(c.vertexDist(0, 0), c.vertexDist(np-1, nq-1))
	if lo > lim {
		return math.Inf(1)
	}
	if c.decide(lo) {
		return lo * scale
	}
	if !math.IsInf(lim, 1) && !c.decide(lim) {
		return math.Inf(1)
	}
	// (b) values above lo; all of them are kept for pruning (c) below.
	if cap(s.cf.pq) < np*(nq-1) {
		s.cf.pq = make([]float64, np*(nq-1))
	}
	if cap(s.cf.qp) < nq*(np-1) {
		s.cf.qp = make([]float64, nq*(np-1))
	}
	pq, qp := s.cf.pq[:np*(nq-1)], s.cf.qp[:nq*(np-1)]
	for i := 0; i < np; i++ {
		for j := 0; j < nq-1; j++ {
			pq[i*(nq-1)+j] = c.pointSegDist(c.p, i, c.q, j)
		}
	}
	for j := 0; j < nq; j++ {
		for i := 0; i < np-1; i++ {
			qp[j*(np-1)+i] = c.pointSegDist(c.q, j, c.p, i)
		}
	}
	// The answer lies in [max(lo, Hausdorff), discrete Fréchet]; the
	// Hausdorff distance is itself a (b) value, read off the matrices.
	L := max(lo, maxRowMin(pq, nq-1), maxRowMin(qp, np-1))
	if c.decide(L) {
		return L * scale
	}
	U := s.discreteFrechet(geo, a, b, math.Inf(1)) / scale
	vals := s.cf.vals[:0]
	for _, m := range [2][]float64{pq, qp} {
		for _, v := range m {
			if v > L && v < U {
				vals = append(vals, v)
			}
		}
	}
	slices.Sort(vals)
	vals = slices.Compact(vals)
	// Smallest (b) value that passes; the answer lies in (L, U].
	k, _ := slices.BinarySearchFunc(vals, true, func(v float64, _ bool) int {
		if c.decide(v) {
			return 1
		}
		return -1
	})
	if k > 0 {
		L = vals[k-1]
	}
	if k < len(vals) {
		U = vals[k]
	}
	// (c) values in (L, U).
	vals = vals[:0]
	vals = c.bisectorValues(c.p, c.q, pq, L, U, vals)
	vals = c.bisectorValues(c.q, c.p, qp, L, U, vals)
	slices.Sort(vals)
	vals = slices.Compact(vals)
	k, _ = slices.BinarySearchFunc(vals, true, func(v float64, _ bool) int {
		if c.decide(v) {
			return 1
		}
		return -1
	})
	s.cf.vals = vals
	if k < len(vals) {
		return vals[k] * scale
	}
	return U * scale
}

// maxRowMin is the largest of the row minima of a row-major matrix with
// rows of length w: a directed Hausdorff distance from distance tables.
func maxRowMin(m []float64, w int) float64 {
	h := 0.0
	for r := 0; r+w <= len(m); r += w {
		h = max(h, slices.Min(m[r:r+w]))
	}
	return h
}

// decide reports whether δF(P, Q) ≤ eps (Alt–Godau), with a relative
// tolerance of 1e-10 (plus 1e-15 rad ≈ 6 nm on the sphere, where unit vectors
// carry that much rounding) so that a critical value decides true.
func (c *cfCurves) decide(eps float64) bool {
	eps *= 1 + 1e-10
	if c.geo {
		eps += 1e-15
		c.se = math.Sin(eps / 2)
	}
	np, nq := c.p.Len(), c.q.Len()
	if c.vertexDist(0, 0) > eps || c.vertexDist(np-1, nq-1) > eps {
		return false
	}
	lr := c.lr[:nq-1]
	// Left boundary x = 0: reachable while the free space runs unbroken from (0, 0).
	reach := true
	for j := range lr {
		lr[j] = emptyInterval
		if reach {
			f := c.free(c.p, 0, c.q, j, eps)
			if !f.empty() && f.lo <= 0 {
				lr[j] = f
				reach = f.hi >= 1
			} else {
				reach = false
			}
		}
	}
	bottom := true
	for i := 0; i < np-1; i++ {
		br := emptyInterval
		if bottom {
			f := c.free(c.q, 0, c.p, i, eps)
			if !f.empty() && f.lo <= 0 {
				br = f
				bottom = f.hi >= 1
			} else {
				bottom = false
			}
		}
		any := false
		for j := range lr {
			left := lr[j]
			right, top := emptyInterval, emptyInterval
			if !left.empty() || !br.empty() {
				f := c.free(c.p, i+1, c.q, j, eps) // right edge: p_{i+1} against q's segment j
				if !br.empty() {
					right = f
				} else {
					right = interval{max(f.lo, left.lo), f.hi}
				}
				g := c.free(c.q, j+1, c.p, i, eps) // top edge: q_{j+1} against p's segment i
				if !left.empty() {
					top = g
				} else {
					top = interval{max(g.lo, br.lo), g.hi}
				}
			}
			lr[j] = right
			br = top
			any = any || !right.empty() || !top.empty()
		}
		if i == np-2 {
			last := lr[nq-2]
			return (!last.empty() && last.hi >= 1) || (!br.empty() && br.hi >= 1)
		}
		if !any && !bottom {
			return false
		}
	}
	return false
}

// vertexDist is the distance between p_i and q_j (planar units or radians).
func (c *cfCurves) vertexDist(i, j int) float64 {
	if c.geo {
		dx, dy, dz := c.p.ux[i]-c.q.ux[j], c.p.uy[i]-c.q.uy[j], c.p.uz[i]-c.q.uz[j]
		return 2 * math.Asin(min(1, 0.5*math.Sqrt(dx*dx+dy*dy+dz*dz)))
	}
	return math.Hypot(c.p.X[i]-c.q.X[j], c.p.Y[i]-c.q.Y[j])
}

// pointSegDist is the distance from vertex i of a to segment k of b.
func (c *cfCurves) pointSegDist(a *Series, i int, b *Series, k int) float64 {
	if c.geo {
		return 2 * math.Asin(min(1, 0.5*math.Sqrt(geoPointSeg2(b, k, a.ux[i], a.uy[i], a.uz[i]))))
	}
	return math.Sqrt(pointSeg2(a.X[i]-b.X[k], a.Y[i]-b.Y[k], b.segDX[k], b.segDY[k], b.segInv[k]))
}

// free is the parameter interval (in [0, 1]) of segment k of b within eps of
// vertex i of a.
func (c *cfCurves) free(a *Series, i int, b *Series, k int, eps float64) interval {
	if c.geo {
		return geoFree(a.ux[i], a.uy[i], a.uz[i], b, k, c.se)
	}
	px, py := b.X[k]-a.X[i], b.Y[k]-a.Y[i]
	dx, dy := b.segDX[k], b.segDY[k]
	A := dx*dx + dy*dy
	B := dx*px + dy*py
	C := px*px + py*py - eps*eps
	if A == 0 {
		if C <= 0 {
			return interval{0, 1}
		}
		return emptyInterval
	}
	disc := B*B - A*C
	if disc < 0 {
		return emptyInterval
	}
	sq := math.Sqrt(disc)
	lo, hi := max((-B-sq)/A, 0), min((-B+sq)/A, 1)
	if lo > hi {
		return emptyInterval
	}
	return interval{lo, hi}
}

// geoFree is free on the sphere, with se = sin(eps/2). The arc is X(φ) = A cos φ + T sin φ,
// φ ∈ [0, θ] (T = n×A), and with c = ca·A + ct·T + cn·n, X·c = r cos(φ − φ0)
// where r = √(1 − cn²), φ0 = atan2(ct, ca). The condition X·c ≥ cos ε becomes
// 2 sin²((φ − φ0)/2) ≤ (r − cos ε)/r, with r − cos ε = 2 sin²(ε/2) − cn²/(1 + r)
// evaluated without cancellation (ε is tiny in radians for GPS data).
func geoFree(cx, cy, cz float64, b *Series, k int, se float64) interval {
	g := &b.gseg[k]
	ax, ay, az := b.ux[k], b.uy[k], b.uz[k]
	wx, wy, wz := cx-ax, cy-ay, cz-az // c − A, small
	if g.degenerate {
		if wx*wx+wy*wy+wz*wz <= 4*se*se {
			return interval{0, 1}
		}
		return emptyInterval
	}
	ca := cx*ax + cy*ay + cz*az
	ct := wx*g.tax + wy*g.tay + wz*g.taz
	cn := wx*g.nx + wy*g.ny + wz*g.nz
	r := math.Sqrt(max(0, 1-cn*cn))
	num := 2*se*se - cn*cn/(1+r)
	if num < 0 || r == 0 {
		return emptyInterval
	}
	delta := 2 * math.Asin(min(1, math.Sqrt(num/(2*r))))
	phi0 := math.Atan2(ct, ca)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, shift := range [3]float64{-2 * math.Pi, 0, 2 * math.Pi} {
		l, h := max(phi0+shift-delta, 0), min(phi0+shift+delta, g.theta)
		if l <= h {
			lo, hi = min(lo, l), max(hi, h)
		}
	}
	if lo > hi {
		return emptyInterval
	}
	return interval{min(lo/g.theta, 1), min(hi/g.theta, 1)}
}

// bisectorValues appends the (c) critical values in (L, U): for vertices
// u = a_k, v = a_l (k < l) and segment s of b, the distance from u to the
// point of s equidistant from u and v. That value is at least |u − v|/2 and
// at least the distance from u (and from v) to s — dist[k*(len(b)−1)+s] — so
// most triples are skipped without computing the bisector.
func (c *cfCurves) bisectorValues(a, b *Series, dist []float64, L, U float64, out []float64) []float64 {
	na, nseg := a.Len(), b.Len()-1
	for k := 0; k < na; k++ {
		dk := dist[k*nseg : (k+1)*nseg]
		for l := k + 1; l < na; l++ {
			if c.sameCurveDist(a, k, l) >= 2*U {
				continue
			}
			dl := dist[l*nseg : (l+1)*nseg]
			for s := 0; s < nseg; s++ {
				if dk[s] >= U || dl[s] >= U {
					continue
				}
				var v float64
				if c.geo {
					v = geoBisector(a, k, l, b, s)
				} else {
					v = planarBisector(a, k, l, b, s)
				}
				if v > L && v < U {
					out = append(out, v)
				}
			}
		}
	}
	return out
}

// sameCurveDist is the distance between vertices k and l of one curve.
func (c *cfCurves) sameCurveDist(a *Series, k, l int) float64 {
	if c.geo {
		dx, dy, dz := a.ux[k]-a.ux[l], a.uy[k]-a.uy[l], a.uz[k]-a.uz[l]
		return 2 * math.Asin(min(1, 0.5*math.Sqrt(dx*dx+dy*dy+dz*dz)))
	}
	return math.Hypot(a.X[k]-a.X[l], a.Y[k]-a.Y[l])
}

// planarBisector returns the distance from a_k to the point of segment s of
// b equidistant from a_k and a_l, or −1 when there is none.
func planarBisector(a *Series, k, l int, b *Series, s int) float64 {
	ux, uy := a.X[k], a.Y[k]
	vx, vy := a.X[l]-ux, a.Y[l]-uy
	px, py := b.X[s]-ux, b.Y[s]-uy
	dx, dy := b.segDX[s], b.segDY[s]
	den := 2 * (dx*vx + dy*vy)
	if den == 0 {
		return -1
	}
	t := (vx*vx + vy*vy - 2*(px*vx+py*vy)) / den
	if t < 0 || t > 1 {
		return -1
	}
	return math.Hypot(px+t*dx, py+t*dy)
}

// geoBisector is planarBisector on the sphere (result in radians): the
// bisector plane of u and v, normal u−v, meets the arc's great circle along
// ±n×(u−v).
func geoBisector(a *Series, k, l int, b *Series, s int) float64 {
	g := &b.gseg[s]
	if g.degenerate {
		return -1
	}
	wx, wy, wz := a.ux[k]-a.ux[l], a.uy[k]-a.uy[l], a.uz[k]-a.uz[l]
	xx, xy, xz := g.ny*wz-g.nz*wy, g.nz*wx-g.nx*wz, g.nx*wy-g.ny*wx
	nn := math.Sqrt(xx*xx + xy*xy + xz*xz)
	if nn < 1e-300 {
		return -1
	}
	xx, xy, xz = xx/nn, xy/nn, xz/nn
	for sign := 1.0; sign >= -1; sign -= 2 {
		px, py, pz := sign*xx, sign*xy, sign*xz
		if px*g.tax+py*g.tay+pz*g.taz >= 0 && px*g.tbx+py*g.tby+pz*g.tbz >= 0 {
			dx, dy, dz := px-a.ux[k], py-a.uy[k], pz-a.uz[k]
			return 2 * math.Asin(min(1, 0.5*math.Sqrt(dx*dx+dy*dy+dz*dz)))
		}
	}
	return -1
}
