package pretrain

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/tfm-course/course/tfm/modality"
	tfm "github.com/tfm-course/course/tfm/model"
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

// RoadAwareMask hides whole road segments (maximal runs of equal seg ids),
// so the model must reconstruct a segment from the roads around it rather
// than copy a neighbouring point of the same segment. It visits the
// segments in random order and hides each one that brings the hidden count
// h closer to the target k = round(ratio·n): one of length ℓ is passed over
// when h+ℓ−k ≥ k−h (it would overshoot by as much as is missing, or more),
// so about ratio of the steps are hidden, as with the other maskers. If
// none fits, the segment of length closest to k is hidden; a trip of one
// segment gets a span (SpanMask).
func RoadAwareMask(ratio float64) Masker {
	return func(rng *rand.Rand, n int, seg []int) []bool {
		if len(seg) < n {
			panic(fmt.Sprintf("RoadAwareMask: %d segment ids for %d steps", len(seg), n))
		}
		runs := SegmentRuns(seg[:n])
		m := make([]bool, n)
		target := int(math.Round(ratio * float64(n)))
		masked, closest := 0, -1
		far := func(r [2]int) int { return max(r[1]-r[0]-target, target-(r[1]-r[0])) } // |ℓ − k|
		hide := func(r [2]int) {
			for i := r[0]; i < r[1]; i++ {
				m[i] = true
			}
			masked += r[1] - r[0]
		}
		for _, r := range rng.Perm(len(runs)) {
			if masked >= target {
				break
			}
			l := runs[r][1] - runs[r][0]
			if masked+l >= n { // never hide everything
				continue
			}
			if closest < 0 || far(runs[r]) < far(runs[closest]) {
				closest = r
			}
			if masked+l-target >= target-masked { // overshoots by as much as is missing, or more
				continue
			}
			hide(runs[r])
		}
		if masked == 0 && closest >= 0 {
			hide(runs[closest])
		}
		if masked == 0 && n > 1 { // one segment only: hide a span instead
			return SpanMask(ratio, 3)(rng, n, nil)
		}
		return fix(rng, m) // n = 1: hide the step
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

// Road-aware masking's units over a modality without modality.Roads: every
// step is a unit of its own.
const RoadSteps = "steps"

// RoadMasking says what road-aware masking hides over modality m, as
// RoadRuns cuts its paths: modality.RoadSegments (map-matched road
// segments: gps and grid fitted with a road network), modality.RoadTurns
// (the fallback without one: stretches between turns of more than 30°),
// modality.RoadStraight (road tokens joined where the network goes
// straight) or RoadSteps.
func RoadMasking(m modality.Modality) string {
	if r, ok := m.(modality.Roads); ok {
		return r.RoadUnits()
	}
	return RoadSteps
}

// roadAware reports whether the options' objective masks road-aware.
func roadAware(opt Options) bool {
	n := opt.Generative.Masking
	return (opt.Paradigm == "generative" || opt.Paradigm == "hybrid") && (n == "road" || n == "road-aware")
}

// prepareRoads gives opt.Map to the modalities of m that use one without
// saving it (modality.MapUser: gps and grid, restored from a checkpoint or
// given as opt.Model), so road-aware masking cuts at the same matched
// segments on resume; with road-aware masking it says on opt.Progress which
// units are hidden.
func prepareRoads(m *tfm.Model, opt Options) error {
	for _, b := range m.Branches {
		if u, ok := b.Modality.(modality.MapUser); ok && opt.Map != nil {
			if err := u.UseMap(opt.Map); err != nil {
				return fmt.Errorf("the %s modality: %w", b.Modality.Name(), err)
			}
		}
	}
	if w := opt.Progress; w != nil && roadAware(opt) {
		var parts []string
		for _, b := range m.Branches {
			parts = append(parts, b.Modality.Name()+": "+RoadMaskingText(RoadMasking(b.Modality)))
		}
		fmt.Fprintf(w, "road-aware masking hides %s\n", strings.Join(parts, "; "))
	}
	return nil
}

// RoadMaskingText describes a RoadMasking value in words.
func RoadMaskingText(units string) string {
	switch units {
	case modality.RoadSegments:
		return "whole map-matched road segments (the data's road network; a unit ends at an intersection)"
	case modality.RoadTurns:
		return "stretches between turns of more than 30° (no road network: the fallback)"
	case modality.RoadStraight:
		return "roads: segment tokens joined where the network goes straight (≤ 30°) through a junction"
	}
	return "single steps (the modality knows no roads)"
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
