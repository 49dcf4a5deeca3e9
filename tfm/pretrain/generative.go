package pretrain

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/tfm-course/course/tfm/encoder"
	"github.com/tfm-course/course/tfm/modality"
	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/traj"
)

// Generative is masked reconstruction (BERT for trajectories, as in
// TrajBERT / START): hide some steps, encode the corrupted sequence, and
// reconstruct what was hidden from the hidden states h_i of those steps:
//
//	token modalities:  L = −mean_{i∈M} log softmax(W·h_i)[token_i]        (cross-entropy)
//	gps:               L = mean_{i∈M} |W·h_i − (x_i, y_i)|²                (normalised units)
//
// and for gps the error is also logged in metres (rmse_m). Hidden tokens are
// replaced by [MASK]; hidden GPS points have all features zeroed (= the
// dataset mean), keeping their timestamps.
type Generative struct {
	M      *tfm.Model
	Cfg    GenerativeConfig
	Masker Masker
	branch *tfm.Branch
}

// GenerativeConfig configures masked reconstruction.
type GenerativeConfig struct {
	Masking   string  // random | span | road (MaskerByName)
	MaskRatio float64 // expected fraction of hidden steps (also sizes the scored list)
}

// DefaultGenerativeConfig is BERT's 15 % random masking.
func DefaultGenerativeConfig() GenerativeConfig {
	return GenerativeConfig{Masking: "random", MaskRatio: 0.15}
}

// NewGenerative builds the objective over the one modality of m.
func NewGenerative(m *tfm.Model, cfg GenerativeConfig) (*Generative, error) {
	b, err := singleBranch(m, "generative")
	if err != nil {
		return nil, err
	}
	if b.Encoder.Arch == encoder.CNN {
		return nil, fmt.Errorf("generative pre-training reconstructs sequence steps; the %s modality has no steps (use contrastive or causal)", b.Modality.Name())
	}
	mk, err := MaskerByName(cfg.Masking, cfg.MaskRatio)
	if err != nil {
		return nil, err
	}
	return &Generative{M: m, Cfg: cfg, Masker: mk, branch: b}, nil
}

func (g *Generative) Name() string { return "generative" }
func (g *Generative) Terms() []string {
	if g.tokens() {
		return []string{"gen", "accuracy"}
	}
	return []string{"gen", "rmse_m"}
}

func (g *Generative) tokens() bool { return g.branch.Encoder.VocabSize > 0 }

// Mask hides steps of b in place (per row, with the Masker) and returns the
// hidden-step mask [B*L].
func (g *Generative) Mask(rng *rand.Rand, b *modality.Batch) []bool {
	hidden := make([]bool, b.Size*b.Len)
	lengths := b.Lengths()
	for r := 0; r < b.Size; r++ {
		n := lengths[r]
		if n == 0 {
			continue
		}
		start := 0
		if b.Tokens != nil && b.Tokens[r*b.Len] == modality.CLS { // never hide [CLS]
			start = 1
		}
		if n-start <= 0 {
			continue
		}
		m := g.Masker(rng, n-start, Segments(g.branch.Modality, b, r, start, n))
		for i, h := range m {
			if !h {
				continue
			}
			k := r*b.Len + start + i
			hidden[k] = true
			if b.Tokens != nil {
				b.Tokens[k] = modality.MASK
			}
			if b.Features != nil {
				clear(b.Features[k*b.NumFeatures : (k+1)*b.NumFeatures])
			}
		}
	}
	return hidden
}

func (g *Generative) Inputs(rng *rand.Rand, trajs []*traj.Trajectory) (tfm.Feed, error) {
	b, err := g.branch.Modality.Batch(trajs, g.branch.Encoder.MaxLen)
	if err != nil {
		return nil, err
	}
	target := g.targets(b)
	hidden := g.Mask(rng, b)
	f, err := g.M.Feed(b)
	if err != nil {
		return nil, err
	}
	g.addScored(f, rng, target, hidden, b.Size, b.Len)
	return f, nil
}

// MaxScoredFraction sizes the static list of scored positions: up to
// ⌈1.25·ratio·B·L⌉ (and at least B) hidden steps are scored per batch.
const MaxScoredFraction = 1.25

// scored gathers the hidden steps' flat positions and targets into fixed-size
// lists (padding has weight 0), so the reconstruction head runs on about
// ratio·B·L rows instead of all B·L — for a 4096-token vocabulary the head
// and its cross-entropy dominate the step otherwise.
// It adds "target" ([M] or [M, 2]), "positions" ([M] int32) and "weights"
// ([M] float32) to the feed.
func (g *Generative) addScored(f tfm.Feed, rng *rand.Rand, target *tensors.Tensor, hidden []bool, B, L int) {
	ratio := g.Cfg.MaskRatio
	if ratio <= 0 {
		ratio = 0.15
	}
	M := min(B*L, max(B, int(math.Ceil(MaxScoredFraction*ratio*float64(B*L)))))
	var pos []int32
	for k, h := range hidden {
		if h {
			pos = append(pos, int32(k))
		}
	}
	if len(pos) > M { // keep a random M of them (the rest stay hidden, unscored)
		rng.Shuffle(len(pos), func(i, j int) { pos[i], pos[j] = pos[j], pos[i] })
		pos = pos[:M]
	}
	w := make([]float32, M)
	for i := range pos {
		w[i] = 1
	}
	positions := make([]int32, M)
	copy(positions, pos)
	var t *tensors.Tensor
	if g.tokens() {
		all := tensors.MustCopyFlatData[int32](target)
		tt := make([]int32, M)
		for i, p := range positions {
			tt[i] = all[p]
		}
		t = tensors.FromFlatDataAndDimensions(tt, M)
	} else {
		all := tensors.MustCopyFlatData[float32](target)
		tt := make([]float32, 2*M)
		for i, p := range positions {
			tt[2*i], tt[2*i+1] = all[2*p], all[2*p+1]
		}
		t = tensors.FromFlatDataAndDimensions(tt, M, 2)
	}
	f["target"], f["positions"], f["weights"] = t, tensors.FromFlatDataAndDimensions(positions, M), tensors.FromFlatDataAndDimensions(w, M)
}

// targets copies what reconstruction must recover, before masking.
func (g *Generative) targets(b *modality.Batch) *tensors.Tensor {
	if g.tokens() {
		return tensors.FromFlatDataAndDimensions(append([]int32(nil), b.Tokens...), b.Size, b.Len)
	}
	xc, yc := g.coordColumns()
	xy := make([]float32, b.Size*b.Len*2)
	for k := 0; k < b.Size*b.Len; k++ {
		xy[2*k] = b.Features[k*b.NumFeatures+xc]
		xy[2*k+1] = b.Features[k*b.NumFeatures+yc]
	}
	return tensors.FromFlatDataAndDimensions(xy, b.Size, b.Len, 2)
}

func (g *Generative) coordColumns() (int, int) {
	if c, ok := g.branch.Modality.(modality.Coordinates); ok {
		return c.CoordColumns()
	}
	return 0, 1
}

func (g *Generative) Loss(scope *model.Scope, in tfm.Nodes) (*Node, []*Node) {
	out := g.branch.Encode(scope, in)
	return g.loss(scope, out.Hidden, in["target"], in["positions"], in["weights"])
}

// loss applies the reconstruction head to the scored rows of hidden
// [B, L, D]: positions [M] (flat b·L+i), targets [M] or [M, 2], weights [M].
func (g *Generative) loss(scope *model.Scope, hidden, target, positions, weights *Node) (*Node, []*Node) {
	s := scope.At("reconstruction")
	D := hidden.Shape().Dim(-1)
	h := Gather(Reshape(hidden, -1, D), ExpandAxes(positions, -1)) // [M, D]
	mask := GreaterThan(weights, ZerosLike(weights))
	if g.tokens() {
		logits := layers.DenseWithBias(s.In("tokens"), h, g.branch.Encoder.VocabSize) // [M, V]
		loss := maskedMean(crossEntropy(logits, target), mask)
		hit := ConvertDType(Equal(ConvertDType(ArgMax(logits, -1), dtypes.Int32), target), dtypes.Float32)
		return loss, []*Node{loss, maskedMean(hit, mask)}
	}
	pred := layers.DenseWithBias(s.In("coords"), h, 2) // [M, 2]
	loss := maskedMean(ReduceSum(Square(Sub(pred, target)), -1), mask)
	sx, sy := 1.0, 1.0
	if c, ok := g.branch.Modality.(modality.Coordinates); ok {
		sx, sy = c.MetresPerUnit()
	}
	scale := Reshape(Const(hidden.Graph(), []float32{float32(sx), float32(sy)}), 1, 2)
	metres := Mul(Sub(pred, target), scale)
	rmse := Sqrt(maskedMean(ReduceSum(Square(metres), -1), mask))
	return loss, []*Node{loss, rmse}
}

// Segments returns a road id per real step start..n-1 of row r, for
// road-aware masking: modalities that know roads (modality.Roads) give
// theirs — gps and grid fitted with a road network the map-matched segment
// of each step (a unit ends at an intersection), without one the stretches
// between turns of more than 30° of the path; the road modality joins its
// segment tokens where the network goes straight on. Others give every step
// a road of its own. RoadMasking says which.
func Segments(m modality.Modality, b *modality.Batch, r, start, n int) []int {
	if rr, ok := m.(modality.Roads); ok {
		return rr.RoadRuns(b, r, start, n)
	}
	seg := make([]int, n-start)
	for i := range seg {
		seg[i] = i
	}
	return seg
}
