package image_test

import (
	"fmt"
	"time"

	"github.com/tfm-course/course/tfm/modality/image"
	"github.com/tfm-course/course/tfm/traj"
)

func Example() {
	t0 := time.Date(2008, 10, 21, 8, 0, 0, 0, time.UTC)
	walk := &traj.Trajectory{ID: "a"}
	for i := 0; i < 4; i++ {
		walk.Points = append(walk.Points, traj.NewPoint(116.30+0.001*float64(i), 39.98, t0.Add(time.Duration(i)*10*time.Second)))
	}
	r := image.New(8, 8) // occupancy, time, speed; framed around the trajectory
	b, err := r.Batch([]*traj.Trajectory{walk})
	if err != nil {
		panic(err)
	}
	fmt.Printf("pixels [%d, %d, %d, %d]\n", b.Size, b.Channels, b.H, b.W)
	for row := 0; row < b.H; row++ { // the occupancy plane
		for col := 0; col < b.W; col++ {
			if b.Pixels[row*b.W+col] > 0 {
				fmt.Print("#")
			} else {
				fmt.Print(".")
			}
		}
		fmt.Println()
	}
	// Output:
	// pixels [1, 3, 8, 8]
	// ........
	// ........
	// ........
	// ........
	// #.#..#.#
	// ........
	// ........
	// ........
}
