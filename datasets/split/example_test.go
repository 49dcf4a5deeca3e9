package split_test

import (
	"fmt"
	"time"

	"github.com/tfm-course/course/datasets/split"
	"github.com/tfm-course/course/tfm/traj"
)

func Example() {
	day := time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC)
	var ts []*traj.Trajectory
	for i := range 6 {
		start := day.AddDate(0, 0, 10*i)
		ts = append(ts, &traj.Trajectory{ID: fmt.Sprint("t", i), UserID: fmt.Sprint("u", i%3),
			Points: []traj.Point{traj.NewPoint(10, 50, start), traj.NewPoint(10.01, 50, start.Add(time.Hour))}})
	}
	cut := split.MonthCut(ts, 0.5)
	before, after := split.ByTime(ts, cut)
	fmt.Println(cut.Format("2006-01"), len(before), len(after))
	old, fresh, _ := split.ByUsers(ts, 1.0/3, 1)
	fmt.Println(len(split.Users(old)), len(split.Users(fresh)))
	// Output:
	// 2024-02 4 2
	// 2 1
}
