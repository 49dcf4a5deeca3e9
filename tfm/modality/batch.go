// Package modality holds what every trajectory modality (gps, grid, road,
// text, image — one sub-package each) hands to an encoder: a padded Batch of
// tokens or features with a padding mask and per-step time features.
package modality

import "fmt"

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
