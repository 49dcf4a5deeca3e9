package modality

import (
	"slices"
	"strings"
	"testing"
)

func TestBuildVocab(t *testing.T) {
	counts := map[string]int{"b": 3, "a": 3, "c": 5, "rare": 1}
	v := BuildVocab(counts, 2, strings.Compare)
	// c (5) first, then the tie a, b (3) in tie order; rare dropped.
	if !slices.Equal(v.Items, []string{"c", "a", "b"}) || !slices.Equal(v.Counts, []int{5, 3, 3}) || v.Size() != NumSpecial+3 {
		t.Fatalf("items %q counts %v size %d", v.Items, v.Counts, v.Size())
	}
	if v.ID("c") != NumSpecial || v.ID("b") != NumSpecial+2 || v.ID("rare") != UNK {
		t.Errorf("ids c=%d b=%d rare=%d", v.ID("c"), v.ID("b"), v.ID("rare"))
	}
	if k, ok := v.Item(NumSpecial + 1); !ok || k != "a" {
		t.Errorf("item %d = %q %v", NumSpecial+1, k, ok)
	}
	for _, id := range []int32{-1, PAD, UNK, NumSpecial + 3} {
		if _, ok := v.Item(id); ok {
			t.Errorf("item of id %d found", id)
		}
	}
	upper := func(s string) string { return strings.ToUpper(s) }
	if v.Name(CLS, upper) != "[CLS]" || v.Name(NumSpecial, upper) != "C" || v.Name(99, upper) != "[?99]" {
		t.Errorf("names %q %q %q", v.Name(CLS, upper), v.Name(NumSpecial, upper), v.Name(99, upper))
	}
	if e := BuildVocab(map[int]int{7: 1}, 2, func(a, b int) int { return a - b }); e.Size() != NumSpecial || e.ID(7) != UNK {
		t.Errorf("empty vocabulary: size %d", e.Size())
	}
}

func TestNewVocab(t *testing.T) {
	v, err := NewVocab([]int{10, 20}, []int{0, 4})
	if err != nil || v.ID(20) != NumSpecial+1 || v.Counts[1] != 4 {
		t.Fatalf("vocab %+v, err %v", v, err)
	}
	if _, err := NewVocab([]int{10, 20, 10}, []int{1, 1, 1}); err == nil || !strings.Contains(err.Error(), "item 2 (10) repeated") {
		t.Errorf("repeated item: err %v", err)
	}
	if _, err := NewVocab([]int{10}, nil); err == nil || !strings.Contains(err.Error(), "0 counts for 1 items") {
		t.Errorf("missing counts: err %v", err)
	}
}

func TestVocabGrow(t *testing.T) {
	v := BuildVocab(map[string]int{"a": 2, "b": 1}, 1, strings.Compare)
	g := v.Grow(map[string]int{"b": 9, "z": 4, "y": 4, "rare": 1}, 2, strings.Compare)
	// Old ids kept; new items (count ≥ 2) appended, most frequent first, ties by name.
	if !slices.Equal(g.Items, []string{"a", "b", "y", "z"}) || !slices.Equal(g.Counts, []int{2, 1, 4, 4}) {
		t.Fatalf("grown items %q counts %v", g.Items, g.Counts)
	}
	if g.ID("a") != v.ID("a") || g.ID("b") != v.ID("b") || g.ID("y") != NumSpecial+2 || g.ID("rare") != UNK {
		t.Errorf("ids a=%d b=%d y=%d rare=%d", g.ID("a"), g.ID("b"), g.ID("y"), g.ID("rare"))
	}
	if v.Size() != NumSpecial+2 || v.ID("z") != UNK {
		t.Error("Grow changed the receiver")
	}
}
