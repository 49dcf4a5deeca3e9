// Package ch07 holds the reference solutions of chapter 7's exercises (notebooks/07_distances.ipynb).
package ch07

import "math"

// TeachHausdorff is the discrete Hausdorff distance of two planar point
// sequences: the largest distance from a point of one to its nearest point
// of the other, taken both ways.
func TeachHausdorff(a, b [][2]float64) float64 {
	directed := func(p, q [][2]float64) float64 {
		worst := 0.0
		for _, u := range p {
			near := math.Inf(1)
			for _, v := range q {
				near = min(near, math.Hypot(u[0]-v[0], u[1]-v[1]))
			}
			worst = max(worst, near)
		}
		return worst
	}
	return max(directed(a, b), directed(b, a))
}

// TeachEDR is the edit distance on real sequences: the fewest insertions,
// deletions and substitutions turning a into b, where two points within eps
// of each other (Euclidean) match for free, divided by max(len(a), len(b)).
func TeachEDR(a, b [][2]float64, eps float64) float64 {
	n, m := len(a), len(b)
	prev, cur := make([]float64, m+1), make([]float64, m+1)
	for j := range prev {
		prev[j] = float64(j)
	}
	for i := 1; i <= n; i++ {
		cur[0] = float64(i)
		for j := 1; j <= m; j++ {
			sub := 1.0
			if math.Hypot(a[i-1][0]-b[j-1][0], a[i-1][1]-b[j-1][1]) <= eps {
				sub = 0
			}
			cur[j] = min(prev[j-1]+sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[m] / float64(max(n, m))
}
