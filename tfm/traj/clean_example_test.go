package traj_test

import (
	"fmt"
	"time"

	"github.com/tfm-course/course/tfm/traj"
)

func ExampleClean() {
	t0 := time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)
	walk := &traj.Trajectory{ID: "w", UserID: "ann", Mode: "walk"}
	for i, lon := range []float64{0, 0.0001, 0.0002, 0.05 /* a GPS jump */, 0.0003, 0.0004, 0.0005} {
		walk.Points = append(walk.Points, traj.NewPoint(lon, 40, t0.Add(time.Duration(i)*10*time.Second)))
	}
	later := walk.Points[6]
	later.Time = later.Time.Add(time.Hour) // a one-hour gap: split there
	later.Point[0] = 0.0006
	walk.Points = append(walk.Points, later)
	ds := &traj.Dataset{Trajectories: []*traj.Trajectory{walk}}

	cfg := traj.CleanConfig{MaxSpeed: traj.DefaultMaxSpeed, MaxGap: 10 * time.Minute, MinPoints: 2}
	clean, rep := traj.Clean(ds, cfg)
	fmt.Println(rep.SpeedJumps, "jump,", rep.GapSplits, "split,", rep.DroppedShort, "dropped")
	for _, t := range clean.Trajectories {
		fmt.Println(t.ID, t.Len(), "points")
	}
	s, _ := traj.SplitByTrajectory(clean, 0, 0, 1)
	fmt.Println(len(s.Train.Trajectories), "in train")
	// Output:
	// 1 jump, 1 split, 1 dropped
	// w#1 6 points
	// 1 in train
}
