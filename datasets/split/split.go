// Package split divides real trajectory data into an "old" and a "new"
// part for continued pre-training: by time (the city before and after a
// date) and by users (users the model has seen and users it has not).
// Inputs are never modified; the parts share the trajectories (no copies).
package split

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/tfm-course/course/tfm/traj"
)

// ByTime puts each trajectory that starts before cut into before, the
// others (starting at or after cut) into after, both in input order. A
// trajectory without points goes to before.
func ByTime(trajs []*traj.Trajectory, cut time.Time) (before, after []*traj.Trajectory) {
	for _, t := range trajs {
		if len(t.Points) > 0 && !t.Start().Before(cut) {
			after = append(after, t)
		} else {
			before = append(before, t)
		}
	}
	return before, after
}

// ByUsers puts the trajectories of a share fraction of the users (rounded,
// chosen at random under seed) into newUsers and the others into oldUsers, in input
// order. A trajectory without UserID is its own user (by ID), as in
// traj.SplitByUser. fraction must be in [0, 1].
func ByUsers(trajs []*traj.Trajectory, fraction float64, seed uint64) (oldUsers, newUsers []*traj.Trajectory, err error) {
	if !(fraction >= 0 && fraction <= 1) {
		return nil, nil, fmt.Errorf("split: ByUsers fraction = %v, want in [0, 1]", fraction)
	}
	users := Users(trajs)
	perm := rand.New(rand.NewPCG(seed, 0x05e75)).Perm(len(users))
	isNew := map[string]bool{}
	for _, i := range perm[:int(math.Round(fraction*float64(len(users))))] {
		isNew[users[i]] = true
	}
	for _, t := range trajs {
		if isNew[userKey(t)] {
			newUsers = append(newUsers, t)
		} else {
			oldUsers = append(oldUsers, t)
		}
	}
	return oldUsers, newUsers, nil
}

// Users lists the distinct user keys of trajs, sorted: the UserID, or
// "t:" and the trajectory ID for a trajectory without one.
func Users(trajs []*traj.Trajectory) []string {
	seen := map[string]bool{}
	var users []string
	for _, t := range trajs {
		if k := userKey(t); !seen[k] {
			seen[k] = true
			users = append(users, k)
		}
	}
	slices.Sort(users)
	return users
}

func userKey(t *traj.Trajectory) string {
	if t.UserID != "" {
		return t.UserID
	}
	return "t:" + t.ID
}

// MonthCut is the first instant of the month (UTC) that splits trajs by
// start time closest to a share frac before it, e.g. 0.5 for the month
// that halves the data; the zero time when trajs has no points.
func MonthCut(trajs []*traj.Trajectory, frac float64) time.Time {
	var starts []time.Time
	for _, t := range trajs {
		if len(t.Points) > 0 {
			starts = append(starts, t.Start().UTC())
		}
	}
	if len(starts) == 0 {
		return time.Time{}
	}
	slices.SortFunc(starts, time.Time.Compare)
	month := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC) }
	best, bestGap := month(starts[0]), math.Inf(1)
	for m := month(starts[0]); !m.After(starts[len(starts)-1]); m = m.AddDate(0, 1, 0) {
		k, _ := slices.BinarySearchFunc(starts, m, time.Time.Compare)
		if gap := math.Abs(float64(k)/float64(len(starts)) - frac); gap < bestGap {
			best, bestGap = m, gap
		}
	}
	return best
}
