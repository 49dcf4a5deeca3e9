package tasks

import (
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/paulmach/orb"

	"github.com/tfm-course/course/tfm/traj"
)

// RandomWalks makes n seeded random-walk trajectories in Beijing with
// 20–60 points each, 10 s apart, at 3–15 m/s — a stand-in for real data in
// tests and examples.
func RandomWalks(n int, seed uint64) []*traj.Trajectory {
	rng := rand.New(rand.NewPCG(seed, 1))
	t0 := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	ts := make([]*traj.Trajectory, n)
	for i := range ts {
		lon, lat := 116.3+rng.Float64()*0.1, 39.9+rng.Float64()*0.1
		heading := rng.Float64() * 2 * math.Pi
		speed := 3 + rng.Float64()*12 // m/s
		np := 20 + rng.IntN(41)
		t := &traj.Trajectory{ID: "w" + strconv.Itoa(i), UserID: "u" + strconv.Itoa(i%7)}
		for k := 0; k < np; k++ {
			t.Points = append(t.Points, traj.NewPoint(lon, lat, t0.Add(time.Duration(10*k)*time.Second)))
			heading += rng.NormFloat64() * 0.3
			step := speed * 10
			// One step in the local projection around the current point.
			next := traj.NewLocalProjection(orb.Point{lon, lat}).LonLat(step*math.Sin(heading), step*math.Cos(heading))
			lon, lat = next[0], next[1]
		}
		ts[i] = t
	}
	return ts
}
