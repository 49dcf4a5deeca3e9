package model

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/train/optimizer"

	"github.com/tfm-course/course/tfm/modality"
)

// FreezeAllBut marks every variable of the store whose scope keep rejects
// not trainable — the encoders' and the heads' alike — and leaves the kept
// ones as they are: FreezeAllBut(encoder.IsAdaptation) trains the LoRA and
// adapter variables alone. Variables created later (a LoRA layer's on the
// first graph that uses it, a new head) start trainable: call it again
// after the first graph (or Embed) to freeze those too.
func (m *Model) FreezeAllBut(keep func(scope string) bool) {
	for v := range m.Store.IterVariables() {
		if !keep(v.Scope()) {
			v.SetTrainable(false)
		}
	}
}

// TrainableParams is the number of trainable parameters in the whole store
// (encoders, heads and any optimiser variable marked trainable).
func (m *Model) TrainableParams() int {
	n := 0
	for v := range m.Store.IterVariables() {
		if v.Trainable {
			n += v.Shape().Size()
		}
	}
	return n
}

// Grow grows the vocabulary of every branch whose modality is a
// modality.Grower on src (the changed city: its trajectories and map) and
// resizes the variables sized by it, so a pre-trained model reads the new
// cells, segments or words: the token embedding table (old rows kept bit
// for bit, new rows the mean of the old item rows — special tokens left
// out) and a token-prediction head of the primary branch (any variable
// outside the encoders in a scope ending "tokens/dense" whose last axis is
// the old vocabulary: new columns the mean of the old items'). The resized
// variables' optimiser moments are dropped. Each grown branch's
// encoder.Config.VocabSize follows its modality. It works on a loaded model
// (variables in the store) as on a fresh one (nothing to resize yet);
// added counts the new tokens by modality name.
func (m *Model) Grow(src modality.Source) (added map[string]int, err error) {
	added = map[string]int{}
	for i, b := range m.Branches {
		g, ok := b.Modality.(modality.Grower)
		if !ok {
			continue
		}
		grown, n, err := g.Grow(src)
		if err != nil {
			return nil, fmt.Errorf("growing the %s modality: %w", b.Modality.Name(), err)
		}
		oldV := b.Encoder.VocabSize
		b.Modality, added[b.Modality.Name()] = grown, n
		b.Encoder.Fit(grown.Spec())
		newV := b.Encoder.VocabSize
		if newV == oldV {
			continue
		}
		if err := m.growVariable("/"+b.Scope+"/embed/spatial/tokens/embeddings", 0, oldV, newV); err != nil {
			return nil, err
		}
		if i == 0 {
			for _, v := range slices.Collect(m.Store.IterVariables()) {
				dims := v.Shape().Dimensions
				if m.inEncoder(v.Scope()) || !strings.HasSuffix(v.Scope(), "tokens/dense") || len(dims) == 0 || dims[len(dims)-1] != oldV {
					continue
				}
				if err := m.growVariable(v.Path(), len(dims)-1, oldV, newV); err != nil {
					return nil, err
				}
			}
			b.Encoder.Save(m.Store)
		}
	}
	m.embed = nil
	return added, nil
}

// inEncoder reports whether scope lies under a branch's encoder scope.
func (m *Model) inEncoder(scope string) bool {
	for _, b := range m.Branches {
		if p := "/" + b.Scope; scope == p || strings.HasPrefix(scope, p+"/") {
			return true
		}
	}
	return false
}

// growVariable extends axis of the float32 variable at path from oldN to
// newN entries; the new ones are the mean of the old entries
// NumSpecial..oldN-1 (the items', not the special tokens'). A variable not
// in the store (or without a value yet) is left alone.
func (m *Model) growVariable(path string, axis, oldN, newN int) error {
	v := m.Store.GetVariable(path)
	if v == nil || !v.HasValue() {
		return nil
	}
	dims := slices.Clone(v.Shape().Dimensions)
	if v.DType() != dtypes.Float32 || dims[axis] != oldN {
		return fmt.Errorf("model: growing %s: shape %s, want float32 with %d on axis %d", path, v.Shape(), oldN, axis)
	}
	old := tensors.MustCopyFlatData[float32](v.MustValue())
	outer, inner := 1, 1
	for _, d := range dims[:axis] {
		outer *= d
	}
	for _, d := range dims[axis+1:] {
		inner *= d
	}
	items := max(1, oldN-modality.NumSpecial)
	out := make([]float32, outer*newN*inner)
	for o := range outer {
		src, dst := old[o*oldN*inner:(o+1)*oldN*inner], out[o*newN*inner:(o+1)*newN*inner]
		copy(dst, src)
		mean := make([]float64, inner)
		for k := min(modality.NumSpecial, oldN); k < oldN; k++ {
			for j := range inner {
				mean[j] += float64(src[k*inner+j])
			}
		}
		for k := oldN; k < newN; k++ {
			for j := range inner {
				dst[k*inner+j] = float32(mean[j] / float64(items))
			}
		}
	}
	dims[axis] = newN
	trainable := v.Trainable
	if err := m.Store.DeleteVariable(path); err != nil {
		return err
	}
	for _, moment := range []string{"_1st_moment", "_2nd_moment"} {
		_ = m.Store.DeleteVariable("/" + optimizer.AdamDefaultScope + v.Scope() + "/" + v.Name() + moment)
	}
	nv, err := m.Store.CreateVariable(path, tensors.FromFlatDataAndDimensions(out, dims...))
	if err != nil {
		return err
	}
	nv.SetTrainable(trainable)
	return nil
}
