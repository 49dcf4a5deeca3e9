package roadnet_test

import (
	"fmt"
	"time"

	"github.com/paulmach/orb"

	"github.com/tfm-course/course/tfm/roadnet"
	"github.com/tfm-course/course/tfm/traj"
)

// A tiny street: A — B — C, two-way. A car drives from A to C; its noisy
// fixes are matched back onto the two segments with their entry times.
func Example() {
	g := &roadnet.Graph{}
	proj := roadnet.NewLocalProjection(orb.Point{1.52, 42.51})
	a := g.AddNode(proj.LonLat(0, 0), 0)
	b := g.AddNode(proj.LonLat(200, 0), 0)
	c := g.AddNode(proj.LonLat(200, 200), 0)
	ab, _ := g.AddTwoWay(a, b, nil, 10, "residential", "Carrer Major")
	bc, _ := g.AddTwoWay(b, c, nil, 10, "residential", "Avinguda")

	t0 := time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)
	tr := &traj.Trajectory{ID: "car-1"}
	for i, xy := range [][2]float64{{20, 3}, {120, -4}, {203, 60}, {196, 160}} { // metres east, north
		p := proj.LonLat(xy[0], xy[1])
		tr.Points = append(tr.Points, traj.NewPoint(p[0], p[1], t0.Add(time.Duration(i)*10*time.Second)))
	}
	m, err := roadnet.NewMatcher(g, roadnet.DefaultMatchConfig())
	if err != nil {
		panic(err)
	}
	res, err := m.MatchTrajectory(tr)
	if err != nil {
		panic(err)
	}
	fmt.Println("true path:", []int{ab, bc}, "matched:", res.Path())
	for _, s := range res.Segments {
		fmt.Printf("segment %d (%s) entered at %s\n", s.Segment, g.Segments[s.Segment].Name, s.Entry.Format("15:04:05"))
	}
	// Output:
	// true path: [0 2] matched: [0 2]
	// segment 0 (Carrer Major) entered at 09:00:00
	// segment 2 (Avinguda) entered at 09:00:15
}

// Simulate drives with known paths, match them and score the result.
func ExampleScorePaths() {
	g := &roadnet.Graph{}
	proj := roadnet.NewLocalProjection(orb.Point{2.35, 48.85})
	const n = 6 // a 6×6 grid of 150 m blocks
	for i := 0; i < n*n; i++ {
		g.AddNode(proj.LonLat(float64(i%n)*150, float64(i/n)*150), 0)
	}
	for i := 0; i < n*n; i++ {
		if i%n+1 < n {
			g.AddTwoWay(i, i+1, nil, 13.9, "secondary", "")
		}
		if i+n < n*n {
			g.AddTwoWay(i, i+n, nil, 13.9, "secondary", "")
		}
	}
	trips, _ := roadnet.Simulate(g, roadnet.SimConfig{Seed: 1, Trajectories: 20, Interval: 15 * time.Second, Noise: 10, MinLength: 500})
	m, _ := roadnet.NewMatcher(g, roadnet.DefaultMatchConfig())
	var truth, got [][]int
	for _, tr := range trips {
		res, _ := m.MatchTrajectory(tr.Traj)
		truth, got = append(truth, tr.Path), append(got, res.Path())
	}
	fmt.Printf("segment accuracy ≥ 0.95: %v\n", roadnet.ScorePaths(truth, got).Accuracy >= 0.95)
	// Output: segment accuracy ≥ 0.95: true
}
