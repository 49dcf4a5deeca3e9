package model

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	mlmodel "github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"

	"github.com/tfm-course/course/tfm/encoder"
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
				if m.InEncoder(v.Scope()) || !strings.HasSuffix(v.Scope(), "tokens/dense") || len(dims) == 0 || dims[len(dims)-1] != oldV {
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

// InEncoder reports whether a variable scope lies under a branch's encoder
// scope (the encoders' weights, not heads or optimiser state).
func (m *Model) InEncoder(scope string) bool {
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

// MergeLoRA is a copy of m (its own store, no optimiser state) with every
// LoRA update folded into its dense layer and the LoRA variables removed:
//
//	W ← W + (α/r)·A·B        for each scope …/<layer>/lora, W = …/<layer>/dense/weights
//
// and lora=0 in the branches' configs, so it is a plain model that embeds
// as m does (to float rounding) and saves and loads like any other.
// Adapters are nonlinear (a GELU between their matrices) and cannot be
// folded into W: a model with adapters keeps them (and adapter=m).
func (m *Model) MergeLoRA() (*Model, error) {
	c, err := m.Clone(m.Meta.Seed)
	if err != nil {
		return nil, err
	}
	c.Branches = make([]*Branch, len(m.Branches))
	for i, b := range m.Branches {
		nb := *b
		nb.Encoder.LoRARank, nb.Encoder.LoRAAlpha = 0, 0
		c.Branches[i] = &nb
	}
	for _, b := range m.Branches {
		prefix := "/" + b.Scope + "/"
		for _, a := range slices.Collect(c.Store.IterVariables()) {
			if a.Name() != "a" || !strings.HasPrefix(a.Scope(), prefix) || !strings.HasSuffix(a.Scope(), "/"+encoder.LoRAScope) {
				continue
			}
			if err := mergeLoRA(c.Store, a.Scope(), b.Encoder.LoRAScale()); err != nil {
				return nil, err
			}
		}
	}
	c.Branches[0].Encoder.Save(c.Store)
	return c, nil
}

// mergeLoRA folds the LoRA pair under scope into its layer's dense weights
// and deletes it.
func mergeLoRA(store *mlmodel.Store, scope string, scale float64) error {
	a, b := store.GetVariable(scope+"/a"), store.GetVariable(scope+"/b")
	w := store.GetVariable(strings.TrimSuffix(scope, encoder.LoRAScope) + "dense/weights")
	if a == nil || b == nil || w == nil || !a.HasValue() || !b.HasValue() || !w.HasValue() {
		return fmt.Errorf("model: merging LoRA %s: its a, b or dense weights are missing", scope)
	}
	ad, bd, wd := a.Shape().Dimensions, b.Shape().Dimensions, w.Shape().Dimensions
	in, r, out := ad[0], ad[1], bd[1]
	if bd[0] != r || wd[0] != in || wd[1] != out {
		return fmt.Errorf("model: merging LoRA %s: A %v, B %v and W %v do not chain", scope, ad, bd, wd)
	}
	av, bv := tensors.MustCopyFlatData[float32](a.MustValue()), tensors.MustCopyFlatData[float32](b.MustValue())
	wv := tensors.MustCopyFlatData[float32](w.MustValue())
	for i := range in {
		for j := range out {
			s := 0.0
			for k := range r {
				s += float64(av[i*r+k]) * float64(bv[k*out+j])
			}
			wv[i*out+j] += float32(scale * s)
		}
	}
	if err := w.SetValue(tensors.FromFlatDataAndDimensions(wv, wd...)); err != nil {
		return err
	}
	return store.DeleteVariablesInScope(scope)
}

// Adapt switches parameter-efficient adaptation on (or off) in every
// branch's encoder: LoRA of rank lora with α = alpha (0: α = r) and
// adapters of width adapter (encoder.Dense, encoder.Adapter). Their
// variables are created, as the identity, by the next graph (Embed, a
// training step); FreezeAllBut(encoder.IsAdaptation) then trains them alone.
func (m *Model) Adapt(lora int, alpha float64, adapter int) error {
	for _, b := range m.Branches {
		c := b.Encoder
		c.LoRARank, c.LoRAAlpha, c.Adapter = lora, alpha, adapter
		if err := c.Validate(); err != nil {
			return fmt.Errorf("model: %s encoder: %w", b.Modality.Name(), err)
		}
	}
	for _, b := range m.Branches {
		b.Encoder.LoRARank, b.Encoder.LoRAAlpha, b.Encoder.Adapter = lora, alpha, adapter
	}
	m.Primary().Encoder.Save(m.Store)
	m.embed = nil
	return nil
}
