package tasks

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tfm-course/course/tfm/roadnet"
)

// Road-segment recovery: a map-matched trip is a sequence of road-segment
// ids; a contiguous span of them is hidden and must be filled in. The
// classical answer routes between the last known segment before the gap and
// the first one after it (shortest path by length or by free-flow time);
// token accuracy compares the filled span with the truth position by
// position.

// MaskSpan hides a contiguous span of about ratio·len(path) segments
// (at least one), always keeping the first and last segment. It returns
// the span [lo, hi); ok is false for paths of fewer than 3 segments.
func MaskSpan(path []int, ratio float64, rng *rand.Rand) (lo, hi int, ok bool) {
	n := len(path)
	if n < 3 {
		return 0, 0, false
	}
	k := max(1, min(n-2, int(math.Round(ratio*float64(n)))))
	lo = 1 + rng.IntN(n-1-k)
	return lo, lo + k, true
}

// FillByRoute returns the segments between path[lo-1] and path[hi] on the
// cheapest route under cost (nil when no route exists).
func FillByRoute(g *roadnet.Graph, path []int, lo, hi int, cost roadnet.Cost) []int {
	from, to := g.Segments[path[lo-1]].To, g.Segments[path[hi]].From
	if from == to {
		return []int{}
	}
	fill, _, ok := g.ShortestPath(from, to, cost, math.Inf(1))
	if !ok {
		return nil
	}
	return fill
}

// SegmentRecoveryResult reports a road-segment recovery.
type SegmentRecoveryResult struct {
	Accuracy float64 `json:"recovery_accuracy"` // hidden segments recovered at their position
	Exact    float64 `json:"exact_span"`        // spans recovered exactly
	Tokens   int     `json:"tokens"`
	Spans    int     `json:"spans"`
}

// RecoverSegments hides one span (ratio of each path, seeded) in every path
// of at least 3 segments, fills it with fill, and scores the result.
func RecoverSegments(paths [][]int, ratio float64, seed uint64, fill func(path []int, lo, hi int) []int) (SegmentRecoveryResult, error) {
	rng := rand.New(rand.NewPCG(seed, 0x5e65))
	var r SegmentRecoveryResult
	hit, exact := 0, 0
	for _, p := range paths {
		lo, hi, ok := MaskSpan(p, ratio, rng)
		if !ok {
			continue
		}
		pred := fill(p, lo, hi)
		same := len(pred) == hi-lo
		for i := lo; i < hi; i++ {
			if i-lo < len(pred) && pred[i-lo] == p[i] {
				hit++
			} else {
				same = false
			}
		}
		if same {
			exact++
		}
		r.Tokens += hi - lo
		r.Spans++
	}
	if r.Spans == 0 {
		return r, fmt.Errorf("tasks: no path has the 3 segments a masked span needs")
	}
	r.Accuracy = float64(hit) / float64(r.Tokens)
	r.Exact = float64(exact) / float64(r.Spans)
	return r, nil
}
