package pretrain

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/tfm-course/course/datasets"
	"github.com/tfm-course/course/tfm/modality"
	"github.com/tfm-course/course/tfm/modality/gps"
	"github.com/tfm-course/course/tfm/modality/grid"
	tfm "github.com/tfm-course/course/tfm/model"
)

// hiddenRuns returns the [start, end) ranges of the maximal runs of hidden
// steps of row r (steps 0..n-1).
func hiddenRuns(hidden []bool, r, L, n int) [][2]int {
	var runs [][2]int
	for i := 0; i < n; i++ {
		if hidden[r*L+i] && (i == 0 || !hidden[r*L+i-1]) {
			j := i
			for j < n && hidden[r*L+j] {
				j++
			}
			runs = append(runs, [2]int{i, j})
		}
	}
	return runs
}

// checkWholeUnits fails unless every hidden run of every row starts and
// ends where seg(row) changes (or at the row's ends); rows with one unit
// only (road-aware masking falls back to a span there) are skipped. It
// returns the hidden steps checked.
func checkWholeUnits(t *testing.T, name string, b *modality.Batch, hidden []bool, seg func(r, n int) []int) int {
	t.Helper()
	lengths, masked := b.Lengths(), 0
	for r := 0; r < b.Size; r++ {
		n := lengths[r]
		s := seg(r, n)
		if len(SegmentRuns(s)) < 2 {
			continue
		}
		for _, h := range hiddenRuns(hidden, r, b.Len, n) {
			if (h[0] > 0 && s[h[0]-1] == s[h[0]]) || (h[1] < n && s[h[1]-1] == s[h[1]]) {
				t.Fatalf("%s row %d: hidden steps %v cut a unit: ids %v", name, r, h, s)
			}
			masked += h[1] - h[0]
		}
	}
	return masked
}

// Road-aware masking on the synthetic city's map-matched paths: gps and
// grid hide whole matched segments (every hidden run starts and ends at a
// change of matched segment id, or at the trip's ends), the same masks
// under the same seed, also from a second model fitted alike.
func TestRoadAwareMaskMatchedSegments(t *testing.T) {
	data, err := datasets.Load("synthetic:seed=3,trajectories=80")
	if err != nil {
		t.Fatal(err)
	}
	be := testBackend(t)
	opt := tinyOptions("generative", "gps", 1)
	src := modality.Source{Trajectories: data.Trajectories, Map: data.Map}
	trajs := data.Trajectories[:24]
	for _, name := range []string{"gps", "grid"} {
		mask := func() (*modality.Batch, []bool, *tfm.Model) {
			m, err := tfm.Fit(be, opt.Encoder, 1, src, name)
			if err != nil {
				t.Fatal(err)
			}
			if got := RoadMasking(m.Primary().Modality); got != modality.RoadSegments {
				t.Fatalf("%s fitted with the city's map masks %q, want %q", name, got, modality.RoadSegments)
			}
			gen, err := NewGenerative(m, GenerativeConfig{Masking: "road", MaskRatio: 0.3})
			if err != nil {
				t.Fatal(err)
			}
			b, err := m.Primary().Modality.Batch(trajs, 32)
			if err != nil {
				t.Fatal(err)
			}
			return b, gen.Mask(rand.New(rand.NewPCG(5, 5)), b), m
		}
		b, hidden, m := mask()
		var seg func(r, n int) []int
		switch mod := m.Primary().Modality.(type) {
		case *gps.Modality: // step i is point i (truncation)
			seg = func(r, n int) []int { return mod.MatchedSegments(trajs[r])[:n] }
		case *grid.Modality: // the batch's tokens are masked now: a fresh one
			fresh, err := mod.Batch(trajs, 32)
			if err != nil {
				t.Fatal(err)
			}
			seg = func(r, n int) []int { return mod.RoadRuns(fresh, r, 0, n) }
		}
		masked := checkWholeUnits(t, name, b, hidden, seg)
		total := 0
		for _, n := range b.Lengths() {
			total += n
		}
		t.Logf("%s: %d of %d steps hidden, in whole matched segments", name, masked, total)
		if masked < total/10 {
			t.Errorf("%s: only %d of %d steps hidden", name, masked, total)
		}
		_, again, _ := mask()
		if !slices.Equal(hidden, again) {
			t.Errorf("%s: another model fitted alike, same seed: different masks", name)
		}
	}
}

// Without a road network gps falls back to the stretches between turns,
// hidden whole; RoadMasking says so.
func TestRoadAwareMaskFallback(t *testing.T) {
	ds := toyCity(30, 2)
	opt := tinyOptions("generative", "gps", 1)
	m, err := tfm.Fit(testBackend(t), opt.Encoder, 1, modality.Source{Trajectories: ds.Trajectories}, "gps")
	if err != nil {
		t.Fatal(err)
	}
	mod := m.Primary().Modality
	if got := RoadMasking(mod); got != modality.RoadTurns {
		t.Fatalf("gps without a map masks %q, want %q", got, modality.RoadTurns)
	}
	gen, err := NewGenerative(m, GenerativeConfig{Masking: "road", MaskRatio: 0.3})
	if err != nil {
		t.Fatal(err)
	}
	b, err := mod.Batch(ds.Trajectories, 32)
	if err != nil {
		t.Fatal(err)
	}
	fresh, _ := mod.Batch(ds.Trajectories, 32)
	roads := mod.(modality.Roads)
	hidden := gen.Mask(rand.New(rand.NewPCG(5, 5)), b)
	masked := checkWholeUnits(t, "gps without a map", b, hidden, func(r, n int) []int { return roads.RoadRuns(fresh, r, 0, n) })
	if masked == 0 {
		t.Fatal("nothing hidden")
	}
	if got := RoadMasking(nil); got != RoadSteps {
		t.Errorf("RoadMasking(nil) = %q", got)
	}
}

// Training says which units road-aware masking hides; a model reloaded from
// its checkpoint (no map in the gps state) gets the map back from the
// options when its objective is built, so a resumed run masks as before.
func TestRoadMaskingLoggedAndResumed(t *testing.T) {
	data, err := datasets.Load("synthetic:seed=3,trajectories=40")
	if err != nil {
		t.Fatal(err)
	}
	be := testBackend(t)
	for _, withMap := range []bool{true, false} {
		opt := tinyOptions("generative", "gps", 2)
		opt.Generative.Masking = "road"
		if withMap {
			opt.Map = data.Map
		}
		opt.CheckpointDir = t.TempDir()
		var log bytes.Buffer
		opt.Progress = &log
		if _, err := Train(context.Background(), be, data.Dataset, opt); err != nil {
			t.Fatal(err)
		}
		want := RoadMaskingText(modality.RoadTurns)
		if withMap {
			want = RoadMaskingText(modality.RoadSegments)
		}
		if line := "road-aware masking hides gps: " + want; !strings.Contains(log.String(), line) {
			t.Errorf("map %v: the log lacks %q:\n%s", withMap, line, log.String())
		}
		m, err := tfm.Load(opt.CheckpointDir)
		if err != nil {
			t.Fatal(err)
		}
		if got := RoadMasking(m.Primary().Modality); got != modality.RoadTurns {
			t.Fatalf("reloaded gps masks %q before its objective is built", got)
		}
		opt.Progress = nil
		if _, err := NewObjective("generative", m, opt); err != nil {
			t.Fatal(err)
		}
		want = modality.RoadTurns
		if withMap {
			want = modality.RoadSegments
		}
		if got := RoadMasking(m.Primary().Modality); got != want {
			t.Errorf("map %v: resumed gps masks %q, want %q", withMap, got, want)
		}
	}
	// The hybrid masks its generative copies road-aware too; random
	// masking says nothing about roads.
	for _, masking := range []string{"road", "random"} {
		opt := tinyOptions("hybrid", "grid", 2)
		opt.Generative.Masking = masking
		var log bytes.Buffer
		opt.Progress, opt.Map = &log, data.Map
		if _, err := Train(context.Background(), be, data.Dataset, opt); err != nil {
			t.Fatal(err)
		}
		line := "road-aware masking hides grid: " + RoadMaskingText(modality.RoadSegments)
		if got := strings.Contains(log.String(), line); got != (masking == "road") {
			t.Errorf("hybrid, %s masking: logged %q: %v\n%s", masking, line, got, log.String())
		}
	}
}

// Road-aware masking hides about ratio of the steps (a segment that would
// overshoot by more than is missing is passed over), still whole segments;
// when every segment is too long it hides the one closest to the target,
// and a one-step trip has its step hidden.
func TestRoadAwareMaskNearTarget(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	for _, ratio := range []float64{0.15, 0.3, 0.5} {
		hidden, steps := 0, 0
		for trip := 0; trip < 400; trip++ {
			n := 20 + rng.IntN(60)
			seg := make([]int, n)
			for i, id := 0, 0; i < n; id++ { // segments of 1–8 steps
				for l := 1 + rng.IntN(8); l > 0 && i < n; l-- {
					seg[i] = id
					i++
				}
			}
			m := RoadAwareMask(ratio)(rng, n, seg)
			for _, r := range SegmentRuns(seg) {
				for k := r[0]; k < r[1]; k++ {
					if m[k] != m[r[0]] {
						t.Fatalf("segment %v partly hidden: %v", r, m)
					}
				}
			}
			for _, h := range m {
				if h {
					hidden++
				}
			}
			steps += n
		}
		got := float64(hidden) / float64(steps)
		t.Logf("ratio %.2f: %.3f hidden", ratio, got)
		if got < ratio-0.03 || got > ratio+0.03 {
			t.Errorf("ratio %.2f: %.3f of the steps hidden", ratio, got)
		}
	}
	seg := []int{0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2}
	m := RoadAwareMask(0.15)(rng, len(seg), seg) // target 3: segment 0 (5 steps) is closest
	if fmt.Sprint(m[:6]) != "[true true true true true false]" || slices.Contains(m[6:], true) {
		t.Errorf("all segments too long: hid %v, want the first (5 steps, nearest 3)", m)
	}
	if m := RoadAwareMask(0.3)(rng, 1, []int{7}); !m[0] {
		t.Error("a one-step trip: nothing hidden")
	}
}

// BenchmarkInputsMasking times one step's host inputs (batch, masks,
// scored lists) of generative gps pre-training on the synthetic city, per
// masker: road-aware masking on map-matched segments costs a match of each
// trajectory the first time it is batched ("road-first", a fresh modality
// every iteration) and a cache look-up afterwards ("road").
func BenchmarkInputsMasking(b *testing.B) {
	data, err := datasets.Load("synthetic:seed=1,trajectories=600")
	if err != nil {
		b.Fatal(err)
	}
	be := testBackend(b)
	opt := tinyOptions("generative", "gps", 1)
	opt.Encoder.MaxLen = 64
	src := modality.Source{Trajectories: data.Trajectories, Map: data.Map}
	batch := data.Trajectories[:32]
	for _, c := range []struct{ name, masking string }{{"random", "random"}, {"span", "span"}, {"road", "road"}, {"road-first", "road"}} {
		b.Run(c.name, func(b *testing.B) {
			m, err := tfm.Fit(be, opt.Encoder, 1, src, "gps")
			if err != nil {
				b.Fatal(err)
			}
			gen, err := NewGenerative(m, GenerativeConfig{Masking: c.masking, MaskRatio: 0.15})
			if err != nil {
				b.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(1, 1))
			if _, err := gen.Inputs(rng, batch); err != nil { // warm: matched once
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				if c.name == "road-first" {
					b.StopTimer()
					fresh, err := tfm.Fit(be, opt.Encoder, 1, src, "gps")
					if err != nil {
						b.Fatal(err)
					}
					gen.branch.Modality = fresh.Primary().Modality
					b.StartTimer()
				}
				if _, err := gen.Inputs(rng, batch); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
