package grid

import (
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"github.com/tfm-course/course/tfm/modality"
	"github.com/tfm-course/course/tfm/traj"
)

// Growing on a trajectory through new cells appends them after the old
// ones (old ids unchanged), a point outside the fitted grid stays [UNK], and
// the grown modality survives State/Restore.
func TestGrowAppendsNewCells(t *testing.T) {
	g := metricGrid(t)
	a := fromMetres(g, "a", orb.Point{100, 100}, orb.Point{1100, 100})                         // (0,0) (1,0)
	b := fromMetres(g, "b", orb.Point{100, 100}, orb.Point{2500, 2500}, orb.Point{3500, 2500}) // (0,0) (2,2) (3,2)
	outside := fromMetres(g, "out", orb.Point{1100, 100}, orb.Point{-5000, -5000})             // (1,0), outside
	v, err := Build(g, []*traj.Trajectory{a}, Options{MinCount: 1, SkipOutside: true})
	if err != nil {
		t.Fatal(err)
	}
	m := &Modality{V: v}
	grown, added, err := m.Grow(modality.Source{Trajectories: []*traj.Trajectory{a, b, outside}})
	if err != nil {
		t.Fatal(err)
	}
	gv := grown.(*Modality).V
	if added != 2 || gv.Size() != v.Size()+2 || !slices.Equal(gv.Cells[:len(v.Cells)], v.Cells) {
		t.Fatalf("grown by %d to cells %v, want the old %v then (2,2) (3,2)", added, gv.Cells, v.Cells)
	}
	if gv.Cells[2] != (Cell{2, 2}) || gv.Cells[3] != (Cell{3, 2}) { // count tie: by y then x
		t.Errorf("appended cells %v", gv.Cells[2:])
	}
	ids, _, err := gv.Tokenize(b)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int32{v.Token(Cell{0, 0}), int32(v.Size()), int32(v.Size() + 1)}; !slices.Equal(ids, want) {
		t.Errorf("grown tokens of b %v, want %v", ids, want)
	}
	if old, _, _ := v.Tokenize(b); old[1] != modality.UNK || m.V.Size() != v.Size() {
		t.Errorf("the old vocabulary changed: tokens %v", old)
	}
	st, err := grown.State()
	if err != nil {
		t.Fatal(err)
	}
	r, err := modality.Restore("grid", st)
	if err != nil {
		t.Fatal(err)
	}
	if rv := r.(*Modality).V; !slices.Equal(rv.Cells, gv.Cells) || !slices.Equal(rv.Counts, gv.Counts) {
		t.Errorf("restored cells %v counts %v, want %v %v", rv.Cells, rv.Counts, gv.Cells, gv.Counts)
	}
}
