package pretrain

import (
	"fmt"
	"math/rand/v2"
	"sort"

	"github.com/tfm-course/course/tfm/fairness"
	"github.com/tfm-course/course/tfm/traj"
)

// Group-balanced sampling (Options.GroupBalance): each batch slot draws a
// group uniformly, then a trajectory of that group, so a group with few
// trips (an under-recorded district, a rare mode) fills as many slots as
// the largest one. Without it a step draws its trajectories uniformly.

// groupMembers splits trajs by their group under key, the groups in sorted
// order; every trajectory must have one.
func groupMembers(trajs []*traj.Trajectory, key string) ([][]*traj.Trajectory, error) {
	groups, err := fairness.GroupsOf(trajs, key)
	if err != nil {
		return nil, fmt.Errorf("pretrain: GroupBalance (--group-balance) %q: %w", key, err)
	}
	by := map[string][]*traj.Trajectory{}
	for i, g := range groups {
		by[g] = append(by[g], trajs[i])
	}
	names := make([]string, 0, len(by))
	for g := range by {
		names = append(names, g)
	}
	sort.Strings(names)
	out := make([][]*traj.Trajectory, len(names))
	for i, g := range names {
		out[i] = by[g]
	}
	return out, nil
}

// sampleBalanced draws k trajectories, each from a group drawn uniformly:
// distinct within a group (partial Fisher–Yates) until the batch has taken
// all of it, then with repetition.
func sampleBalanced(rng *rand.Rand, groups [][]*traj.Trajectory, k int) []*traj.Trajectory {
	perm := make([][]int, len(groups))
	used := make([]int, len(groups))
	out := make([]*traj.Trajectory, k)
	for i := range out {
		g := rng.IntN(len(groups))
		m := groups[g]
		if used[g] == len(m) {
			out[i] = m[rng.IntN(len(m))]
			continue
		}
		if perm[g] == nil {
			perm[g] = make([]int, len(m))
			for j := range perm[g] {
				perm[g][j] = j
			}
		}
		p, u := perm[g], used[g]
		j := u + rng.IntN(len(m)-u)
		p[u], p[j] = p[j], p[u]
		out[i] = m[p[u]]
		used[g]++
	}
	return out
}
