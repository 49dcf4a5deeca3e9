package interpret

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"

	"github.com/tfm-course/course/tfm/traj"
)

// Occlusion attributes a scalar prediction (e.g. a fine-tuned TTE model's
// travel time, tasks.FineTuned.PredictRegression on a route input) to the
// points of t by occluding them one window at a time:
//
//	S_i  = {i−⌊(w−1)/2⌋, …, i+⌈(w−1)/2⌉} ∩ {1, …, n−2}    (the endpoints are never occluded)
//	t∖S_i: each point of S_i moved onto the straight line between the kept
//	       points either side of S_i, at its time's fraction of the gap
//	       (its index's fraction when they share a time); times unchanged
//	a_i  = f(t) − f(t∖S_i)
//
// Replacing a point by the interpolation of its neighbours, rather than
// deleting it, keeps the length of the sequence and the timing the model
// was trained on: what is removed is the information in the detour. a_i > 0
// means point i raised the prediction. With w = 1 the endpoints get 0. One
// call of predict scores t and its n occluded copies.
func Occlusion(predict func([]*traj.Trajectory) ([]float64, error), t *traj.Trajectory, window int) (PointWeights, error) {
	if t == nil || len(t.Points) < 3 {
		return PointWeights{}, fmt.Errorf("interpret: occlusion needs a trajectory of at least 3 points")
	}
	n := len(t.Points)
	if window < 1 || window > n-2 {
		return PointWeights{}, fmt.Errorf("interpret: occlusion window %d for trajectory %q of %d points: want 1…%d", window, t.ID, n, n-2)
	}
	batch := []*traj.Trajectory{t}
	for i := range n {
		lo := max(1, i-(window-1)/2)
		hi := min(n-2, i+window/2)
		batch = append(batch, occlude(t, lo, hi))
	}
	y, err := predict(batch)
	if err != nil {
		return PointWeights{}, fmt.Errorf("interpret: occlusion of trajectory %q: %w", t.ID, err)
	}
	if len(y) != len(batch) {
		return PointWeights{}, fmt.Errorf("interpret: predict returned %d values for %d trajectories", len(y), len(batch))
	}
	pw := PointWeights{Trajectory: t, Points: make([]orb.Point, n), Weights: make([]float64, n)}
	for i := range n {
		pw.Points[i] = t.Points[i].Point
		pw.Weights[i] = y[0] - y[1+i]
	}
	return pw, nil
}

// occlude copies t with points lo…hi (lo ≤ hi, inside the endpoints) moved
// onto the line from point lo−1 to point hi+1; lo > hi leaves t as it is.
func occlude(t *traj.Trajectory, lo, hi int) *traj.Trajectory {
	c := *t
	c.Points = append([]traj.Point(nil), t.Points...)
	if lo > hi {
		return &c
	}
	a, b := t.Points[lo-1], t.Points[hi+1]
	gap := b.Time.Sub(a.Time).Seconds()
	for k := lo; k <= hi; k++ {
		f := float64(k-lo+1) / float64(hi-lo+2)
		if gap > 0 {
			f = math.Max(0, math.Min(1, t.Points[k].Time.Sub(a.Time).Seconds()/gap))
		}
		c.Points[k].Point = orb.Point{a.Point[0] + f*(b.Point[0]-a.Point[0]), a.Point[1] + f*(b.Point[1]-a.Point[1])}
	}
	return &c
}
