package gps_test

import (
	"fmt"
	"time"

	"github.com/tfm-course/course/tfm/modality/gps"
	"github.com/tfm-course/course/tfm/traj"
)

func Example() {
	t0 := time.Date(2008, 10, 21, 8, 0, 0, 0, time.UTC)
	walk := &traj.Trajectory{ID: "a", Points: []traj.Point{
		traj.NewPoint(116.300, 39.980, t0),
		traj.NewPoint(116.301, 39.980, t0.Add(10*time.Second)),
		traj.NewPoint(116.302, 39.981, t0.Add(20*time.Second)),
	}}
	f, err := gps.Fit([]*traj.Trajectory{walk}) // fit on training data only
	if err != nil {
		panic(err)
	}
	b, err := f.Batch([]*traj.Trajectory{walk}, 4)
	if err != nil {
		panic(err)
	}
	fmt.Println("columns:", gps.FeatureNames[:4], "…")
	fmt.Printf("batch [%d, %d, %d], mask %v\n", b.Size, b.Len, b.NumFeatures, b.Mask)
	fmt.Printf("speed of step 1: %.1f m/s\n", f.Denormalise(gps.Speed, float64(b.Features[1*gps.NumFeatures+gps.Speed])))
	// Output:
	// columns: [x y dt dist] …
	// batch [1, 4, 12], mask [true true true false]
	// speed of step 1: 8.5 m/s
}
