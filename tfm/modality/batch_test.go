package modality

import (
	"testing"

	"github.com/tfm-course/course/tfm/traj"
)

// Batch.Trajs follows the rows through Check, Concat and PadRows.
func TestBatchTrajs(t *testing.T) {
	a, b := &traj.Trajectory{ID: "a"}, &traj.Trajectory{ID: "b"}
	with := &Batch{Size: 2, Len: 1, Tokens: []int32{4, 5}, Mask: []bool{true, true}, Trajs: []*traj.Trajectory{a, b}}
	without := &Batch{Size: 1, Len: 1, Tokens: []int32{6}, Mask: []bool{true}}
	if err := with.Check(); err != nil {
		t.Fatal(err)
	}
	bad := *with
	bad.Trajs = bad.Trajs[:1]
	if err := bad.Check(); err == nil {
		t.Error("Check accepted 1 trajectory for 2 rows")
	}
	c, err := Concat(without, with)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Trajs) != 3 || c.Trajs[0] != nil || c.Trajs[1] != a || c.Trajs[2] != b {
		t.Errorf("Concat Trajs = %v", c.Trajs)
	}
	if c, _ := Concat(without, without); c.Trajs != nil {
		t.Errorf("Concat of batches without Trajs has %v", c.Trajs)
	}
	if err := with.PadRows(4); err != nil {
		t.Fatal(err)
	}
	if len(with.Trajs) != 4 || with.Trajs[2] != nil || with.Trajs[3] != nil || with.Check() != nil {
		t.Errorf("PadRows Trajs = %v", with.Trajs)
	}
}
