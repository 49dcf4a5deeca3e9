// Package ch12 holds the reference solutions of chapter 12's exercises (notebooks/12_downstream.ipynb).
package ch12

import "math"

// MeanRank is the self-similarity protocol's score: dist[i][j] is the
// distance from query i to database item j and truth[i] the item that is
// query i's own other half. The rank of query i is 1 + the number of items
// strictly closer than its truth; MeanRank is the mean over queries (1 is perfect).
func MeanRank(dist [][]float64, truth []int) float64 {
	total := 0
	for i, row := range dist {
		rank := 1
		for _, d := range row {
			if d < row[truth[i]] {
				rank++
			}
		}
		total += rank
	}
	return float64(total) / float64(len(dist))
}

// MAPE is the mean absolute percentage error of travel-time predictions, in
// percent: mean of |pred − actual|/actual · 100 over the trips with actual > 0.
func MAPE(pred, actual []float64) float64 {
	sum, n := 0.0, 0
	for i, a := range actual {
		if a > 0 {
			sum += math.Abs(pred[i]-a) / a
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return 100 * sum / float64(n)
}
