package pretrain

import (
	"math"

	tfm "github.com/tfm-course/course/tfm/model"
)

// StepFLOPs is the counted cost of one training step of opt.Paradigm on m
// at opt.BatchSize B (the convention of encoder.Config.FLOPs: a
// multiply-add is 2 FLOPs, backward = 2 × forward, so a trained row costs
// 3 × its forward pass). Every batch is padded to its encoder's MaxLen.
//
//	contrastive   2B rows through every branch (two views) + the projection head on 2B rows
//	  with MoCo   B rows trained + B rows forward through the key encoder, both heads
//	generative    B rows + the reconstruction head on the M scored steps (addScored)
//	hybrid        3B rows (two views, one masked copy) + both heads
//	causal        B rows
//
// Not counted: the losses' element-wise work (the similarity matrix, the
// softmax over the vocabulary), the causal head (a [D, classes] matmul)
// and the optimiser's update (about 10 FLOPs a parameter).
func StepFLOPs(opt Options, m *tfm.Model) float64 {
	B := float64(opt.BatchSize)
	var row float64 // forward of one row through every branch
	for _, b := range m.Branches {
		row += b.Encoder.FLOPs(b.Encoder.MaxLen).Forward
	}
	const train = 3 // forward + backward
	// ProjectionHead: Dm → Dm → ReLU → P.
	proj := func(rows float64) float64 {
		d, p := float64(m.Dim()), float64(opt.Contrastive.ProjDim)
		return rows * (2*d*d + d + d + 2*d*p + p)
	}
	recon := func() float64 {
		b := m.Primary().Encoder
		L := float64(b.MaxLen)
		ratio := opt.Generative.MaskRatio
		if ratio <= 0 {
			ratio = 0.15
		}
		scored := math.Min(B*L, math.Max(B, math.Ceil(MaxScoredFraction*ratio*B*L)))
		out := 2.0 // gps: (x, y)
		if b.VocabSize > 0 {
			out = float64(b.VocabSize)
		}
		return scored * (2*float64(b.Dim)*out + out)
	}
	switch opt.Paradigm {
	case "contrastive":
		if opt.Contrastive.Queue > 0 {
			return B*(train*row+train*proj(1)) + B*(row+proj(1))
		}
		return train * (2*B*row + proj(2*B))
	case "generative":
		return train * (B*row + recon())
	case "hybrid":
		return train * (3*B*row + proj(2*B) + recon())
	}
	return train * B * row // causal, and a paradigm of one's own: its rows only
}
