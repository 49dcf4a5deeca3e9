// Package modality holds what every trajectory modality (gps, grid, road,
// text, image — one sub-package each) hands to an encoder: a padded Batch of
// tokens or features with a padding mask and per-step time features.
package modality

import (
	"fmt"

	"github.com/tfm-course/course/tfm/traj"
)

// Special token ids shared by every token vocabulary (grid, road, text).
const (
	PAD  = 0
	MASK = 1
	CLS  = 2
	UNK  = 3
	// NumSpecial is the first id of a real token.
	NumSpecial = 4
)

// SpecialNames are the printable names of the special tokens, by id.
var SpecialNames = [NumSpecial]string{"[PAD]", "[MASK]", "[CLS]", "[UNK]"}

// Batch is a padded batch of B sequences of length L, stored row-major
// (index b*L+i). Token modalities fill Tokens; continuous ones fill Features
// (B*L*NumFeatures); both may be set. Image batches use Pixels instead.
type Batch struct {
	Size, Len int // B, L

	Tokens      []int32   // [B, L] token ids, PAD where Mask is false; nil if unused
	Features    []float32 // [B, L, NumFeatures]; nil if unused
	NumFeatures int

	Mask      []bool    // [B, L] true for a real step
	TimeOfDay []float32 // [B, L] fraction of the day in [0, 1)
	DayOfWeek []int32   // [B, L] 0 = Sunday … 6 = Saturday
	DeltaT    []float32 // [B, L] seconds since the previous step (0 first)

	// Image batches: [B, Channels, H, W].
	Pixels         []float32
	Channels, H, W int

	// IDs are the trajectory ids of the rows, for tracing results back.
	IDs []string
	// Absent marks rows whose view of the trip could not be made (a
	// multi-modal model's road view of a trip that does not map-match, the
	// text of one that cannot be described): padding rows that fusion and
	// cross-modal alignment leave out. Nil: every row is present.
	Absent []bool
	// Trajs are the trajectories the rows were made from, where the
	// modality keeps them (gps, grid: road-aware masking map-matches them
	// only when asked); nil otherwise, nil entries for padding rows.
	Trajs []*traj.Trajectory
}

// Lengths returns the number of real steps of each row.
func (b *Batch) Lengths() []int {
	n := make([]int, b.Size)
	for r := 0; r < b.Size; r++ {
		for i := 0; i < b.Len; i++ {
			if b.Mask[r*b.Len+i] {
				n[r]++
			}
		}
	}
	return n
}

// Check verifies the slices have the sizes the shape says.
func (b *Batch) Check() error {
	bl := b.Size * b.Len
	check := func(name string, got, want int) error {
		if got != want {
			return fmt.Errorf("batch %s has %d values, want %d (B=%d L=%d)", name, got, want, b.Size, b.Len)
		}
		return nil
	}
	if b.Trajs != nil {
		if err := check("Trajs", len(b.Trajs), b.Size); err != nil {
			return err
		}
	}
	if b.Absent != nil {
		if err := check("Absent", len(b.Absent), b.Size); err != nil {
			return err
		}
	}
	if b.Pixels != nil {
		return check("Pixels", len(b.Pixels), b.Size*b.Channels*b.H*b.W)
	}
	if err := check("Mask", len(b.Mask), bl); err != nil {
		return err
	}
	if b.Tokens != nil {
		if err := check("Tokens", len(b.Tokens), bl); err != nil {
			return err
		}
	}
	if b.Features != nil {
		if err := check("Features", len(b.Features), bl*b.NumFeatures); err != nil {
			return err
		}
	}
	for name, n := range map[string]int{"TimeOfDay": len(b.TimeOfDay), "DayOfWeek": len(b.DayOfWeek), "DeltaT": len(b.DeltaT)} {
		if n != 0 {
			if err := check(name, n, bl); err != nil {
				return err
			}
		}
	}
	return nil
}

// Concat stacks the rows of batches of the same kind and length (missing
// time features become zeros): one encoder call for several batches.
func Concat(bs ...*Batch) (*Batch, error) {
	if len(bs) == 0 {
		return nil, fmt.Errorf("modality: nothing to concatenate")
	}
	first := bs[0]
	out := &Batch{Len: first.Len, NumFeatures: first.NumFeatures, Channels: first.Channels, H: first.H, W: first.W}
	withTrajs, withAbsent := false, false
	for _, b := range bs {
		withTrajs = withTrajs || b.Trajs != nil
		withAbsent = withAbsent || b.Absent != nil
	}
	for i, b := range bs {
		if b.Len != first.Len || b.NumFeatures != first.NumFeatures || (b.Tokens == nil) != (first.Tokens == nil) ||
			(b.Pixels == nil) != (first.Pixels == nil) || b.Channels != first.Channels || b.H != first.H || b.W != first.W {
			return nil, fmt.Errorf("modality: cannot concatenate batch %d (L=%d F=%d C=%d) with batch 0 (L=%d F=%d C=%d)",
				i, b.Len, b.NumFeatures, b.Channels, first.Len, first.NumFeatures, first.Channels)
		}
		if err := b.Check(); err != nil {
			return nil, fmt.Errorf("modality: batch %d: %w", i, err)
		}
		out.Size += b.Size
		out.IDs = append(out.IDs, b.IDs...)
		if withAbsent {
			out.Absent = append(out.Absent, orFalse(b.Absent, b.Size)...)
		}
		if withTrajs {
			if b.Trajs != nil {
				out.Trajs = append(out.Trajs, b.Trajs...)
			} else {
				out.Trajs = append(out.Trajs, make([]*traj.Trajectory, b.Size)...)
			}
		}
		if b.Pixels != nil {
			out.Pixels = append(out.Pixels, b.Pixels...)
			continue
		}
		n := b.Size * b.Len
		out.Tokens = append(out.Tokens, b.Tokens...)
		out.Features = append(out.Features, b.Features...)
		out.Mask = append(out.Mask, b.Mask...)
		out.TimeOfDay = append(out.TimeOfDay, orZeros(b.TimeOfDay, n)...)
		out.DayOfWeek = append(out.DayOfWeek, orZeros(b.DayOfWeek, n)...)
		out.DeltaT = append(out.DeltaT, orZeros(b.DeltaT, n)...)
	}
	return out, nil
}

func orFalse(x []bool, n int) []bool {
	if x == nil {
		return make([]bool, n)
	}
	return x
}

func orZeros[T int32 | float32](x []T, n int) []T {
	if x == nil {
		return make([]T, n)
	}
	return x
}

// PadRows grows the batch to rows rows (a compiled graph wants a fixed batch
// size). Padding rows are zeros with only their first step marked real, so
// attention never takes a softmax over nothing. It fails if the batch
// already has more rows.
func (b *Batch) PadRows(rows int) error {
	if b.Size == rows {
		return nil
	}
	if b.Size > rows {
		return fmt.Errorf("modality: batch of %d rows does not fit %d", b.Size, rows)
	}
	extra := rows - b.Size
	for range extra {
		b.IDs = append(b.IDs, "")
	}
	if b.Absent != nil {
		for range extra {
			b.Absent = append(b.Absent, true)
		}
	}
	if b.Trajs != nil {
		b.Trajs = append(b.Trajs, make([]*traj.Trajectory, extra)...)
	}
	if b.Pixels != nil {
		b.Pixels = append(b.Pixels, make([]float32, extra*b.Channels*b.H*b.W)...)
		b.Size = rows
		return nil
	}
	n := extra * b.Len
	start := len(b.Mask)
	b.Mask = append(b.Mask, make([]bool, n)...)
	for r := range extra {
		b.Mask[start+r*b.Len] = true
	}
	grow := func(x []float32, per int) []float32 {
		if x == nil {
			return nil
		}
		return append(x, make([]float32, n*per)...)
	}
	if b.Tokens != nil {
		b.Tokens = append(b.Tokens, make([]int32, n)...)
	}
	if b.DayOfWeek != nil {
		b.DayOfWeek = append(b.DayOfWeek, make([]int32, n)...)
	}
	b.Features = grow(b.Features, b.NumFeatures)
	b.TimeOfDay, b.DeltaT = grow(b.TimeOfDay, 1), grow(b.DeltaT, 1)
	b.Size = rows
	return nil
}

// Present reports whether row r's view was made (Absent).
func (b *Batch) Present(r int) bool { return b.Absent == nil || !b.Absent[r] }

// Expand places b's rows at the present positions of a batch of
// len(present) rows (in order) and padding rows, marked Absent, at the
// others: how a multi-modal model carries a view that some trips lack.
// b must have exactly as many rows as present has true values; it is not
// changed.
func Expand(b *Batch, present []bool) (*Batch, error) {
	n := 0
	for _, p := range present {
		if p {
			n++
		}
	}
	if n != b.Size {
		return nil, fmt.Errorf("modality: expand a batch of %d rows to %d present rows", b.Size, n)
	}
	if n == len(present) {
		return b, nil
	}
	padded := *b // b itself is left as it is
	b = &padded
	if err := b.PadRows(len(present)); err != nil {
		return nil, err
	}
	// Row order: the present positions take rows 0…n−1, the absent ones the padding rows n….
	src := make([]int, len(present))
	next, pad := 0, n
	for i, p := range present {
		if p {
			src[i], next = next, next+1
		} else {
			src[i], pad = pad, pad+1
		}
	}
	out := *b
	out.Absent = make([]bool, len(present))
	for i, p := range present {
		out.Absent[i] = !p
	}
	out.IDs = permute(b.IDs, src, 1)
	if b.Trajs != nil {
		out.Trajs = permute(b.Trajs, src, 1)
	}
	if b.Pixels != nil {
		out.Pixels = permute(b.Pixels, src, b.Channels*b.H*b.W)
		return &out, nil
	}
	L := b.Len
	out.Mask = permute(b.Mask, src, L)
	if b.Tokens != nil {
		out.Tokens = permute(b.Tokens, src, L)
	}
	if b.Features != nil {
		out.Features = permute(b.Features, src, L*b.NumFeatures)
	}
	if b.TimeOfDay != nil {
		out.TimeOfDay = permute(b.TimeOfDay, src, L)
	}
	if b.DayOfWeek != nil {
		out.DayOfWeek = permute(b.DayOfWeek, src, L)
	}
	if b.DeltaT != nil {
		out.DeltaT = permute(b.DeltaT, src, L)
	}
	return &out, nil
}

// permute returns rows src[0], src[1], … of x (per values a row).
func permute[T any](x []T, src []int, per int) []T {
	out := make([]T, 0, len(src)*per)
	for _, r := range src {
		out = append(out, x[r*per:(r+1)*per]...)
	}
	return out
}
