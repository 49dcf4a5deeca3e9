package roadmatch

import (
	"slices"
	"testing"

	"github.com/tfm-course/course/tfm/modality/internal/modtest"
	"github.com/tfm-course/course/tfm/roadnet"
	"github.com/tfm-course/course/tfm/traj"
)

func TestFill(t *testing.T) {
	pts := func(segs ...int) []roadnet.MatchedPoint {
		out := make([]roadnet.MatchedPoint, len(segs))
		for i, s := range segs {
			out[i].Segment = s
		}
		return out
	}
	if got := fill(pts(-1, 4, 4, -1, 7, -1)); !slices.Equal(got, []int32{4, 4, 4, 4, 7, 7}) {
		t.Errorf("fill = %v", got)
	}
	if got := fill(pts(-1, -1)); got != nil {
		t.Errorf("no matched point: %v, want nil", got)
	}
}

// Each trajectory is matched once: a second call is the cached slice; a
// trajectory that changed length is matched again; one off the network
// gives nil; without a road network there is no matcher.
func TestSegmentsCached(t *testing.T) {
	city := modtest.City(t, 6)
	p, err := FromMap(city.Map())
	if err != nil || p == nil {
		t.Fatalf("FromMap: %v, %v", p, err)
	}
	trajs := []*traj.Trajectory{city.Trips[0].Observed.Clone(), city.Trips[1].Observed.Clone(), nil}
	far := &traj.Trajectory{ID: "far", Points: []traj.Point{traj.NewPoint(100, 10, city.Trips[0].Depart)}}
	trajs = append(trajs, far)
	first := p.Segments(trajs)
	if len(first[0]) != len(trajs[0].Points) || len(first[1]) != len(trajs[1].Points) || first[2] != nil || first[3] != nil {
		t.Fatalf("lengths %d %d (points %d %d), nil row %v, far %v", len(first[0]), len(first[1]),
			len(trajs[0].Points), len(trajs[1].Points), first[2], first[3])
	}
	again := p.Segments(trajs[:1])
	if &again[0][0] != &first[0][0] {
		t.Error("second call matched again instead of using the cache")
	}
	trajs[0].Points = trajs[0].Points[:len(trajs[0].Points)/2]
	if got := p.Segments(trajs[:1])[0]; len(got) != len(trajs[0].Points) {
		t.Errorf("shortened trajectory: %d ids for %d points", len(got), len(trajs[0].Points))
	}
	for _, m := range []any{nil, 3, &roadnet.Map{}} {
		if q, err := FromMap(m); q != nil || err != nil {
			t.Errorf("FromMap(%v) = %v, %v; want no matcher", m, q, err)
		}
	}
}
