package roadnet

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/tfm-course/course/tfm/traj"
)

// gridCity is an n×n street grid with the given block size (m): two-way
// residential streets, with every third avenue a one-way primary road.
func gridCity(n int, block float64) *Graph {
	g := &Graph{}
	proj := NewLocalProjection(orb.Point{2.35, 48.85})
	id := func(i, j int) int { return i*n + j }
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			g.AddNode(proj.LonLat(float64(j)*block, float64(i)*block), 0)
		}
	}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if j+1 < n { // east-west
				if i%3 == 1 {
					g.AddSegment(id(i, j), id(i, j+1), nil, 50/3.6, "primary", "Avenue")
				} else {
					g.AddTwoWay(id(i, j), id(i, j+1), nil, 30/3.6, "residential", "Street")
				}
			}
			if i+1 < n { // north-south
				g.AddTwoWay(id(i, j), id(i+1, j), nil, 30/3.6, "residential", "Road")
			}
		}
	}
	return g
}

func matchSim(t testing.TB, g *Graph, cfg SimConfig, mc MatchConfig) (PathScore, int, time.Duration) {
	t.Helper()
	trips, err := Simulate(g, cfg)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewMatcher(g, mc)
	if err != nil {
		t.Fatal(err)
	}
	ts := make([]*traj.Trajectory, len(trips))
	truth := make([][]int, len(trips))
	points := 0
	for i, tr := range trips {
		ts[i], truth[i] = tr.Traj, tr.Path
		points += len(tr.Traj.Points)
	}
	start := time.Now()
	ms, errs := m.MatchAll(ts)
	el := time.Since(start)
	got := make([][]int, len(ms))
	for i := range ms {
		if errs[i] != nil {
			t.Fatalf("trip %d: %v", i, errs[i])
		}
		got[i] = ms[i].Path()
	}
	return ScorePaths(truth, got), points, el
}

func TestMatchNoiseFreeExact(t *testing.T) {
	g := gridCity(12, 150)
	trips, err := Simulate(g, SimConfig{Seed: 1, Trajectories: 30, Interval: 5 * time.Second, Noise: 0})
	if err != nil {
		t.Fatal(err)
	}
	// Noise-free data: a small σ, so a point a few metres from a junction is
	// not matched to the crossing street (corner cutting).
	mc := DefaultMatchConfig()
	mc.Sigma, mc.MinMove = 1, 0 // and no jitter to filter
	m, err := NewMatcher(g, mc)
	if err != nil {
		t.Fatal(err)
	}
	for i, tr := range trips {
		got, err := m.MatchTrajectory(tr.Traj)
		if err != nil {
			t.Fatal(err)
		}
		p := got.Path()
		if len(p) != len(tr.Path) || LCS(p, tr.Path) != len(p) {
			t.Errorf("trip %d: matched %v, want %v", i, p, tr.Path)
			continue
		}
		for k, mp := range got.Points {
			if mp.Distance > 0.5 {
				t.Errorf("trip %d point %d: %.2f m off the road, want ~0", i, k, mp.Distance)
			}
		}
		for k := 1; k < len(got.Segments); k++ {
			if got.Segments[k].Entry.Before(got.Segments[k-1].Entry) {
				t.Errorf("trip %d: entry times not increasing at %d", i, k)
			}
			// Interpolated between samples 5 s apart; speeds change per segment.
			if d := got.Segments[k].Entry.Sub(tr.Entry[k]); d > 2*time.Second || d < -2*time.Second {
				t.Errorf("trip %d segment %d: entry %v, true %v", i, k, got.Segments[k].Entry, tr.Entry[k])
			}
		}
		if len(got.Breaks) != 0 {
			t.Errorf("trip %d: breaks %v", i, got.Breaks)
		}
	}
}

func TestMatchSimulatedGrid(t *testing.T) {
	g := gridCity(20, 120)
	s, pts, el := matchSim(t, g, SimConfig{Seed: 2, Trajectories: 100, Interval: 15 * time.Second, Noise: 10}, DefaultMatchConfig())
	t.Logf("grid: %+v points=%d %.0f points/s", s, pts, float64(pts)/el.Seconds())
	if s.Accuracy < 0.95 {
		t.Errorf("segment accuracy %.3f < 0.95", s.Accuracy)
	}
}

func TestMatchSimulatedAndorra(t *testing.T) {
	g, _ := andorra(t)
	s, pts, el := matchSim(t, g, SimConfig{Seed: 3, Trajectories: 100, Interval: 15 * time.Second, Noise: 10}, DefaultMatchConfig())
	t.Logf("andorra: %+v points=%d %.0f points/s", s, pts, float64(pts)/el.Seconds())
	if s.Accuracy < 0.95 {
		t.Errorf("segment accuracy %.3f < 0.95", s.Accuracy)
	}
}

// benchMatch matches simulated drives (15 s, 10 m noise) on one core and
// reports points/s and the segment accuracy.
func benchMatch(b *testing.B, g *Graph) {
	trips, err := Simulate(g, SimConfig{Seed: 3, Trajectories: 100, Interval: 15 * time.Second, Noise: 10})
	if err != nil {
		b.Fatal(err)
	}
	mc := DefaultMatchConfig()
	mc.Workers = 1
	m, err := NewMatcher(g, mc)
	if err != nil {
		b.Fatal(err)
	}
	ts := make([]*traj.Trajectory, len(trips))
	truth := make([][]int, len(trips))
	points := 0
	for i, tr := range trips {
		ts[i], truth[i] = tr.Traj, tr.Path
		points += len(tr.Traj.Points)
	}
	var got [][]int
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		ms, _ := m.MatchAll(ts)
		got = got[:0]
		for _, mm := range ms {
			got = append(got, mm.Path())
		}
	}
	b.ReportMetric(float64(points*b.N)/b.Elapsed().Seconds(), "points/s")
	// Per CPU-second: the throughput of one core even on a busy machine.
	if cpu := (cpuTime() - cpu0).Seconds(); cpu > 0 {
		b.ReportMetric(float64(points*b.N)/cpu, "points/cpu-s")
	}
	b.ReportMetric(ScorePaths(truth, got).Accuracy, "segment_accuracy")
}

func BenchmarkMatchAndorra(b *testing.B) {
	g, _ := andorra(b)
	benchMatch(b, g)
}

func BenchmarkMatchGrid(b *testing.B) { benchMatch(b, gridCity(30, 120)) }

func BenchmarkIndexNear(b *testing.B) {
	g, _ := andorra(b)
	ix := NewIndex(g, 50)
	var s nearScratch
	var out []Candidate
	bound := g.Bound()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f := float64(i%1000) / 1000
		p := orb.Point{bound.Min[0] + f*(bound.Max[0]-bound.Min[0]), bound.Min[1] + f*(bound.Max[1]-bound.Min[1])}
		out = ix.near(p, 50, 8, &s, out)
	}
}

func TestMatchBadInputs(t *testing.T) {
	g := gridCity(5, 100)
	m, err := NewMatcher(g, DefaultMatchConfig())
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC)
	inside := g.Nodes[6].Point
	mk := func(pts ...traj.Point) *traj.Trajectory { return &traj.Trajectory{ID: "x", Points: pts} }
	cases := map[string]*traj.Trajectory{
		"no point within 50 m of the road network": mk(traj.NewPoint(116.3, 39.9, t0), traj.NewPoint(116.31, 39.9, t0.Add(time.Minute))),
		"latitude":   mk(traj.NewPoint(inside[0], math.NaN(), t0)),
		"before the": mk(traj.NewPoint(inside[0], inside[1], t0), traj.NewPoint(inside[0], inside[1], t0.Add(-time.Second))),
		"no points":  mk(),
	}
	for want, tr := range cases {
		if _, err := m.MatchTrajectory(tr); err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), `"x"`) {
			t.Errorf("error %v, want %q naming the trajectory", err, want)
		}
	}
	if _, err := NewMatcher(&Graph{}, DefaultMatchConfig()); err == nil {
		t.Error("empty graph accepted")
	}
	bad := DefaultMatchConfig()
	bad.Sigma = 0
	if _, err := NewMatcher(g, bad); err == nil {
		t.Error("sigma 0 accepted")
	}
	// A trajectory partly off the network: the off points are unmatched,
	// the rest matched.
	tr := mk(traj.NewPoint(inside[0], inside[1], t0), traj.NewPoint(116.3, 39.9, t0.Add(time.Minute)),
		traj.NewPoint(g.Nodes[8].Point[0], g.Nodes[8].Point[1], t0.Add(2*time.Minute)))
	got, err := m.MatchTrajectory(tr)
	if err != nil {
		t.Fatal(err)
	}
	if got.Unmatched != 1 || got.Points[1].Segment != -1 || got.Points[0].Segment < 0 || got.Points[2].Segment < 0 {
		t.Errorf("partly off: unmatched %d points %+v", got.Unmatched, got.Points)
	}
}

func TestBreakOnDisconnectedPieces(t *testing.T) {
	// Two separate streets 1 km apart: no route joins them, so matching
	// restarts and reports the break.
	g := &Graph{}
	proj := NewLocalProjection(orb.Point{2.35, 48.85})
	a, b := g.AddNode(proj.LonLat(0, 0), 0), g.AddNode(proj.LonLat(300, 0), 0)
	c, d := g.AddNode(proj.LonLat(0, 1000), 0), g.AddNode(proj.LonLat(300, 1000), 0)
	s1 := g.AddSegment(a, b, nil, 10, "residential", "")
	s2 := g.AddSegment(c, d, nil, 10, "residential", "")
	m, err := NewMatcher(g, DefaultMatchConfig())
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC)
	var tr traj.Trajectory
	for i, xy := range [][2]float64{{50, 0}, {150, 0}, {50, 1000}, {150, 1000}} {
		p := proj.LonLat(xy[0], xy[1])
		tr.Points = append(tr.Points, traj.NewPoint(p[0], p[1], t0.Add(time.Duration(i)*10*time.Second)))
	}
	got, err := m.MatchTrajectory(&tr)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got.Path()) != fmt.Sprint([]int{s1, s2}) || fmt.Sprint(got.Breaks) != "[2]" || !got.Segments[1].Break {
		t.Errorf("path %v breaks %v segments %+v", got.Path(), got.Breaks, got.Segments)
	}
	if !got.Segments[1].Entry.Equal(t0.Add(20 * time.Second)) {
		t.Errorf("entry after the break %v", got.Segments[1].Entry)
	}
}
