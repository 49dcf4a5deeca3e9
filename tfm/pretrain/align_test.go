package pretrain

import (
	"context"
	"math"
	"testing"

	. "github.com/gomlx/gomlx/core/graph"

	"github.com/tfm-course/course/datasets"
	tfm "github.com/tfm-course/course/tfm/model"
)

// CLIPLoss on three trips, the third without its second view: by hand,
// with scale 1 the two valid trips' similarities are [[1, 0], [0, 1]]
// (unit vectors), so each direction's loss is log(e + 1) − 1, and the third
// trip (whose vectors would dominate the softmax) takes no part.
func TestCLIPLossByHand(t *testing.T) {
	za := [][]float32{{2, 0}, {0, 3}, {1, 1}}
	zb := [][]float32{{5, 0}, {0, 1}, {1, 1}}
	valid := []float32{1, 1, 0}
	got := run1(t, func(za, zb, valid *Node) *Node {
		return CLIPLoss(za, zb, valid, Scalar(za.Graph(), za.DType(), 1))
	}, za, zb, valid)
	want := math.Log(math.E+1) - 1
	if math.Abs(got-want) > 1e-5 {
		t.Fatalf("CLIPLoss = %.6f, want %.6f", got, want)
	}
	// Every trip valid: the third joins as query and candidate.
	got3 := run1(t, func(za, zb, valid *Node) *Node {
		return CLIPLoss(za, zb, valid, Scalar(za.Graph(), za.DType(), 1))
	}, za, zb, []float32{1, 1, 1})
	s := 1 / math.Sqrt2 // ⟨e1, (1,1)/√2⟩
	// rows: trip 0 [1, 0, s], trip 1 [0, 1, s], trip 2 [s, s, 1]; the matrix is symmetric, so both directions agree.
	l01 := -(1 - math.Log(math.E+1+math.Exp(s)))
	l2 := -(1 - math.Log(2*math.Exp(s)+math.E))
	if want3 := (2*l01 + l2) / 3; math.Abs(got3-want3) > 1e-5 {
		t.Fatalf("CLIPLoss (all valid) = %.6f, want %.6f", got3, want3)
	}
}

func TestParsePairs(t *testing.T) {
	data, err := datasets.Load("synthetic:seed=2,trajectories=30")
	if err != nil {
		t.Fatal(err)
	}
	opt := tinyOptions("align", "gps+road+text", 1)
	opt.Map = data.Map
	m, _, err := openModel(testBackend(t), data.Trajectories, ModalityNames(opt.Modality), &opt)
	if err != nil {
		t.Fatal(err)
	}
	for spec, want := range map[string][][2]int{"": {{0, 1}, {0, 2}}, "road-text": {{1, 2}}, "text:gps, gps-road": {{0, 2}, {0, 1}}} {
		got, err := ParsePairs(m, spec)
		if err != nil || len(got) != len(want) {
			t.Fatalf("ParsePairs(%q) = %v, %v; want %v", spec, got, err, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("ParsePairs(%q) = %v, want %v", spec, got, want)
			}
		}
	}
	for _, bad := range []string{"gps-gps", "gps-image", "gps", "gps-road,road-gps"} {
		if _, err := ParsePairs(m, bad); err == nil {
			t.Errorf("ParsePairs(%q) accepted", bad)
		}
	}
}

// Alignment pre-training of gps+road+text with gated fusion: the loss falls,
// every term is logged, and each fusion runs (with a view missing too).
func TestAlignLowersLoss(t *testing.T) {
	data, err := datasets.Load("synthetic:seed=2,trajectories=120")
	if err != nil {
		t.Fatal(err)
	}
	opt := tinyOptions("align", "gps+road+text", 40)
	opt.Map, opt.Fusion = data.Map, tfm.FuseGated
	res, err := Train(context.Background(), testBackend(t), data.Dataset, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !(res.LastLoss < 0.8*res.FirstLoss) {
		t.Errorf("align loss %.3f → %.3f, want a fall of 20 %%", res.FirstLoss, res.LastLoss)
	}
	last := res.History[len(res.History)-1].Terms
	for _, k := range []string{"align", "fuse", "tau", "align_gps_road", "align_gps_text", "grad_gps", "grad_road", "grad_text"} {
		if v, ok := last[k]; !ok || math.IsNaN(v) {
			t.Errorf("term %s = %v (logged: %v)", k, v, ok)
		}
	}
	if tau := last["tau"]; !(tau > 0.01 && tau < 1) {
		t.Errorf("τ = %v", tau)
	}
	m := res.Model
	if m.Dim() != m.Primary().Encoder.Dim {
		t.Errorf("gated fusion Dim = %d, want the branches' width %d", m.Dim(), m.Primary().Encoder.Dim)
	}
	trajs := data.Trajectories[:5]
	full, err := m.Embed(trajs)
	if err != nil {
		t.Fatal(err)
	}
	gpsOnly, err := m.Only("gps")
	if err != nil {
		t.Fatal(err)
	}
	part, err := gpsOnly.Embed(trajs)
	if err != nil {
		t.Fatal(err)
	}
	if part.Rows != full.Rows || part.Cols != full.Cols {
		t.Fatalf("gps-only embeddings %d×%d, fused %d×%d", part.Rows, part.Cols, full.Rows, full.Cols)
	}
	// Gated fusion of the GPS view alone is the GPS branch's pooled vector.
	own, err := m.EmbedModality("gps", trajs)
	if err != nil {
		t.Fatal(err)
	}
	for i := range own.Data {
		if d := math.Abs(float64(own.Data[i] - part.Data[i])); d > 1e-4 {
			t.Fatalf("gps-only gated fusion differs from the GPS branch at %d: %v vs %v", i, part.Data[i], own.Data[i])
		}
	}
}
