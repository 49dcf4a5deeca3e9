package modality

import (
	"slices"
	"testing"
)

// Expand puts a batch's rows at the present positions and padding rows,
// marked Absent, at the others.
func TestExpand(t *testing.T) {
	b := &Batch{Size: 2, Len: 2, Tokens: []int32{5, 6, 7, 0}, Mask: []bool{true, true, true, false},
		TimeOfDay: []float32{.1, .2, .3, 0}, IDs: []string{"a", "b"}}
	got, err := Expand(b, []bool{false, true, false, true})
	if err != nil {
		t.Fatal(err)
	}
	if got.Size != 4 || !slices.Equal(got.IDs, []string{"", "a", "", "b"}) || !slices.Equal(got.Absent, []bool{true, false, true, false}) {
		t.Fatalf("size %d, ids %q, absent %v", got.Size, got.IDs, got.Absent)
	}
	if !slices.Equal(got.Tokens, []int32{0, 0, 5, 6, 0, 0, 7, 0}) || !slices.Equal(got.Mask, []bool{true, false, true, true, true, false, true, false}) {
		t.Fatalf("tokens %v, mask %v", got.Tokens, got.Mask)
	}
	if !slices.Equal(got.TimeOfDay, []float32{0, 0, .1, .2, 0, 0, .3, 0}) {
		t.Fatalf("time of day %v", got.TimeOfDay)
	}
	if err := got.Check(); err != nil {
		t.Fatal(err)
	}
	if !got.Present(1) || got.Present(0) {
		t.Errorf("Present(0), Present(1) = %v, %v", got.Present(0), got.Present(1))
	}
	if _, err := Expand(b, []bool{true, true, true}); err == nil {
		t.Errorf("Expand of 2 rows to 3 present ones accepted")
	}
	// Concat keeps the marks.
	c, err := Concat(got, b)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Absent, []bool{true, false, true, false, false, false}) {
		t.Errorf("Concat Absent %v", c.Absent)
	}
}
