package modality

import (
	"slices"
	"strings"
	"testing"
)

func TestSampleIndices(t *testing.T) {
	cases := []struct {
		n, maxLen int
		mode      Sampling
		want      []int
	}{
		{3, 5, Uniform, []int{0, 1, 2}},
		{10, 4, Truncate, []int{0, 1, 2, 3}},
		{10, 4, "", []int{0, 1, 2, 3}},
		{10, 4, Uniform, []int{0, 3, 6, 9}},
		{7, 3, Uniform, []int{0, 3, 6}},
		{100, 1, Uniform, []int{0}},
		{5, 2, Uniform, []int{0, 4}},
	}
	for _, c := range cases {
		got, err := SampleIndices(c.n, c.maxLen, c.mode)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("SampleIndices(%d, %d, %q) = %v, %v; want %v", c.n, c.maxLen, c.mode, got, err, c.want)
		}
	}
	// Uniform indices are strictly increasing and end at the last step.
	for n := 2; n < 300; n += 7 {
		for _, m := range []int{2, 5, 64} {
			idx, _ := SampleIndices(n, m, Uniform)
			if idx[len(idx)-1] != n-1 && n > m {
				t.Fatalf("n=%d m=%d: last index %d", n, m, idx[len(idx)-1])
			}
			for i := 1; i < len(idx); i++ {
				if idx[i] <= idx[i-1] {
					t.Fatalf("n=%d m=%d: indices %v not increasing", n, m, idx)
				}
			}
		}
	}
	if _, err := SampleIndices(5, 0, Uniform); err == nil || !strings.Contains(err.Error(), "maxLen 0") {
		t.Errorf("maxLen 0: %v", err)
	}
	if _, err := SampleIndices(5, 2, "random"); err == nil || !strings.Contains(err.Error(), `unknown sampling "random"`) {
		t.Errorf("unknown sampling: %v", err)
	}
}
