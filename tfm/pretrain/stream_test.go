package pretrain

import (
	"context"
	"strings"
	"testing"

	"github.com/tfm-course/course/tfm/traj"
)

// loopSource cycles over trips in order, counting reads.
type loopSource struct {
	trips []*traj.Trajectory
	n     int
}

func (s *loopSource) Next() (*traj.Trajectory, error) {
	t := s.trips[s.n%len(s.trips)]
	s.n++
	return t, nil
}

func TestTrainStream(t *testing.T) {
	ds := toyCity(60, 1)
	o := tinyOptions("contrastive", "gps", 3)
	src := &loopSource{trips: ds.Trajectories}
	o.Stream = src
	res, err := Train(context.Background(), testBackend(t), &traj.Dataset{Name: "fit", Trajectories: ds.Trajectories[:20]}, o)
	if err != nil {
		t.Fatal(err)
	}
	if res.Steps != 3 || src.n < 3*o.BatchSize {
		t.Errorf("steps %d, trips read %d, want 3 and ≥ %d", res.Steps, src.n, 3*o.BatchSize)
	}
	o.GroupBalance = "user"
	if _, err := Train(context.Background(), testBackend(t), ds, o); err == nil || !strings.Contains(err.Error(), "--group-balance") {
		t.Errorf("group balance with a stream: %v, want an error naming --group-balance", err)
	}
}
