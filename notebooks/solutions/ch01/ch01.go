// Package ch01 holds the reference solutions of chapter 1's exercises (notebooks/01_data.ipynb).
package ch01

import (
	"time"

	"github.com/tfm-course/course/tfm/traj"
)

// TripLength is the length of t in metres: the sum of the great-circle
// (haversine) distances between consecutive fixes.
func TripLength(t *traj.Trajectory) float64 {
	total := 0.0
	for i := 1; i < len(t.Points); i++ {
		total += traj.Haversine(t.Points[i-1].Point, t.Points[i].Point)
	}
	return total
}

// CutAtGaps splits t where consecutive fixes are more than maxGap apart and
// returns the number of fixes of each piece, in order (nil for no fixes).
func CutAtGaps(t *traj.Trajectory, maxGap time.Duration) []int {
	var sizes []int
	n := 0
	for i := range t.Points {
		if i > 0 && t.Points[i].Time.Sub(t.Points[i-1].Time) > maxGap {
			sizes = append(sizes, n)
			n = 0
		}
		n++
	}
	if n > 0 {
		sizes = append(sizes, n)
	}
	return sizes
}
