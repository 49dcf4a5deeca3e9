package distance

import "math"

// Short series. Real GPS trips are short (a taxi sample's median trip has
// ~10 points), and the anti-diagonal kernel's set-up per diagonal (slicing,
// a SIMD call for a handful of cells, the abandon test) then costs more than
// the cells. When the column series has at most smallLen points, planar DTW
// runs dtwSmallPlanar instead: the rows live on the stack, the point
// distances are fused into the recursion, and the recursion uses the
// branch-free min (on real data the branches of "if u < best" mispredict).
//
// Measured on the 2-core machine, 1,000 trajectories of 5–15 points, one
// thread (tfm/distance/testdata/cbench/run.sh short): kernel 0.46 → 0.18 s;
// a per-row SIMD distance call (planarRow) was slower for rows this short
// (0.47 s), and so was advancing two rows at once (0.23 s): the kernel is
// bound by the square roots' throughput, not by the recursion's latency.
const smallLen = 32

// dtwSmallPlanar is planar DTW with len(bx) ≤ smallLen: the same recursion
// and the same floating-point operations per cell as the other kernels (so
// the same bits), abandoning when a whole row exceeds abandon.
func dtwSmallPlanar(ax, ay, bx, by []float64, abandon float64) float64 {
	var row [smallLen + 1]float64
	m := len(bx)
	prev := row[:m+1] // row i of C, updated in place; prev[0] = C[i][0]
	by = by[:m]
	inf := math.Inf(1)
	for j := 1; j <= m; j++ {
		prev[j] = inf
	}
	up := prev[1 : m+1]
	ay = ay[:len(ax)]
	for i, x := range ax {
		y := ay[i]
		left, diag, rowMin := inf, prev[0], inf
		for j, bxj := range bx {
			dx, dy := x-bxj, y-by[j]
			u := up[j]
			left = math.Sqrt(dx*dx+dy*dy) + min(diag, u, left)
			diag = u
			up[j] = left
			rowMin = min(rowMin, left)
		}
		prev[0] = inf
		if rowMin > abandon {
			return inf
		}
	}
	return prev[m]
}
