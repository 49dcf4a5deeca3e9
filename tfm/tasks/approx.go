package tasks

import (
	"fmt"

	"github.com/tfm-course/course/tfm/distance"
	"github.com/tfm-course/course/tfm/traj"
)

// DistanceMatrix computes the all-pairs classical distance kind between ts
// (geographic, metres) with tfm/distance, as a full n×n row-major matrix.
func DistanceMatrix(ts []*traj.Trajectory, kind distance.Kind) ([]float64, error) {
	ss, err := distance.FromTrajectories(ts)
	if err != nil {
		return nil, err
	}
	v, err := distance.Condensed(ss, distance.Metric{Kind: kind, Geo: true}, distance.Options{})
	if err != nil {
		return nil, err
	}
	return distance.Square(v, len(ts)), nil
}

// ApproximateDistance embeds ts with e and reports how well the embedding
// ranking reproduces the ranking by the classical distance kind (HR@5/10/50
// and R10@50, see DistanceApproximation).
func ApproximateDistance(e Embedder, ts []*traj.Trajectory, kind distance.Kind, metric Metric) (ApproximationMetrics, error) {
	if len(ts) < 3 {
		return ApproximationMetrics{}, fmt.Errorf("tasks: distance approximation needs at least 3 trajectories, have %d", len(ts))
	}
	emb, err := e.Embed(ts)
	if err != nil {
		return ApproximationMetrics{}, err
	}
	d, err := DistanceMatrix(ts, kind)
	if err != nil {
		return ApproximationMetrics{}, err
	}
	n := len(ts)
	return DistanceApproximation(emb, func(i, j int) float64 { return d[i*n+j] }, metric)
}
