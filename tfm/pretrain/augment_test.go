package pretrain

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/tfm-course/course/tfm/modality"
	"github.com/tfm-course/course/tfm/traj"
)

func line(n int) *traj.Trajectory {
	t := &traj.Trajectory{ID: "line"}
	t0 := time.Date(2024, 3, 4, 8, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		// A zig-zag so Douglas–Peucker has corners to keep.
		lat := 50 + 0.0005*float64(i%4)
		t.Points = append(t.Points, traj.NewPoint(10+0.0003*float64(i), lat, t0.Add(time.Duration(10*i)*time.Second)))
	}
	return t
}

// same compares position and time (Alt etc. may be NaN = unknown).
func same(a, b traj.Point) bool { return a.Point == b.Point && a.Time.Equal(b.Time) }

func ordered(t *traj.Trajectory) bool {
	for i := 1; i < len(t.Points); i++ {
		if !t.Points[i].Time.After(t.Points[i-1].Time) {
			return false
		}
	}
	return true
}

// isSubsequence: every view point is an original point, in order.
func isSubsequence(v, t *traj.Trajectory) bool {
	j := 0
	for _, p := range v.Points {
		for j < len(t.Points) && !same(t.Points[j], p) {
			j++
		}
		if j == len(t.Points) {
			return false
		}
		j++
	}
	return true
}

func TestAugmentationInvariants(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	orig := line(50)
	before := orig.Clone()
	for i := 0; i < 200; i++ {
		c := Crop(0.6)(rng, orig)
		if len(c.Points) < 30 || !ordered(c) || !isSubsequence(c, orig) {
			t.Fatalf("crop: %d points, ordered=%v", len(c.Points), ordered(c))
		}
		// A crop is contiguous.
		first := 0
		for !same(orig.Points[first], c.Points[0]) {
			first++
		}
		for k, p := range c.Points {
			if !same(orig.Points[first+k], p) {
				t.Fatal("crop is not contiguous")
			}
		}
		j := Jitter(10)(rng, orig)
		for k := range j.Points {
			if d := traj.Haversine(j.Points[k].Point, orig.Points[k].Point); d > 10.01 {
				t.Fatalf("jitter moved point %d by %.2f m > 10 m", k, d)
			}
		}
		m := MaskPoints(0.3)(rng, orig)
		if !isSubsequence(m, orig) || !same(m.Points[0], orig.Points[0]) || !same(m.Points[len(m.Points)-1], orig.Points[49]) {
			t.Fatal("point masking must keep order and both ends")
		}
		d := Downsample(3)(rng, orig)
		if !isSubsequence(d, orig) || len(d.Points) > 26 {
			t.Fatalf("downsample kept %d of 50", len(d.Points))
		}
		s := TimeShift(time.Hour)(rng, orig)
		shift := s.Points[0].Time.Sub(orig.Points[0].Time)
		for k := range s.Points {
			if s.Points[k].Time.Sub(orig.Points[k].Time) != shift || s.Points[k].Point != orig.Points[k].Point || shift.Abs() > time.Hour {
				t.Fatal("time shift must move every timestamp by one offset ≤ 1 h and keep the path")
			}
		}
	}
	simp := Simplify(5)(rng, orig)
	if !isSubsequence(simp, orig) || len(simp.Points) >= 50 || len(simp.Points) < 3 {
		t.Fatalf("simplify kept %d of 50 zig-zag points", len(simp.Points))
	}
	straight := &traj.Trajectory{Points: []traj.Point{orig.Points[0], orig.Points[4], orig.Points[8]}}
	if got := Simplify(5)(rng, straight); len(got.Points) != 2 {
		t.Fatalf("collinear points: simplify kept %d, want the 2 ends", len(got.Points))
	}
	for k := range orig.Points {
		if !same(orig.Points[k], before.Points[k]) {
			t.Fatal("an augmentation modified its input")
		}
	}
}

func TestSpanLengthsAreGeometric(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	const mean, n = 3.0, 20000
	sum, ones := 0.0, 0
	for i := 0; i < n; i++ {
		k := GeometricSpan(rng, mean)
		sum += float64(k)
		if k == 1 {
			ones++
		}
	}
	if m := sum / n; math.Abs(m-mean) > 0.1 {
		t.Errorf("mean span %.3f, want %.1f", m, mean)
	}
	if p := float64(ones) / n; math.Abs(p-1/mean) > 0.02 {
		t.Errorf("P(len=1) = %.3f, want p = %.3f", p, 1/mean)
	}
	// SpanMask hides about the ratio, in runs.
	m := SpanMask(0.3, 3)(rng, 100, nil)
	hidden, runs := 0, 0
	for i, h := range m {
		if h {
			hidden++
			if i == 0 || !m[i-1] {
				runs++
			}
		}
	}
	if hidden < 25 || hidden > 35 || runs >= hidden {
		t.Errorf("span mask hid %d steps in %d runs", hidden, runs)
	}
}

func TestRoadAwareMaskCoversWholeSegments(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	seg := []int{0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 3, 4, 5, 5, 5, 5, 5, 6, 6}
	for i := 0; i < 100; i++ {
		m := RoadAwareMask(0.3)(rng, len(seg), seg)
		hidden := 0
		for _, r := range SegmentRuns(seg) {
			first := m[r[0]]
			for k := r[0]; k < r[1]; k++ {
				if m[k] != first {
					t.Fatalf("segment %v partly masked: %v", r, m)
				}
				if m[k] {
					hidden++
				}
			}
		}
		if hidden == 0 || hidden == len(seg) {
			t.Fatalf("road-aware mask hid %d of %d", hidden, len(seg))
		}
	}
	if got := modality.TurnSegments([]float64{0, 2, 1, 90, 91, 270, 275}, 30); got[2] != 0 || got[3] != 1 || got[4] != 1 || got[5] != 2 {
		t.Errorf("TurnSegments = %v", got)
	}
}

func TestRandomMaskRatio(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	hidden := 0
	for i := 0; i < 100; i++ {
		for _, h := range RandomMask(0.15)(rng, 100, nil) {
			if h {
				hidden++
			}
		}
	}
	if r := float64(hidden) / 10000; math.Abs(r-0.15) > 0.02 {
		t.Errorf("random mask ratio %.3f, want 0.15", r)
	}
	n := 0
	for _, h := range RandomMask(0)(rng, 5, nil) {
		if h {
			n++
		}
	}
	if n != 1 {
		t.Errorf("ratio 0 must still hide one step, hid %d", n)
	}
}
