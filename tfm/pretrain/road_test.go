package pretrain

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tfm-course/course/datasets"
	"github.com/tfm-course/course/tfm/modality"
	"github.com/tfm-course/course/tfm/modality/road"
	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/traj"
)

// sameEmbeddings compares the embeddings of trajs by two models.
func sameEmbeddings(t *testing.T, a, b *tfm.Model, trajs []*traj.Trajectory) {
	t.Helper()
	ea, err := a.Embed(trajs)
	if err != nil {
		t.Fatal(err)
	}
	eb, err := b.Embed(trajs)
	if err != nil {
		t.Fatal(err)
	}
	if ea.Rows != len(trajs) || eb.Rows != ea.Rows || eb.Cols != ea.Cols {
		t.Fatalf("embeddings %d×%d and %d×%d of %d trajectories", ea.Rows, ea.Cols, eb.Rows, eb.Cols, len(trajs))
	}
	for i := range ea.Data {
		if d := math.Abs(float64(ea.Data[i] - eb.Data[i])); d > 1e-4 {
			t.Fatalf("embedding row %d column %d: %v trained vs %v reloaded", i/ea.Cols, i%ea.Cols, ea.Data[i], eb.Data[i])
		}
	}
}

// The road modality on the synthetic city: map-matched segment tokens,
// road-aware masking hides whole roads (runs between turns of the network),
// the generative loss falls, and the checkpoint reloads without the data set
// (the road network travels in the modality's state) and embeds as the
// trained model does.
func TestRoadModality(t *testing.T) {
	data, err := datasets.Load("synthetic:seed=3,trajectories=80")
	if err != nil {
		t.Fatal(err)
	}
	if data.Map == nil || data.Map.Network == nil {
		t.Fatal("the synthetic city has no road network")
	}
	opt := tinyOptions("generative", "road", 40)
	opt.Generative.Masking, opt.Generative.MaskRatio = "road", 0.3
	opt.Map = data.Map
	opt.CheckpointDir = t.TempDir()
	res, err := Train(context.Background(), testBackend(t), data.Dataset, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !(res.LastLoss < res.FirstLoss) {
		t.Errorf("road generative loss %.3f → %.3f", res.FirstLoss, res.LastLoss)
	}

	r, ok := res.Model.Primary().Modality.(*road.Modality)
	if !ok {
		t.Fatalf("trained modality is %T, want *road.Modality", res.Model.Primary().Modality)
	}
	gen, err := NewGenerative(res.Model, GenerativeConfig{Masking: "road", MaskRatio: 0.3})
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.Batch(r.Usable(data.Trajectories[:8]), 32)
	if err != nil {
		t.Fatal(err)
	}
	orig := append([]int32(nil), b.Tokens...)
	lengths := b.Lengths()
	hidden := gen.Mask(rand.New(rand.NewPCG(1, 1)), b)
	masked := 0
	for row := 0; row < b.Size; row++ {
		start := 0
		if orig[row*b.Len] == modality.CLS { // Mask never hides [CLS]
			start = 1
		}
		if hidden[row*b.Len] && start == 1 {
			t.Fatalf("row %d: [CLS] hidden", row)
		}
		restore := &modality.Batch{Size: b.Size, Len: b.Len, Tokens: orig}
		roads := r.RoadRuns(restore, row, start, lengths[row])
		for _, run := range SegmentRuns(roads) {
			for i := start + run[0]; i < start+run[1]; i++ {
				if hidden[row*b.Len+i] != hidden[row*b.Len+start+run[0]] {
					t.Fatalf("row %d: road %v only partly hidden", row, run)
				}
				if hidden[row*b.Len+i] {
					masked++
				}
			}
		}
	}
	if masked == 0 {
		t.Fatal("road-aware masking hid nothing")
	}

	// Reload from the directory alone: no Map, no data set.
	m, err := tfm.Load(opt.CheckpointDir)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Modalities(); len(got) != 1 || got[0] != "road" || m.Meta.Paradigm != "generative" {
		t.Fatalf("reloaded a %s model of %v, want generative over [road]", m.Meta.Paradigm, got)
	}
	rr, ok := m.Primary().Modality.(*road.Modality)
	if !ok || len(rr.G.Segments) != len(r.G.Segments) || rr.V.Size() != r.V.Size() {
		t.Fatalf("reloaded road modality %T does not have the trained network and vocabulary", m.Primary().Modality)
	}
	trajs := Usable(m, data.Trajectories[:10])
	if len(trajs) < 3 {
		t.Fatalf("only %d of 10 trajectories map-match after reload", len(trajs))
	}
	sameEmbeddings(t, res.Model, m, trajs)
}

// The text modality: trajectories described in words on the city's map,
// masked-word reconstruction lowers its loss, the checkpoint reloads
// without the data set and embeds.
func TestTextModality(t *testing.T) {
	data, err := datasets.Load("synthetic:seed=3,trajectories=80")
	if err != nil {
		t.Fatal(err)
	}
	opt := tinyOptions("generative", "text", 40)
	opt.Map, opt.CheckpointDir = data.Map, t.TempDir()
	res, err := Train(context.Background(), testBackend(t), data.Dataset, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !(res.LastLoss < res.FirstLoss) {
		t.Errorf("text generative loss %.3f → %.3f", res.FirstLoss, res.LastLoss)
	}
	m, err := tfm.Load(opt.CheckpointDir)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := m.Primary().Encoder.VocabSize, res.Model.Primary().Encoder.VocabSize; m.Primary().Modality.Name() != "text" || got != want {
		t.Fatalf("restored %s with vocab %d, want text with %d", m.Primary().Modality.Name(), got, want)
	}
	trajs := Usable(m, data.Trajectories[:6])
	if len(trajs) == 0 {
		t.Fatal("no trajectory can be described after reload")
	}
	sameEmbeddings(t, res.Model, m, trajs)
}
