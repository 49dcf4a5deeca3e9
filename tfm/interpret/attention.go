// Package interpret shows what a trajectory model looks at and what its
// embedding encodes: attention rollout over a trip's points (Attention),
// per-point occlusion attributions of any scalar prediction such as a
// fine-tuned travel-time model's (Occlusion), both drawn on the map
// (Figure), and linear probes of the frozen embedding (Probes, ProbeTable).
package interpret

import (
	"fmt"

	"github.com/gomlx/gomlx/core/graph"
	mlmodel "github.com/gomlx/gomlx/ml/model"
	"github.com/paulmach/orb"

	"github.com/tfm-course/course/tfm/encoder"
	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/traj"
)

// PointWeights is one weight per point of a trajectory as a model saw it.
type PointWeights struct {
	Trajectory *traj.Trajectory
	// Points are the locations of the encoder steps that have one, after
	// the modality's featurisation and truncation: the sampled GPS fixes
	// (gps), the cell centres (grid), the segment midpoints (road).
	Points  []orb.Point
	Weights []float64 // one per point (Attention: ≥ 0, summing to 1)
	// Steps is the encoder position of each point (Layers' index; [CLS]
	// of cls pooling is position 0). Nil for Occlusion.
	Steps []int
	// Layers are the raw maps for the curious: each layer's attention
	// averaged over heads among the real positions (row = query, column =
	// key, rows sum to 1). Nil for Occlusion.
	Layers [][][]float64
}

// Attention returns, for each trajectory, one weight per point: how much
// the pooled representation attends to it, by attention rollout (Abnar &
// Zuidema 2020) through the primary branch's Transformer:
//
//	Ā_ℓ = ½·mean_h A_ℓ,h + ½·I        (the residual stream as a half-weight self-edge)
//	R   = Ā_L ··· Ā_2·Ā_1              (row i: how much position i draws on each input)
//	w   = R[CLS, points]                (cls pooling: the [CLS] row, its own column left out)
//	w   = mean over real queries q of R[q, ·]   (mean pooling)
//
// Padded positions are left out (they carry no attention), steps without a
// location (a vocabulary's own [CLS] token) are dropped, and the weights are
// renormalised to sum to 1. It needs the Transformer encoder with attn=core.
func Attention(m *tfm.Model, ts []*traj.Trajectory) ([]PointWeights, error) {
	if len(ts) == 0 {
		return nil, fmt.Errorf("interpret: no trajectories")
	}
	b := m.Primary()
	cfg := b.Encoder
	if cfg.Arch != encoder.Transformer || cfg.Attention != encoder.AttentionCore {
		return nil, fmt.Errorf("interpret: attention maps need the transformer encoder with attn=core (model %q has arch=%s attn=%s)", m.Name, cfg.Arch, cfg.Attention)
	}
	batch, err := b.Modality.Batch(ts, cfg.MaxLen)
	if err != nil {
		return nil, fmt.Errorf("interpret: %s modality: %w", b.Modality.Name(), err)
	}
	cls := 0
	if cfg.Pooling == encoder.PoolCLS {
		cls = 1
	}
	L := batch.Len + cls
	perRow := cfg.Layers * cfg.Heads * L * L
	exec := tfm.NewExec(m.Backend, m.Store, func(scope *mlmodel.Scope, in tfm.Nodes) *graph.Node {
		return graph.Stack(b.Encode(scope, in).Attention, 1) // [B, layers, H, L', L']
	})
	raw, err := m.Apply(exec, ts, perRow)
	if err != nil {
		return nil, fmt.Errorf("interpret: attention of model %q: %w", m.Name, err)
	}
	out := make([]PointWeights, len(ts))
	for r, t := range ts {
		locs, err := stepPoints(b, batch, r, t)
		if err != nil {
			return nil, err
		}
		n := 0 // real steps of row r
		for i := range batch.Len {
			if batch.Mask[r*batch.Len+i] {
				n++
			}
		}
		valid := n + cls
		maps := make([][][]float64, cfg.Layers)
		for l := range maps {
			maps[l] = headMean(raw[r*perRow+l*cfg.Heads*L*L:][:cfg.Heads*L*L], cfg.Heads, L, valid)
		}
		steps := Rollout(maps, cls == 1)
		pw := PointWeights{Trajectory: t, Layers: maps}
		var sum float64
		for i, p := range locs[:n] {
			if p == nil {
				continue
			}
			pw.Points = append(pw.Points, *p)
			pw.Weights = append(pw.Weights, steps[i])
			pw.Steps = append(pw.Steps, i+cls)
			sum += steps[i]
		}
		if len(pw.Points) == 0 || sum <= 0 {
			return nil, fmt.Errorf("interpret: trajectory %q has no located step to weigh", t.ID)
		}
		for i := range pw.Weights {
			pw.Weights[i] /= sum
		}
		out[r] = pw
	}
	return out, nil
}

// headMean averages a [H, L, L] block over heads, keeping the first valid
// rows and columns.
func headMean(a []float32, heads, L, valid int) [][]float64 {
	out := make([][]float64, valid)
	for q := range out {
		out[q] = make([]float64, valid)
		for k := range valid {
			var s float64
			for h := range heads {
				s += float64(a[(h*L+q)*L+k])
			}
			out[q][k] = s / float64(heads)
		}
	}
	return out
}

// Rollout is attention rollout over head-averaged maps (layer 1 first, each
// n×n over the real positions): R = Ā_L···Ā_1 with Ā_ℓ = ½A_ℓ + ½I, read at
// row 0 with its own column dropped when cls (position 0 is [CLS]), else
// averaged over all rows. The result has one weight per input position
// (n−1 with cls, n without) and sums to 1.
func Rollout(maps [][][]float64, cls bool) []float64 {
	if len(maps) == 0 {
		return nil
	}
	n := len(maps[0])
	R := identity(n)
	for _, a := range maps {
		bar := make([][]float64, n)
		for i := range bar {
			bar[i] = make([]float64, n)
			for j := range bar[i] {
				bar[i][j] = a[i][j] / 2
			}
			bar[i][i] += 0.5
		}
		R = matMul(bar, R)
	}
	var w []float64
	if cls {
		w = append(w, R[0][1:]...)
	} else {
		w = make([]float64, n)
		for _, row := range R {
			for j, v := range row {
				w[j] += v / float64(n)
			}
		}
	}
	var s float64
	for _, v := range w {
		s += v
	}
	if s > 0 {
		for j := range w {
			w[j] /= s
		}
	}
	return w
}

func identity(n int) [][]float64 {
	m := make([][]float64, n)
	for i := range m {
		m[i] = make([]float64, n)
		m[i][i] = 1
	}
	return m
}

func matMul(a, b [][]float64) [][]float64 {
	out := make([][]float64, len(a))
	for i := range a {
		out[i] = make([]float64, len(b[0]))
		for k, aik := range a[i] {
			if aik == 0 {
				continue
			}
			for j, bkj := range b[k] {
				out[i][j] += aik * bkj
			}
		}
	}
	return out
}
