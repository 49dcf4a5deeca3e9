package modality

import (
	"cmp"
	"fmt"
	"slices"
)

// Vocab is the id table shared by the token modalities (grid cells, road
// segments, words): ids below NumSpecial are the special tokens, then id
// NumSpecial+i is Items[i]. Items and Counts are read-only once built.
type Vocab[K comparable] struct {
	Items  []K   // Items[id-NumSpecial] is the item of token id
	Counts []int // training occurrences of each item
	index  map[K]int32
}

// BuildVocab keeps the items counted at least minCount times, most frequent
// first; tie orders items of equal count (it must make the order total for
// the ids to be deterministic).
func BuildVocab[K comparable](counts map[K]int, minCount int, tie func(a, b K) int) *Vocab[K] {
	var items []K
	for k, n := range counts {
		if n >= minCount {
			items = append(items, k)
		}
	}
	slices.SortFunc(items, func(a, b K) int { return cmp.Or(cmp.Compare(counts[b], counts[a]), tie(a, b)) })
	v := &Vocab[K]{Items: items, Counts: make([]int, len(items))}
	for i, k := range items {
		v.Counts[i] = counts[k]
	}
	v.reindex() // map keys are distinct
	return v
}

// NewVocab is the vocabulary of items in the given order (a loaded file),
// with one count per item; repeated items are an error.
func NewVocab[K comparable](items []K, counts []int) (*Vocab[K], error) {
	if len(counts) != len(items) {
		return nil, fmt.Errorf("modality: %d counts for %d items", len(counts), len(items))
	}
	v := &Vocab[K]{Items: items, Counts: counts}
	if err := v.reindex(); err != nil {
		return nil, err
	}
	return v, nil
}

func (v *Vocab[K]) reindex() error {
	v.index = make(map[K]int32, len(v.Items))
	for i, k := range v.Items {
		if _, dup := v.index[k]; dup {
			return fmt.Errorf("modality: item %d (%v) repeated", i, k)
		}
		v.index[k] = int32(i + NumSpecial)
	}
	return nil
}

// Size is the number of token ids, special tokens included.
func (v *Vocab[K]) Size() int { return NumSpecial + len(v.Items) }

// ID is the token id of k, UNK when k is not in the vocabulary.
func (v *Vocab[K]) ID(k K) int32 {
	if id, ok := v.index[k]; ok {
		return id
	}
	return UNK
}

// Item is the item of token id; false for special or unknown ids.
func (v *Vocab[K]) Item(id int32) (K, bool) {
	i := int(id) - NumSpecial
	if i < 0 || i >= len(v.Items) {
		var zero K
		return zero, false
	}
	return v.Items[i], true
}

// Name is a printable name of token id: the special token's name
// ("[PAD]"…), format of its item, or "[?id]" for an unknown id.
func (v *Vocab[K]) Name(id int32, format func(K) string) string {
	if id >= 0 && id < NumSpecial {
		return SpecialNames[id]
	}
	if k, ok := v.Item(id); ok {
		return format(k)
	}
	return fmt.Sprintf("[?%d]", id)
}

// Grow is v with the items of counts seen at least minCount times that v
// does not have appended, most frequent first (tie orders equal counts):
// every id of v keeps its item. v is unchanged.
func (v *Vocab[K]) Grow(counts map[K]int, minCount int, tie func(a, b K) int) *Vocab[K] {
	fresh := map[K]int{}
	for k, n := range counts {
		if _, known := v.index[k]; !known {
			fresh[k] = n
		}
	}
	add := BuildVocab(fresh, minCount, tie)
	g := &Vocab[K]{Items: append(slices.Clip(v.Items), add.Items...), Counts: append(slices.Clip(v.Counts), add.Counts...)}
	g.reindex() // add's items are not in v
	return g
}
