package distance

import "math"

// LowerBound returns a cheap (O(n + m)) lower bound of m's distance between
// a and b, used by KNN to order and prune candidates:
//   - DTW: max(LB_Kim, LB_Keogh-box). LB_Kim = d(a_1, b_1) + d(a_n, b_m) (the
//     path visits both corners). LB_Keogh-box = Σ_i dist(a_i, bbox(b)) and the
//     same with a and b swapped: without a warping window the Keogh envelope
//     is b's bounding box, and every a_i is matched to at least one b_j, so
//     the bound holds for unequal lengths.
//   - discrete and continuous Fréchet: max of the corner distances and of
//     every vertex's distance to the other curve's bounding box.
//   - Hausdorff: the largest vertex-to-bounding-box distance; SSPD: the means.
//   - EDR: max(|n−m|, vertices farther than ε from the other box) / max(n, m).
//   - LCSS: 1 − min(vertices of a, b within ε of the other box) / min(n, m).
//   - ERP: |Σ d(a_i, g) − Σ d(b_j, g)| (ERP is a metric; triangle inequality).
//
// The series must suit the metric (non-empty; valid lon/lat when m.Geo), as
// Metric.Distance checks.
func LowerBound(m Metric, a, b *Series) float64 {
	n, mm := a.Len(), b.Len()
	switch m.Kind {
	case DTW:
		kim := pointDist(m.Geo, a, 0, b, 0)
		if n > 1 || mm > 1 {
			kim += pointDist(m.Geo, a, n-1, b, mm-1)
		}
		ab, _, _ := boxStats(m.Geo, false, a, b, 0)
		ba, _, _ := boxStats(m.Geo, false, b, a, 0)
		return max(kim, ab, ba)
	case Frechet, ContinuousFrechet, Hausdorff:
		arcs := m.Kind != Frechet
		_, abMax, _ := boxStats(m.Geo, arcs, a, b, 0)
		_, baMax, _ := boxStats(m.Geo, arcs, b, a, 0)
		lb := max(abMax, baMax)
		if m.Kind != Hausdorff {
			lb = max(lb, pointDist(m.Geo, a, 0, b, 0), pointDist(m.Geo, a, n-1, b, mm-1))
		}
		return lb
	case SSPD:
		ab, _, _ := boxStats(m.Geo, true, a, b, 0)
		ba, _, _ := boxStats(m.Geo, true, b, a, 0)
		return (ab/float64(n) + ba/float64(mm)) / 2
	case EDR:
		_, _, fa := boxStats(m.Geo, false, a, b, m.Eps)
		_, _, fb := boxStats(m.Geo, false, b, a, m.Eps)
		return float64(max(fa, fb, abs(n-mm))) / float64(max(n, mm))
	case LCSS:
		_, _, fa := boxStats(m.Geo, false, a, b, m.Eps)
		_, _, fb := boxStats(m.Geo, false, b, a, m.Eps)
		return 1 - float64(min(n-fa, mm-fb))/float64(min(n, mm))
	case ERP:
		var sa, sb float64
		for i := 0; i < n; i++ {
			sa += erpGapDist(m, a, i)
		}
		for j := 0; j < mm; j++ {
			sb += erpGapDist(m, b, j)
		}
		return math.Abs(sa - sb)
	}
	return 0
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// pointDist is the distance between a_i and b_j (input units or metres).
func pointDist(geo bool, a *Series, i int, b *Series, j int) float64 {
	if geo {
		dx, dy, dz := a.ux[i]-b.ux[j], a.uy[i]-b.uy[j], a.uz[i]-b.uz[j]
		return chord2ToMetres(dx*dx + dy*dy + dz*dz)
	}
	return math.Hypot(a.X[i]-b.X[j], a.Y[i]-b.Y[j])
}

// boxStats returns, over a's vertices, the sum and the maximum of the
// distance to b's bounding box, and how many lie farther than eps from it.
// On the sphere the box is that of b's unit vectors; with arcs it is widened
// by the largest bulge of an arc beyond its chord, 1 − cos(θ/2), so that it
// contains every point of b's arcs, not only the vertices.
func boxStats(geo, arcs bool, a, b *Series, eps float64) (sum, maxd float64, far int) {
	if geo {
		e2 := metresToChord2(eps)
		lo, hi := b.gmin, b.gmax
		if arcs {
			for k := range lo {
				lo[k] -= b.gbulge
				hi[k] += b.gbulge
			}
		}
		for i := range a.ux {
			p := [3]float64{a.ux[i], a.uy[i], a.uz[i]}
			var c2 float64
			for k := 0; k < 3; k++ {
				d := max(lo[k]-p[k], 0, p[k]-hi[k])
				c2 += d * d
			}
			if c2 > e2 {
				far++
			}
			d := chord2ToMetres(c2)
			sum += d
			maxd = max(maxd, d)
		}
		return
	}
	e2 := eps * eps
	for i := range a.X {
		dx := max(b.minX-a.X[i], 0, a.X[i]-b.maxX)
		dy := max(b.minY-a.Y[i], 0, a.Y[i]-b.maxY)
		d2 := dx*dx + dy*dy
		if d2 > e2 {
			far++
		}
		d := math.Sqrt(d2)
		sum += d
		maxd = max(maxd, d)
	}
	return
}
