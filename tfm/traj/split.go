package traj

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// Splits is a train/validation/test partition of a dataset.
type Splits struct {
	Train, Val, Test *Dataset
}

// splitCounts turns fractions into counts that sum to n.
func splitCounts(n int, valFrac, testFrac float64) (nVal, nTest int, err error) {
	if valFrac < 0 || testFrac < 0 || valFrac+testFrac > 1 || math.IsNaN(valFrac+testFrac) {
		return 0, 0, fmt.Errorf("split fractions val=%v test=%v: want each >= 0 and a sum <= 1", valFrac, testFrac)
	}
	nTest = int(math.Round(float64(n) * testFrac))
	nVal = int(math.Round(float64(n) * valFrac))
	if nVal+nTest > n {
		nVal = n - nTest
	}
	return nVal, nTest, nil
}

// SplitByTrajectory shuffles the trajectories under seed and puts
// round(n·testFrac) in Test, round(n·valFrac) in Val and the rest in
// Train (each keeping the input order). The same seed and input give the
// same split. A user may appear in several parts; see SplitByUser.
func SplitByTrajectory(ds *Dataset, valFrac, testFrac float64, seed uint64) (Splits, error) {
	n := len(ds.Trajectories)
	nVal, nTest, err := splitCounts(n, valFrac, testFrac)
	if err != nil {
		return Splits{}, err
	}
	perm := rand.New(rand.NewPCG(seed, 0x5eed)).Perm(n)
	part := make([]int, n) // 0 train, 1 val, 2 test
	for k, i := range perm {
		switch {
		case k < nTest:
			part[i] = 2
		case k < nTest+nVal:
			part[i] = 1
		}
	}
	return assemble(ds, func(i int) int { return part[i] }), nil
}

// SplitByUser assigns whole users to the parts, so no user of Test or Val
// is seen in Train: users (sorted, then shuffled under seed) are split by
// the fractions of users. A trajectory without a user id counts as its
// own user.
func SplitByUser(ds *Dataset, valFrac, testFrac float64, seed uint64) (Splits, error) {
	key := func(t *Trajectory) string {
		if t.UserID != "" {
			return "u:" + t.UserID
		}
		return "t:" + t.ID
	}
	seen := map[string]bool{}
	var users []string
	for _, t := range ds.Trajectories {
		if k := key(t); !seen[k] {
			seen[k] = true
			users = append(users, k)
		}
	}
	sort.Strings(users)
	nVal, nTest, err := splitCounts(len(users), valFrac, testFrac)
	if err != nil {
		return Splits{}, err
	}
	perm := rand.New(rand.NewPCG(seed, 0x5eed)).Perm(len(users))
	part := map[string]int{}
	for k, i := range perm {
		switch {
		case k < nTest:
			part[users[i]] = 2
		case k < nTest+nVal:
			part[users[i]] = 1
		default:
			part[users[i]] = 0
		}
	}
	return assemble(ds, func(i int) int { return part[key(ds.Trajectories[i])] }), nil
}

func assemble(ds *Dataset, partOf func(i int) int) Splits {
	s := Splits{Train: &Dataset{Name: ds.Name + "/train"}, Val: &Dataset{Name: ds.Name + "/val"}, Test: &Dataset{Name: ds.Name + "/test"}}
	dst := []*Dataset{s.Train, s.Val, s.Test}
	for i, t := range ds.Trajectories {
		d := dst[partOf(i)]
		d.Trajectories = append(d.Trajectories, t)
	}
	return s
}
