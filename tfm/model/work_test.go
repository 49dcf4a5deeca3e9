package model_test

import "testing"

// Apply counts the rows it runs, padding included; clones share the count.
func TestWorkCountsRows(t *testing.T) {
	m := fit(t, testBackend(t), 7, "gps")
	m.BatchSize = 16
	trajs := testData(t).Trajectories // 40: two full batches and one padded to 16
	embed(t, m, trajs)
	c, err := m.Clone(1)
	if err != nil {
		t.Fatal(err)
	}
	embed(t, c, trajs[:5]) // one batch of 5
	c.Work.Trained(10)
	if fwd, tr := m.Work.Rows(); fwd != 48+5 || tr != 10 {
		t.Fatalf("rows forward %d trained %d, want 53 and 10", fwd, tr)
	}
	row := m.Primary().Encoder.FLOPs(32).Forward
	if row <= 0 || m.RowFLOPs() != row || m.EncoderFLOPs() != (53+3*10)*row {
		t.Errorf("EncoderFLOPs %g, RowFLOPs %g; want (53 + 3·10) × %g", m.EncoderFLOPs(), m.RowFLOPs(), row)
	}
	if fwd, _ := m.Fresh(2).Work.Rows(); fwd != 0 {
		t.Errorf("a fresh model starts at %d rows", fwd)
	}
}
