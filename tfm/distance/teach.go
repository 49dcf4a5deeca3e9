// Code mirrored from notebooks/07_distances.ipynb (code cell 2); edit it there, then run `tfm notebooks sync --write`.

package distance

import "math"

// TeachDTW is dynamic time warping exactly as defined, with the whole
// (n+1)×(m+1) table in memory: C[0][0] = 0, infinite borders, and
// C[i][j] = d(a_i, b_j) + min(C[i-1][j-1], C[i-1][j], C[i][j-1]).
// Points are planar [x, y]; d is the Euclidean distance.
func TeachDTW(a, b [][2]float64) float64 {
	return teachTable(a, b, func(d, best float64) float64 { return d + best })
}

// TeachFrechet is the discrete Fréchet distance by the same table with
// max(d, ·) in place of d + ·: the longest link of the best alignment.
func TeachFrechet(a, b [][2]float64) float64 {
	return teachTable(a, b, math.Max)
}

// teachTable fills C[i][j] = combine(d(a_i, b_j), min of the three
// neighbours) and returns C[n][m].
func teachTable(a, b [][2]float64, combine func(d, best float64) float64) float64 {
	n, m := len(a), len(b)
	C := make([][]float64, n+1)
	for i := range C {
		C[i] = make([]float64, m+1)
		for j := range C[i] {
			C[i][j] = math.Inf(1)
		}
	}
	C[0][0] = 0
	for i := 1; i <= n; i++ {
		for j := 1; j <= m; j++ {
			d := math.Hypot(a[i-1][0]-b[j-1][0], a[i-1][1]-b[j-1][1])
			C[i][j] = combine(d, min(C[i-1][j-1], C[i-1][j], C[i][j-1]))
		}
	}
	return C[n][m]
}
