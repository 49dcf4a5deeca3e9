package modality

import "fmt"

// Sampling says how a sequence longer than a batch's length is shortened.
type Sampling string

const (
	// Truncate keeps the first maxLen steps.
	Truncate Sampling = "truncate"
	// Uniform keeps maxLen steps evenly spread over the sequence, always
	// including the first and the last.
	Uniform Sampling = "uniform"
)

// SampleIndices returns the indices of the steps of an n-step sequence kept
// in at most maxLen steps: all of them when n <= maxLen, else per the mode.
func SampleIndices(n, maxLen int, mode Sampling) ([]int, error) {
	if maxLen <= 0 {
		return nil, fmt.Errorf("maxLen %d must be positive", maxLen)
	}
	k := n
	if k > maxLen {
		k = maxLen
	}
	idx := make([]int, k)
	switch {
	case n <= maxLen || mode == Truncate || mode == "":
		for i := range idx {
			idx[i] = i
		}
	case mode == Uniform:
		if k == 1 {
			return idx, nil // idx[0] = 0
		}
		for i := range idx {
			// Round i*(n-1)/(k-1) to the nearest index, exactly in integers.
			idx[i] = (2*i*(n-1) + (k - 1)) / (2 * (k - 1))
		}
	default:
		return nil, fmt.Errorf("unknown sampling %q (want %q or %q)", mode, Truncate, Uniform)
	}
	return idx, nil
}
