package roadnet_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/tfm-course/course/datasets/synth"
	"github.com/tfm-course/course/tfm/roadnet"
	"github.com/tfm-course/course/tfm/traj"
)

// Evaluate with the synthetic city's agents on its own network (small: 40
// trips): every mode is matched, the scores are high and reproducible.
func TestEvaluateSynthCity(t *testing.T) {
	cfg := roadnet.DefaultEvalConfig()
	cfg.Network, cfg.Simulator, cfg.Simulate = "synthetic", "synth", synth.EvalTrips
	cfg.Seed, cfg.Trajectories = 4, 40
	r, err := roadnet.Evaluate(nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s", r)
	if r.Trajectories != 40 || r.Failed != 0 || r.Segments == 0 || r.Points < 40*5 {
		t.Errorf("report %+v", *r)
	}
	if r.SegmentAccuracy < 0.95 || r.SegmentPrecision < 0.85 {
		t.Errorf("segment accuracy %.3f (want ≥ 0.95), precision %.3f (want ≥ 0.85)", r.SegmentAccuracy, r.SegmentPrecision)
	}
	if len(r.ByMode) < 2 {
		t.Errorf("modes %v: want the agents' several modes", r.ByMode)
	}
	for mode, acc := range r.ByMode {
		if acc < 0.9 {
			t.Errorf("%s: segment accuracy %.3f", mode, acc)
		}
	}
	// The network is the city's for the seed (as datasets.Load builds it).
	cc := synth.DefaultConfig()
	cc.Seed, cc.Trajectories = 4, 1
	city, err := synth.Generate(cc)
	if err != nil {
		t.Fatal(err)
	}
	if r.Nodes != len(city.Network.Nodes) || r.Segments != len(city.Network.Segments) {
		t.Errorf("network %d nodes %d segments, the city's has %d, %d", r.Nodes, r.Segments, len(city.Network.Nodes), len(city.Network.Segments))
	}
	again, err := roadnet.Evaluate(nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if again.Points != r.Points || again.SegmentAccuracy != r.SegmentAccuracy || again.SegmentPrecision != r.SegmentPrecision ||
		again.ExactShare != r.ExactShare || again.Breaks != r.Breaks || !reflect.DeepEqual(again.ByMode, r.ByMode) {
		t.Errorf("not deterministic under the seed:\n%s%s", r, again)
	}
}

func TestMatchSynthCity(t *testing.T) {
	cfg := synth.DefaultConfig()
	cfg.Seed, cfg.Trajectories = 5, 200
	cfg.SamplingInterval, cfg.Noise = 15*time.Second, 10
	start := time.Now()
	city, err := synth.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("city: %d nodes %d segments, generated in %v", len(city.Network.Nodes), len(city.Network.Segments), time.Since(start))
	m, err := roadnet.NewMatcher(city.Network, roadnet.DefaultMatchConfig())
	if err != nil {
		t.Fatal(err)
	}
	byMode := map[string][2][][]int{}
	var ts []*traj.Trajectory
	for _, tr := range city.Trips {
		ts = append(ts, tr.Observed)
	}
	ms, errs := m.MatchAll(ts)
	for i, tr := range city.Trips {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		// Every matched fix lies on a segment of the matched path.
		on := map[int]bool{}
		for _, s := range ms[i].Segments {
			on[s.Segment] = true
		}
		for k, p := range ms[i].Points {
			if p.Segment >= 0 && !on[p.Segment] {
				t.Fatalf("trip %d point %d matched to segment %d, not on the path %v", i, k, p.Segment, ms[i].Path())
			}
		}
		b := byMode[tr.Mode]
		b[0] = append(b[0], tr.Path)
		b[1] = append(b[1], ms[i].Path())
		byMode[tr.Mode] = b
	}
	var all [2][][]int
	for mode, b := range byMode {
		t.Logf("%s: %+v", mode, roadnet.ScorePaths(b[0], b[1]))
		all[0], all[1] = append(all[0], b[0]...), append(all[1], b[1]...)
	}
	s := roadnet.ScorePaths(all[0], all[1])
	t.Logf("all: %+v", s)
	if s.Accuracy < 0.95 {
		t.Errorf("segment accuracy %.3f < 0.95 on the synthetic city", s.Accuracy)
	}
}

// BenchmarkMatchSynthCity matches the synthetic city's trips (15 s, 10 m)
// on one core and reports points/s and the segment accuracy.
func BenchmarkMatchSynthCity(b *testing.B) {
	cfg := synth.DefaultConfig()
	cfg.Seed, cfg.Trajectories = 5, 200
	cfg.SamplingInterval, cfg.Noise = 15*time.Second, 10
	city, err := synth.Generate(cfg)
	if err != nil {
		b.Fatal(err)
	}
	mc := roadnet.DefaultMatchConfig()
	mc.Workers = 1
	m, err := roadnet.NewMatcher(city.Network, mc)
	if err != nil {
		b.Fatal(err)
	}
	var ts []*traj.Trajectory
	var truth [][]int
	points := 0
	for _, tr := range city.Trips {
		ts = append(ts, tr.Observed)
		truth = append(truth, tr.Path)
		points += len(tr.Observed.Points)
	}
	var got [][]int
	b.ResetTimer()
	cpu0 := roadnet.CPUTime()
	for i := 0; i < b.N; i++ {
		ms, _ := m.MatchAll(ts)
		got = got[:0]
		for _, mm := range ms {
			got = append(got, mm.Path())
		}
	}
	b.ReportMetric(float64(points*b.N)/b.Elapsed().Seconds(), "points/s")
	if cpu := (roadnet.CPUTime() - cpu0).Seconds(); cpu > 0 {
		b.ReportMetric(float64(points*b.N)/cpu, "points/cpu-s")
	}
	b.ReportMetric(roadnet.ScorePaths(truth, got).Accuracy, "segment_accuracy")
}

// The synthetic city's agents simulated on the real Andorra network.
func TestMatchSynthOnAndorra(t *testing.T) {
	g, _ := roadnet.Andorra(t)
	cfg := synth.DefaultConfig()
	cfg.Seed, cfg.Trajectories, cfg.Network = 6, 150, g
	cfg.SamplingInterval, cfg.Noise, cfg.DropoutRate = 15*time.Second, 10, 0
	city, err := synth.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m, err := roadnet.NewMatcher(g, roadnet.DefaultMatchConfig())
	if err != nil {
		t.Fatal(err)
	}
	var ts []*traj.Trajectory
	var truth [][]int
	for _, tr := range city.Trips {
		ts, truth = append(ts, tr.Observed), append(truth, tr.Path)
	}
	ms, errs := m.MatchAll(ts)
	got := make([][]int, len(ms))
	for i := range ms {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		got[i] = ms[i].Path()
	}
	s := roadnet.ScorePaths(truth, got)
	t.Logf("synth agents on Andorra: %+v", s)
	if s.Accuracy < 0.95 || s.Precision < 0.9 {
		t.Errorf("segment accuracy %.3f (want ≥ 0.95), precision %.3f (want ≥ 0.9)", s.Accuracy, s.Precision)
	}
}
