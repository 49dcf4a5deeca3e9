package viz

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// NiceTicks returns about n tick values covering [lo, hi] spaced by a "nice"
// step of 1, 2 or 5 × 10^k (so never 7.47 / 14.9 / 22.4). Every tick lies in
// [lo, hi]; it returns at least the two ends' nice neighbours inside the range
// when the range is tiny, and nil when hi <= lo or a bound is not finite.
func NiceTicks(lo, hi float64, n int) []float64 {
	if !(hi > lo) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return nil
	}
	step := NiceStep((hi - lo) / float64(max(n-1, 1)))
	start := math.Ceil(lo/step-1e-9) * step
	var out []float64
	for v := start; v <= hi+step*1e-9; v += step {
		r := roundTo(v, step)
		if r == 0 {
			r = 0 // no "-0"
		}
		out = append(out, r)
		if len(out) > 4*n+4 {
			break
		}
	}
	return out
}

// NiceStep rounds a positive step to the nearest of 1, 2 or 5 × 10^k.
func NiceStep(raw float64) float64 {
	if !(raw > 0) {
		return 1
	}
	e := math.Pow(10, math.Floor(math.Log10(raw)))
	f := raw / e
	switch {
	case f < 1.5:
		return e
	case f < 3.5:
		return 2 * e
	case f < 7.5:
		return 5 * e
	}
	return 10 * e
}

// roundTo removes the floating-point noise of v, a multiple of step.
func roundTo(v, step float64) float64 {
	d := decimals(step)
	p := math.Pow(10, float64(d))
	return math.Round(v*p) / p
}

// decimals is how many decimals a nice step needs (0.05 → 2, 20 → 0).
func decimals(step float64) int {
	if step >= 1 {
		return 0
	}
	return int(math.Ceil(-math.Log10(step) - 1e-9))
}

// niceTicker labels about 5 ticks at 1-2-5 steps with minor ticks between.
type niceTicker struct{ n int }

func (t niceTicker) Ticks(lo, hi float64) []plot.Tick {
	vals := NiceTicks(lo, hi, t.n)
	if len(vals) < 2 { // a tiny range: fall back to gonum's own ticks
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	step := vals[1] - vals[0]
	d := decimals(NiceStep(step))
	var ticks []plot.Tick
	for i, v := range vals {
		ticks = append(ticks, plot.Tick{Value: v, Label: formatFixed(v, d)})
		if i+1 < len(vals) {
			ticks = append(ticks, plot.Tick{Value: v + step/2})
		}
	}
	if m := vals[0] - step/2; m >= lo {
		ticks = append(ticks, plot.Tick{Value: m})
	}
	if m := vals[len(vals)-1] + step/2; m <= hi {
		ticks = append(ticks, plot.Tick{Value: m})
	}
	return ticks
}

// formatFixed writes v with d decimals, switching to engineering-free short
// forms for large values (12000 → "12k").
func formatFixed(v float64, d int) string {
	if a := math.Abs(v); a >= 10000 && d == 0 && math.Mod(v, 1000) == 0 {
		return strconv.FormatFloat(v/1000, 'f', -1, 64) + "k"
	}
	return strconv.FormatFloat(v, 'f', d, 64)
}

// box is an axis-aligned rectangle in canvas coordinates.
type box struct{ x0, y0, x1, y1 vg.Length }

func (a box) overlaps(b box) bool {
	return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1
}

// placeLabels chooses, for each label of size sizes[i] wanted at anchors[i],
// a centre among the anchor and positions around it so that the label
// overlaps none of the obstacles (e.g. POI dots) nor a label placed before
// it. ok[i] is false when every candidate collides (the least-colliding
// candidate is returned then).
func placeLabels(anchors []vg.Point, sizes []vg.Point, obstacles []box) (centres []vg.Point, ok []bool) {
	var placed []box
	for i, a := range anchors {
		w, h := sizes[i].X, sizes[i].Y
		var best vg.Point
		bestHits := -1
		for _, d := range candidateOffsets(w, h) {
			c := vg.Point{X: a.X + d.X, Y: a.Y + d.Y}
			b := box{c.X - w/2, c.Y - h/2, c.X + w/2, c.Y + h/2}
			hits := 0
			for _, o := range obstacles {
				if b.overlaps(o) {
					hits++
				}
			}
			for _, o := range placed {
				if b.overlaps(o) {
					hits += 2
				}
			}
			if bestHits < 0 || hits < bestHits {
				best, bestHits = c, hits
			}
			if hits == 0 {
				break
			}
		}
		centres = append(centres, best)
		ok = append(ok, bestHits == 0)
		placed = append(placed, box{best.X - w/2, best.Y - h/2, best.X + w/2, best.Y + h/2})
	}
	return centres, ok
}

// candidateOffsets: the anchor itself, then above, below, right, left and the
// diagonals, at one and two label heights.
func candidateOffsets(w, h vg.Length) []vg.Point {
	out := []vg.Point{{}}
	for _, k := range []vg.Length{1, 2} {
		dy, dx := h*1.1*k, (w/2+h)*k
		out = append(out, vg.Point{Y: dy}, vg.Point{Y: -dy}, vg.Point{X: dx}, vg.Point{X: -dx},
			vg.Point{X: dx, Y: dy}, vg.Point{X: -dx, Y: dy}, vg.Point{X: dx, Y: -dy}, vg.Point{X: -dx, Y: -dy})
	}
	return out
}
