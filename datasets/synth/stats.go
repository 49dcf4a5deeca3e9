package synth

import (
	"math"
	"slices"

	"github.com/tfm-course/course/tfm/traj"
)

// ModeStats summarises the trajectories of one transport mode.
type ModeStats struct {
	Mode          string
	Trajectories  int
	Points        int
	MedianSpeed   float64 // m/s, over all steps with elapsed time
	MedianLength  float64 // metres per trajectory
	MedianMinutes float64 // duration per trajectory
}

// StatsByMode summarises a dataset per Trajectory.Mode, modes in the order
// they first appear ("" for unlabelled trajectories).
func StatsByMode(ds *traj.Dataset) []ModeStats {
	var order []string
	speeds := map[string][]float64{}
	lengths := map[string][]float64{}
	minutes := map[string][]float64{}
	points := map[string]int{}
	for _, t := range ds.Trajectories {
		if _, seen := lengths[t.Mode]; !seen {
			order = append(order, t.Mode)
		}
		lengths[t.Mode] = append(lengths[t.Mode], t.Length())
		minutes[t.Mode] = append(minutes[t.Mode], t.Duration().Minutes())
		points[t.Mode] += len(t.Points)
		for _, s := range t.Speeds() {
			if !math.IsNaN(s) {
				speeds[t.Mode] = append(speeds[t.Mode], s)
			}
		}
	}
	out := make([]ModeStats, 0, len(order))
	for _, m := range order {
		out = append(out, ModeStats{Mode: m, Trajectories: len(lengths[m]), Points: points[m],
			MedianSpeed: medianOf(speeds[m]), MedianLength: medianOf(lengths[m]), MedianMinutes: medianOf(minutes[m])})
	}
	return out
}

// medianOf is the median of v (NaN when empty); it sorts v in place.
func medianOf(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}
