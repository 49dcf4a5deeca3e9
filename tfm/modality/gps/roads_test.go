package gps

import (
	"fmt"
	"slices"
	"testing"

	"github.com/tfm-course/course/tfm/modality"
	"github.com/tfm-course/course/tfm/modality/internal/modtest"
	"github.com/tfm-course/course/tfm/traj"
)

// fitGPS fits the registered gps modality as pre-training does.
func fitGPS(t *testing.T, trajs []*traj.Trajectory, mp any) *Modality {
	t.Helper()
	m, err := modality.Fit("gps", modality.Source{Trajectories: trajs, Map: mp})
	if err != nil {
		t.Fatal(err)
	}
	return m.(*Modality)
}

// On the synthetic city, the road ids of road-aware masking are the
// map-matched segments of the points, and they agree with the segments the
// travellers were truly on (the trips' Path and Entry times) on most points.
func TestRoadRunsMatchedSegments(t *testing.T) {
	city := modtest.City(t, 60)
	trajs := make([]*traj.Trajectory, len(city.Trips))
	for i := range city.Trips {
		trajs[i] = city.Trips[i].Observed
	}
	m := fitGPS(t, trajs, city.Map())
	if got := m.RoadUnits(); got != modality.RoadSegments {
		t.Fatalf("RoadUnits with the city's map = %q, want %q", got, modality.RoadSegments)
	}
	const L = 64
	b, err := m.Batch(trajs, L)
	if err != nil {
		t.Fatal(err)
	}
	agree, points, runs, rows := 0, 0, 0, 0
	for r, tr := range trajs {
		n := rowLength(b, r)
		seg := m.RoadRuns(b, r, 0, n)
		if len(seg) != n {
			t.Fatalf("row %d: %d road ids for %d steps", r, len(seg), n)
		}
		matched := m.MatchedSegments(tr)
		if len(matched) != len(tr.Points) {
			t.Fatalf("row %d: %d matched segments for %d points", r, len(matched), len(tr.Points))
		}
		if !slices.Equal(seg, matched[:n]) { // truncation: step i is point i
			t.Fatalf("row %d: road ids %v, matched segments %v", r, seg, matched[:n])
		}
		truth := modtest.TrueSegments(&city.Trips[r])
		for i := range seg {
			if seg[i] == truth[i] {
				agree++
			}
			points++
		}
		for i := 1; i < n; i++ { // a new run starts where the segment changes
			if seg[i] != seg[i-1] {
				runs++
			}
		}
		rows++
		// RoadRuns of a part of the row is the same part.
		if n > 4 && !slices.Equal(m.RoadRuns(b, r, 2, n-1), seg[2:n-1]) {
			t.Fatalf("row %d: RoadRuns(2, %d) is not seg[2:%d]", r, n-1, n-1)
		}
	}
	share := float64(agree) / float64(points)
	t.Logf("%d points of %d trips: %.3f on their true segment, %.1f segments a trip", points, rows, share, float64(runs+rows)/float64(rows))
	if share < 0.85 {
		t.Errorf("only %.3f of the points matched to their true segment", share)
	}
	if runs < 2*rows {
		t.Errorf("%d segment changes in %d trips: too few for road-aware masking", runs, rows)
	}
}

// Without a road network (or for a batch whose rows' trajectories are
// unknown) the road ids are the stretches between turns of the headings.
func TestRoadRunsFallback(t *testing.T) {
	city := modtest.City(t, 20)
	trajs := city.Dataset().Trajectories
	plain := fitGPS(t, trajs, nil)
	if got := plain.RoadUnits(); got != modality.RoadTurns {
		t.Fatalf("RoadUnits without a map = %q, want %q", got, modality.RoadTurns)
	}
	b, err := plain.Batch(trajs, 48)
	if err != nil {
		t.Fatal(err)
	}
	turns := func(b *modality.Batch, r, n int) []int {
		h := make([]float64, n)
		for i := range h {
			f := b.Features[(r*b.Len+i)*NumFeatures:]
			h[i] = degrees(float64(f[HeadingSin]), float64(f[HeadingCos]))
		}
		return modality.TurnSegments(h, 30)
	}
	withMap := fitGPS(t, trajs, city.Map())
	anon := *b
	anon.Trajs = nil // a batch made elsewhere: no trajectories to match
	differ := 0
	for r := range trajs {
		n := rowLength(b, r)
		want := turns(b, r, n)
		if got := plain.RoadRuns(b, r, 0, n); !slices.Equal(got, want) {
			t.Fatalf("row %d without a map: %v, want the turns %v", r, got, want)
		}
		if got := withMap.RoadRuns(&anon, r, 0, n); !slices.Equal(got, want) {
			t.Fatalf("row %d of a batch without Trajs: %v, want the turns %v", r, got, want)
		}
		if !slices.Equal(withMap.RoadRuns(b, r, 0, n), want) {
			differ++
		}
	}
	if differ == 0 {
		t.Error("with the map every row's road ids are the turn stretches: map matching unused")
	}
	// A map without a road network is no map.
	if got := fitGPS(t, trajs, 42).RoadUnits(); got != modality.RoadTurns {
		t.Errorf("RoadUnits with a map of the wrong type = %q", got)
	}
}

// A restored modality has no map until UseMap gives it back; then it cuts
// exactly as the fitted one. Matching is deterministic: a second modality
// gives the same ids, in any row order.
func TestRoadRunsRestoreAndDeterminism(t *testing.T) {
	city := modtest.City(t, 30)
	trajs := city.Dataset().Trajectories
	m := fitGPS(t, trajs, city.Map())
	state, err := m.State()
	if err != nil {
		t.Fatal(err)
	}
	rm, err := modality.Restore("gps", state)
	if err != nil {
		t.Fatal(err)
	}
	restored := rm.(*Modality)
	if got := restored.RoadUnits(); got != modality.RoadTurns {
		t.Fatalf("restored RoadUnits = %q before UseMap", got)
	}
	if err := restored.UseMap(city.Map()); err != nil {
		t.Fatal(err)
	}
	if err := restored.UseMap(nil); err != nil || restored.RoadUnits() != modality.RoadSegments {
		t.Fatalf("UseMap(nil) after a map: %v, units %q (want the map kept)", err, restored.RoadUnits())
	}
	reversed := slices.Clone(trajs)
	slices.Reverse(reversed)
	b1, err := m.Batch(trajs, 40)
	if err != nil {
		t.Fatal(err)
	}
	b2, err := restored.Batch(reversed, 40)
	if err != nil {
		t.Fatal(err)
	}
	for r := range trajs {
		n := rowLength(b1, r)
		a, c := m.RoadRuns(b1, r, 0, n), restored.RoadRuns(b2, len(trajs)-1-r, 0, n)
		if fmt.Sprint(a) != fmt.Sprint(c) {
			t.Fatalf("trajectory %d: %v fitted, %v restored", r, a, c)
		}
		if again := m.RoadRuns(b1, r, 0, n); !slices.Equal(a, again) {
			t.Fatalf("trajectory %d: %v then %v", r, a, again)
		}
	}
}
