package model_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/tfm-course/course/tfm/modality"
	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/traj"
)

// closeRows compares rows lo:hi of every row of got with want's rows.
func closeRows(t *testing.T, what string, got tfm.Matrix, lo, hi int, want tfm.Matrix) {
	t.Helper()
	for i := 0; i < got.Rows; i++ {
		g, w := got.Row(i)[lo:hi], want.Row(i)
		for j := range g {
			if math.Abs(float64(g[j]-w[j])) > 1e-4 {
				t.Fatalf("%s: row %d column %d = %v, want %v", what, i, lo+j, g[j], w[j])
			}
		}
	}
}

// Every fusion on a gps+road model: the fused width, and with the road view
// missing (Only) what each strategy promises — concat zeros the road half,
// mean and gated give the GPS vector, cross gives a vector of the primary's
// width; without the GPS view cross fusion is the road vector.
func TestFusionShapesAndMissingViews(t *testing.T) {
	d := testData(t)
	src := modality.Source{Trajectories: d.Trajectories, Map: d.Map}
	trajs := d.Trajectories[:6]
	for _, f := range tfm.Fusions {
		m, err := tfm.Fit(testBackend(t), tinyConfig(t), 1, src, "gps", "road")
		if err != nil {
			t.Fatal(err)
		}
		if err := m.SetFusion(f); err != nil {
			t.Fatal(err)
		}
		wantDim := 16
		if f == tfm.FuseConcat {
			wantDim = 32
		}
		full, err := m.Embed(trajs)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if m.Dim() != wantDim || full.Cols != wantDim {
			t.Fatalf("%s: Dim %d, embeddings %d wide, want %d", f, m.Dim(), full.Cols, wantDim)
		}
		gpsOnly, _ := m.Only("gps")
		part, err := gpsOnly.Embed(trajs)
		if err != nil {
			t.Fatalf("%s, gps only: %v", f, err)
		}
		own, _ := m.EmbedModality("gps", trajs)
		road, _ := m.EmbedModality("road", trajs)
		switch f {
		case tfm.FuseConcat:
			closeRows(t, "concat, gps only: first half", part, 0, 16, own)
			closeRows(t, "concat: second half", full, 16, 32, road)
			for i := 0; i < part.Rows; i++ {
				for _, v := range part.Row(i)[16:] {
					if v != 0 {
						t.Fatalf("concat with the road view missing: road half has %v", v)
					}
				}
			}
		case tfm.FuseMean, tfm.FuseGated:
			closeRows(t, f+", gps only", part, 0, 16, own)
		case tfm.FuseCross:
			roadOnly, _ := m.Only("road")
			r, err := roadOnly.Embed(trajs)
			if err != nil {
				t.Fatal(err)
			}
			closeRows(t, "cross, road only", r, 0, 16, road)
			if slices.Equal(part.Data, full.Data) {
				t.Errorf("cross fusion ignores the road view")
			}
		}
	}
}

// A trip whose road view cannot be made (far outside the city's network)
// is a missing view in a batch of trips that have it: Batches marks it
// Absent, and mean fusion gives it its GPS vector while the others keep
// their fused ones.
func TestMissingViewInABatch(t *testing.T) {
	d := testData(t)
	src := modality.Source{Trajectories: d.Trajectories, Map: d.Map}
	m, err := tfm.Fit(testBackend(t), tinyConfig(t), 1, src, "gps", "road")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SetFusion(tfm.FuseMean); err != nil {
		t.Fatal(err)
	}
	far := *d.Trajectories[0]
	far.ID = "far"
	far.Points = slices.Clone(far.Points)
	for i := range far.Points {
		far.Points[i].Point[0] += 3 // 200 km east: no road to match
	}
	trajs := []*traj.Trajectory{d.Trajectories[1], &far, d.Trajectories[2]}
	bs, err := m.Batches(trajs)
	if err != nil {
		t.Fatal(err)
	}
	if bs[0].Absent != nil || !slices.Equal(bs[1].Absent, []bool{false, true, false}) {
		t.Fatalf("Absent: gps %v, road %v; want nil, [false true false]", bs[0].Absent, bs[1].Absent)
	}
	emb, err := m.Embed(trajs)
	if err != nil {
		t.Fatal(err)
	}
	gps, _ := m.EmbedModality("gps", trajs)
	closeRows(t, "the far trip", tfm.Matrix{Rows: 1, Cols: 16, Data: emb.Row(1)}, 0, 16, tfm.Matrix{Rows: 1, Cols: 16, Data: gps.Row(1)})
	if slices.Equal(emb.Row(0), gps.Row(0)) {
		t.Errorf("a trip with both views embeds as its GPS view alone")
	}
	// A one-branch road model refuses the trip instead.
	one, _ := tfm.Fit(testBackend(t), tinyConfig(t), 1, src, "road")
	if _, err := one.Embed(trajs); err == nil {
		t.Errorf("a road-only model embedded a trip off its network")
	}
}

func TestSetFusionRefuses(t *testing.T) {
	d := testData(t)
	m, err := tfm.Fit(testBackend(t), tinyConfig(t), 1, modality.Source{Trajectories: d.Trajectories, Map: d.Map}, "gps", "road")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SetFusion("attention"); err == nil {
		t.Errorf("SetFusion accepted an unknown fusion")
	}
	if _, err := tfm.FromMeta(m.Backend, tfm.Meta{Fusion: "attention", Modalities: nil}); err == nil || !strings.Contains(err.Error(), "fusion") {
		t.Errorf("a tfm.json with an unknown fusion: err %v", err)
	}
	m.Branches[1].Encoder.Dim = 32
	if err := m.SetFusion(tfm.FuseMean); err == nil {
		t.Errorf("mean fusion of branches of different widths accepted")
	}
}
