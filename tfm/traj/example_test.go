package traj_test

import (
	"fmt"

	"github.com/paulmach/orb"

	"github.com/tfm-course/course/tfm/traj"
)

// Distances on the sphere of radius traj.EarthRadius, and the local
// projection that turns lon/lat into metres around an origin and back.
func ExampleLocalProjection() {
	fmt.Printf("one degree of latitude: %.0f m\n", traj.Haversine(orb.Point{116.4, 39.9}, orb.Point{116.4, 40.9}))

	p := traj.NewLocalProjection(orb.Point{116.4, 39.9})
	q := p.LonLat(300, 400) // 300 m east, 400 m north
	x, y := p.XY(q)
	fmt.Printf("%.6f %.6f is (%.1f, %.1f) m from the origin, %.1f m away\n", q[0], q[1], x, y, traj.Haversine(p.Origin, q))
	// Output:
	// one degree of latitude: 111195 m
	// 116.403517 39.903597 is (300.0, 400.0) m from the origin, 500.0 m away
}
