package pretrain

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/tfm-course/course/datasets"
	"github.com/tfm-course/course/tfm/modality"
)

// The road modality on the synthetic city: map-matched segment tokens,
// road-aware masking hides whole roads (runs between turns of the network),
// the generative loss falls, and the checkpoint restores (rebuilding the
// network from its data spec).
func TestRoadModality(t *testing.T) {
	const spec = "synthetic:seed=3,trajectories=80"
	ds, err := datasets.Load(spec)
	if err != nil {
		t.Fatal(err)
	}
	g, err := RoadNetwork(spec)
	if err != nil {
		t.Fatal(err)
	}
	opt := tinyOptions("generative", "road", 40)
	opt.Masking, opt.MaskRatio = "road", 0.3
	opt.Network, opt.MapSource = g, spec
	opt.CheckpointDir = t.TempDir()
	res, err := Train(context.Background(), testBackend(t), ds, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !(res.LastLoss < res.FirstLoss) {
		t.Errorf("road generative loss %.3f → %.3f", res.FirstLoss, res.LastLoss)
	}

	r := res.Model.Modality.(*Road)
	gen := &Generative{M: r, Cfg: res.Model.Encoder, Masker: RoadAwareMask(0.3), Ratio: 0.3}
	b, err := r.Batch(r.Usable(ds.Trajectories[:8]), 32)
	if err != nil {
		t.Fatal(err)
	}
	orig := append([]int32(nil), b.Tokens...)
	lengths := b.Lengths()
	hidden := gen.Mask(rand.New(rand.NewPCG(1, 1)), b)
	for row := 0; row < b.Size; row++ {
		restore := &modality.Batch{Size: b.Size, Len: b.Len, Tokens: orig}
		roads := r.roadSegments(restore, row, 0, lengths[row])
		for _, run := range SegmentRuns(roads) {
			for i := run[0]; i < run[1]; i++ {
				if hidden[row*b.Len+i] != hidden[row*b.Len+run[0]] {
					t.Fatalf("row %d: road %v only partly hidden", row, run)
				}
			}
		}
	}

	m, err := LoadCheckpoint(opt.CheckpointDir)
	if err != nil {
		t.Fatal(err)
	}
	emb, err := m.Embed(r.Usable(ds.Trajectories[:5]))
	if err != nil || len(emb) != 5 {
		t.Fatalf("Embed after restore: %d, %v", len(emb), err)
	}
}

// The text modality: trajectories described in words on the city's map,
// masked-word reconstruction lowers its loss, the checkpoint restores.
func TestTextModality(t *testing.T) {
	const spec = "synthetic:seed=3,trajectories=80"
	ds, err := datasets.Load(spec)
	if err != nil {
		t.Fatal(err)
	}
	opt := tinyOptions("generative", "text", 40)
	opt.MapSource, opt.CheckpointDir = spec, t.TempDir()
	res, err := Train(context.Background(), testBackend(t), ds, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !(res.LastLoss < res.FirstLoss) {
		t.Errorf("text generative loss %.3f → %.3f", res.FirstLoss, res.LastLoss)
	}
	m, err := LoadCheckpoint(opt.CheckpointDir)
	if err != nil {
		t.Fatal(err)
	}
	if m.Modality.Name() != "text" || m.Encoder.VocabSize != res.Model.Encoder.VocabSize {
		t.Fatalf("restored %s with vocab %d, want text with %d", m.Modality.Name(), m.Encoder.VocabSize, res.Model.Encoder.VocabSize)
	}
	if _, err := m.Embed(m.Modality.(*Text).Usable(ds.Trajectories[:4])); err != nil {
		t.Fatal(err)
	}
}
