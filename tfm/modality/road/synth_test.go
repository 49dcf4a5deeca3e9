package road_test

import (
	"math"
	"slices"
	"testing"

	"github.com/tfm-course/course/datasets/synth"
	"github.com/tfm-course/course/tfm/modality"
	"github.com/tfm-course/course/tfm/modality/road"
	"github.com/tfm-course/course/tfm/roadnet"
	"github.com/tfm-course/course/tfm/traj"
)

// On the synthetic city: matched paths become token sequences whose
// consecutive tokens follow the road graph, and the tokens agree with the
// true paths' tokens.
func TestSynthCitySequences(t *testing.T) {
	cfg := synth.DefaultConfig()
	cfg.Seed, cfg.Trajectories = 11, 60
	city, err := synth.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m, err := roadnet.NewMatcher(city.Network, roadnet.DefaultMatchConfig())
	if err != nil {
		t.Fatal(err)
	}
	ts := make([]*traj.Trajectory, len(city.Trips))
	for i := range city.Trips {
		ts[i] = city.Trips[i].Observed
	}
	seqs, errs := road.MatchAll(m, ts)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("trip %d: %v", i, err)
		}
	}
	v, err := road.NewVocab(city.Network, road.Options{CLS: true})
	if err != nil {
		t.Fatal(err)
	}
	b, err := v.Batch(seqs, 64)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Check(); err != nil {
		t.Fatal(err)
	}
	steps, linked := 0, 0
	for r := 0; r < b.Size; r++ {
		for i := 2; i < b.Len && b.Mask[r*b.Len+i]; i++ {
			steps++
			if slices.Contains(v.Successors(b.Tokens[r*b.Len+i-1]), b.Tokens[r*b.Len+i]) {
				linked++
			}
			if b.Tokens[r*b.Len+i] < modality.NumSpecial {
				t.Fatalf("row %d step %d: special token %d inside a sequence", r, i, b.Tokens[r*b.Len+i])
			}
		}
	}
	if linked != steps { // no breaks expected on the synthetic city
		t.Errorf("%d of %d consecutive tokens follow the graph", linked, steps)
	}
	// Entry times agree with the trips' true ones (interpolation between
	// fixes ~10 s apart). A vehicle waiting at a junction (bus stops,
	// traffic) cannot be told from one just past it, so the tail is long.
	var truth, got [][]int
	var errSec []float64
	for i, s := range seqs {
		truth, got = append(truth, city.Trips[i].Path), append(got, s.Segments)
		for j, seg := range s.Segments {
			if k := slices.Index(city.Trips[i].Path, seg); k > 0 && j > 0 {
				errSec = append(errSec, math.Abs(s.Entry[j].Sub(city.Trips[i].Entry[k]).Seconds()))
			}
		}
	}
	slices.Sort(errSec)
	med, p75 := errSec[len(errSec)/2], errSec[len(errSec)*3/4]
	t.Logf("entry time error: median %.1f s, 75th percentile %.1f s over %d segments", med, p75, len(errSec))
	if med > 3 || p75 > 6 {
		t.Errorf("entry times too far from the truth: median %.1f s, p75 %.1f s", med, p75)
	}
	if sc := roadnet.ScorePaths(truth, got); sc.Accuracy < 0.95 {
		t.Errorf("segment accuracy %.3f", sc.Accuracy)
	}
}
