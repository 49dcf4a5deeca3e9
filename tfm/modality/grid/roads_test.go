package grid

import (
	"slices"
	"testing"

	"github.com/tfm-course/course/tfm/modality"
	"github.com/tfm-course/course/tfm/modality/internal/modtest"
	"github.com/tfm-course/course/tfm/traj"
)

func fitGrid(t *testing.T, trajs []*traj.Trajectory, mp any) *Modality {
	t.Helper()
	m, err := modality.Fit("grid", modality.Source{Trajectories: trajs, Map: mp})
	if err != nil {
		t.Fatal(err)
	}
	return m.(*Modality)
}

func realSteps(b *modality.Batch, r int) int { return b.Lengths()[r] }

// On the synthetic city each cell step's road id is the segment most of the
// cell's points were map-matched to; [CLS] takes its first cell's, hidden
// ([MASK]) tokens do not change the ids, and the ids agree with the
// travellers' true segments on most cells.
func TestRoadRunsMatchedSegments(t *testing.T) {
	city := modtest.City(t, 60)
	trajs := make([]*traj.Trajectory, len(city.Trips))
	for i := range city.Trips {
		trajs[i] = city.Trips[i].Observed
	}
	m := fitGrid(t, trajs, city.Map())
	if got := m.RoadUnits(); got != modality.RoadSegments {
		t.Fatalf("RoadUnits with the city's map = %q, want %q", got, modality.RoadSegments)
	}
	withCLS := &Modality{V: &Vocab{Grid: m.V.Grid, Options: m.V.Options, Cells: m.V.Cells, Counts: m.V.Counts, ids: m.V.ids}, Roads: m.Roads}
	withCLS.V.Options.CLS = true
	b, err := m.Batch(trajs, 48)
	if err != nil {
		t.Fatal(err)
	}
	bc, err := withCLS.Batch(trajs, 49)
	if err != nil {
		t.Fatal(err)
	}
	onTruth, steps, changes := 0, 0, 0
	for r, tr := range trajs {
		n := realSteps(b, r)
		seg := m.RoadRuns(b, r, 0, n)
		points := m.Matched.Segments([]*traj.Trajectory{tr})[0]
		truth := modtest.TrueSegments(&city.Trips[r])
		ids, first, err := m.V.Tokenize(tr)
		if err != nil || len(ids) < n {
			t.Fatalf("row %d: %d cells for %d steps (%v)", r, len(ids), n, err)
		}
		for i := 0; i < n; i++ {
			to := len(tr.Points)
			if i+1 < len(first) {
				to = first[i+1]
			}
			if want := majority(points[first[i]:to]); seg[i] != want {
				t.Fatalf("row %d step %d: road id %d, the cell's points' segments %v", r, i, seg[i], points[first[i]:to])
			}
			if slices.Contains(truth[first[i]:to], seg[i]) {
				onTruth++
			}
			steps++
			if i > 0 && seg[i] != seg[i-1] {
				changes++
			}
		}
		// With [CLS] the steps shift by one and [CLS] takes the first cell's id.
		nc := realSteps(bc, r)
		if got := withCLS.RoadRuns(bc, r, 1, nc); !slices.Equal(got, seg) {
			t.Fatalf("row %d with [CLS]: %v, want %v", r, got, seg)
		}
		if got := withCLS.RoadRuns(bc, r, 0, nc); got[0] != seg[0] || !slices.Equal(got[1:], seg) {
			t.Fatalf("row %d from [CLS]: %v, want %d then %v", r, got, seg[0], seg)
		}
		// Hiding tokens does not change the ids.
		for i := 0; i < n; i += 3 {
			b.Tokens[r*b.Len+i] = modality.MASK
		}
		if got := m.RoadRuns(b, r, 0, n); !slices.Equal(got, seg) {
			t.Fatalf("row %d after masking: %v, want %v", r, got, seg)
		}
	}
	share := float64(onTruth) / float64(steps)
	t.Logf("%d cell steps of %d trips: %.3f on a segment one of the cell's points truly was on; %d segment changes", steps, len(trajs), share, changes)
	if share < 0.9 {
		t.Errorf("only %.3f of the cells' road ids are a true segment of the cell", share)
	}
	if changes < len(trajs) {
		t.Errorf("%d segment changes in %d trips", changes, len(trajs))
	}
}

// Without a road network, or for rows the trajectories do not make, the
// path is cut at turns of the cell-centre bearings.
func TestRoadRunsFallback(t *testing.T) {
	city := modtest.City(t, 20)
	trajs := city.Dataset().Trajectories
	plain := fitGrid(t, trajs, nil)
	if got := plain.RoadUnits(); got != modality.RoadTurns {
		t.Fatalf("RoadUnits without a map = %q, want %q", got, modality.RoadTurns)
	}
	withMap := fitGrid(t, trajs, city.Map())
	b, err := plain.Batch(trajs, 40)
	if err != nil {
		t.Fatal(err)
	}
	other := *b
	other.Trajs = slices.Clone(b.Trajs)
	slices.Reverse(other.Trajs) // rows and trajectories no longer agree
	differ := 0
	for r := range trajs {
		n := realSteps(b, r)
		want := plain.RoadRuns(b, r, 0, n)
		if len(want) != n {
			t.Fatalf("row %d: %d ids for %d steps", r, len(want), n)
		}
		if trajs[r] != other.Trajs[r] {
			if got := withMap.RoadRuns(&other, r, 0, n); !slices.Equal(got, want) {
				t.Fatalf("row %d with another row's trajectory: %v, want the turns %v", r, got, want)
			}
		}
		if !slices.Equal(withMap.RoadRuns(b, r, 0, n), want) {
			differ++
		}
	}
	if differ == 0 {
		t.Error("with the map every row's road ids are the turn stretches: map matching unused")
	}
}
