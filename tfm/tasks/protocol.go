package tasks

import (
	"fmt"
	"math/rand/v2"

	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/traj"
)

// Split shuffles ts with seed and returns the first (1−testFrac) share as
// train and the rest as test; both are non-empty for len(ts) ≥ 2.
func Split(ts []*traj.Trajectory, testFrac float64, seed uint64) (train, test []*traj.Trajectory, err error) {
	if len(ts) < 2 {
		return nil, nil, fmt.Errorf("tasks: need at least 2 trajectories to split, have %d", len(ts))
	}
	if testFrac <= 0 || testFrac >= 1 {
		return nil, nil, fmt.Errorf("tasks: test fraction %v outside (0, 1)", testFrac)
	}
	idx := rand.New(rand.NewPCG(seed, 0x7e57)).Perm(len(ts))
	nTest := max(1, min(len(ts)-1, int(float64(len(ts))*testFrac+0.5)))
	for n, i := range idx {
		if n < len(ts)-nTest {
			train = append(train, ts[i])
		} else {
			test = append(test, ts[i])
		}
	}
	return train, test, nil
}

// Method names how a task uses an encoder.
type Method string

const (
	// MethodProbe trains a head on frozen embeddings.
	MethodProbe Method = "probe"
	// MethodFinetune trains encoder and head together from the checkpoint.
	MethodFinetune Method = "finetune"
	// MethodScratch trains the same architecture, randomly initialised, on the
	// task only.
	MethodScratch Method = "scratch"
	// MethodBaseline is a classical method with no encoder.
	MethodBaseline Method = "baseline"
)

// filterMinPoints keeps trajectories with at least n points.
func filterMinPoints(ts []*traj.Trajectory, n int) []*traj.Trajectory {
	var out []*traj.Trajectory
	for _, t := range ts {
		if len(t.Points) >= n {
			out = append(out, t)
		}
	}
	return out
}

// methodOf names what training e with cfg amounts to.
func methodOf(m *tfm.Model, cfg FineTuneConfig) Method {
	switch {
	case m.Meta.Paradigm == "": // never pre-trained
		return MethodScratch
	case cfg.Freeze:
		return MethodProbe
	}
	return MethodFinetune
}
