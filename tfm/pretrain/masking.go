package pretrain

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// A Masker chooses which of n real steps to hide for masked reconstruction.
// seg gives each step's road segment (or straight stretch) id, for
// road-aware masking; other maskers ignore it. At least one step is masked
// and, when n > 1, at least one is left visible.
type Masker func(rng *rand.Rand, n int, seg []int) []bool

// RandomMask hides each step independently with probability ratio (BERT).
func RandomMask(ratio float64) Masker {
	return func(rng *rand.Rand, n int, _ []int) []bool {
		m := make([]bool, n)
		for i := range m {
			m[i] = rng.Float64() < ratio
		}
		return fix(rng, m)
	}
}

// SpanMask hides contiguous spans whose lengths are geometric with mean
// meanSpan, P(len = k) = p(1−p)^(k−1), p = 1/meanSpan (SpanBERT), until
// about ratio of the steps are hidden.
func SpanMask(ratio, meanSpan float64) Masker {
	return func(rng *rand.Rand, n int, _ []int) []bool {
		m := make([]bool, n)
		target := int(math.Round(ratio * float64(n)))
		for masked, tries := 0, 0; masked < target && tries < 10*n; tries++ {
			k := GeometricSpan(rng, meanSpan)
			start := rng.IntN(n)
			for i := start; i < min(n, start+k) && masked < target; i++ {
				if !m[i] {
					m[i] = true
					masked++
				}
			}
		}
		return fix(rng, m)
	}
}

// GeometricSpan draws a span length ≥ 1 with mean meanSpan.
func GeometricSpan(rng *rand.Rand, meanSpan float64) int {
	p := 1 / math.Max(1, meanSpan)
	k := 1
	for rng.Float64() >= p && k < 1000 {
		k++
	}
	return k
}

// RoadAwareMask hides whole road segments: it picks segments (maximal runs
// of equal seg ids) at random until about ratio of the steps are hidden, so
// the model must reconstruct a segment from the roads around it rather than
// copy a neighbouring point of the same segment.
func RoadAwareMask(ratio float64) Masker {
	return func(rng *rand.Rand, n int, seg []int) []bool {
		if len(seg) < n {
			panic(fmt.Sprintf("RoadAwareMask: %d segment ids for %d steps", len(seg), n))
		}
		runs := SegmentRuns(seg[:n])
		m := make([]bool, n)
		target := int(math.Round(ratio * float64(n)))
		masked := 0
		for _, r := range rng.Perm(len(runs)) {
			if masked >= target {
				break
			}
			if masked+runs[r][1]-runs[r][0] >= n { // never hide everything
				continue
			}
			for i := runs[r][0]; i < runs[r][1]; i++ {
				m[i] = true
			}
			masked += runs[r][1] - runs[r][0]
		}
		if masked == 0 && n > 1 { // one segment only: hide a span instead
			return SpanMask(ratio, 3)(rng, n, nil)
		}
		return m
	}
}

// SegmentRuns returns the [start, end) index ranges of the maximal runs of
// equal ids.
func SegmentRuns(seg []int) [][2]int {
	var runs [][2]int
	for i := 0; i < len(seg); {
		j := i + 1
		for j < len(seg) && seg[j] == seg[i] {
			j++
		}
		runs = append(runs, [2]int{i, j})
		i = j
	}
	return runs
}

// MaskerByName parses "random", "span" or "road" with the given ratio.
func MaskerByName(name string, ratio float64) (Masker, error) {
	switch name {
	case "", "random":
		return RandomMask(ratio), nil
	case "span":
		return SpanMask(ratio, 3), nil
	case "road", "road-aware":
		return RoadAwareMask(ratio), nil
	}
	return nil, fmt.Errorf("unknown masking %q (want random, span or road)", name)
}

// fix makes sure at least one step is hidden and one visible.
func fix(rng *rand.Rand, m []bool) []bool {
	n, k := len(m), 0
	for _, b := range m {
		if b {
			k++
		}
	}
	if k == 0 && n > 0 {
		m[rng.IntN(n)] = true
	}
	if k == n && n > 1 {
		m[rng.IntN(n)] = false
	}
	return m
}
