package geojson_test

import (
	"bytes"
	"fmt"
	"time"

	"github.com/tfm-course/course/datasets/geojson"
	"github.com/tfm-course/course/tfm/traj"
)

func Example() {
	t0 := time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)
	ds := &traj.Dataset{Trajectories: []*traj.Trajectory{{ID: "trip-1", UserID: "ann", Mode: "walk",
		Points: []traj.Point{traj.NewPoint(2.35, 48.85, t0), traj.NewPoint(2.351, 48.851, t0.Add(time.Minute))}}}}
	var buf bytes.Buffer
	geojson.Write(&buf, ds) // a FeatureCollection with "times" per coordinate
	back, err := geojson.Read(&buf, "trips.geojson", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	t := back.Trajectories[0]
	fmt.Println(t.ID, t.UserID, t.Mode, t.Len(), t.Duration())
	// Output: trip-1 ann walk 2 1m0s
}
