package pretrain

import (
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gomlx/compute"
	"github.com/paulmach/orb"

	"github.com/tfm-course/course/tfm/backend"
	_ "github.com/tfm-course/course/tfm/modality/all" // Train fits modalities by name
	"github.com/tfm-course/course/tfm/traj"
)

func testBackend(t testing.TB) compute.Backend {
	t.Helper()
	backend.Logger = io.Discard
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// toyCity makes n trajectories on a Manhattan street grid around (10°E,
// 50°N): each starts in one of 4 districts (its type a label), moves with a
// mode-specific speed (walk/bike/car) along streets, one fix every 10 s.
func toyCity(n int, seed uint64) *traj.Dataset {
	city := traj.NewLocalProjection(orb.Point{10, 50}) // metres around (10°E, 50°N)
	rng := rand.New(rand.NewPCG(seed, 7))
	modes := []string{"walk", "bike", "car"}
	speeds := []float64{1.4, 4.5, 11}
	types := []string{"residential", "commercial", "industrial", "park"}
	ds := &traj.Dataset{Name: "toy"}
	t0 := time.Date(2024, 3, 4, 7, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		mode := rng.IntN(3)
		district := rng.IntN(4)
		x := float64(district%2)*2000 + rng.Float64()*1500 // metres
		y := float64(district/2)*2000 + rng.Float64()*1500
		heading := rng.IntN(4)
		start := t0.Add(time.Duration(rng.IntN(14*3600)) * time.Second)
		m := 20 + rng.IntN(25)
		tr := &traj.Trajectory{ID: fmt.Sprintf("t%03d", i), UserID: "u", Mode: modes[mode],
			Labels: map[string]string{"district_type_from": types[district]}}
		for k := 0; k < m; k++ {
			p := city.LonLat(x, y)
			tr.Points = append(tr.Points, traj.NewPoint(p[0], p[1], start.Add(time.Duration(k*10)*time.Second)))
			if rng.Float64() < 0.1 {
				heading = (heading + 1 + 2*rng.IntN(2)) % 4 // turn left or right
			}
			step := speeds[mode] * 10 * (0.8 + 0.4*rng.Float64())
			x += step * []float64{1, 0, -1, 0}[heading]
			y += step * []float64{0, 1, 0, -1}[heading]
		}
		ds.Trajectories = append(ds.Trajectories, tr)
	}
	return ds
}

var _ = orb.Point{}
