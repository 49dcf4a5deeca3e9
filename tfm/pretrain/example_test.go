package pretrain_test

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/tfm-course/course/tfm/pretrain"
	"github.com/tfm-course/course/tfm/traj"
)

// Contrastive views: a crop keeps a contiguous, ordered part of the trip.
func ExampleCrop() {
	t := &traj.Trajectory{ID: "demo"}
	t0 := time.Date(2024, 3, 4, 8, 0, 0, 0, time.UTC)
	for i := 0; i < 10; i++ {
		t.Points = append(t.Points, traj.NewPoint(10+0.001*float64(i), 50, t0.Add(time.Duration(i)*time.Minute)))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	v := pretrain.Crop(0.5)(rng, t)
	fmt.Println(len(v.Points) >= 5, v.Points[0].Time.Before(v.Points[len(v.Points)-1].Time))
	// Output: true true
}

// Masking strategies choose which steps the generative model reconstructs.
func ExampleRoadAwareMask() {
	seg := []int{0, 0, 0, 1, 1, 2, 2, 2, 2, 3}
	m := pretrain.RoadAwareMask(0.3)(rand.New(rand.NewPCG(3, 4)), len(seg), seg)
	fmt.Println(m)
	// Output: [true true true false false false false false false false]
}
