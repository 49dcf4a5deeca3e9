package datasets_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/tfm-course/course/datasets"
)

func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "trips.csv")
	os.WriteFile(path, []byte("traj_id,user_id,mode,lon,lat,time\n"+
		"t1,alice,bike,116.30,39.98,2008-10-23T02:53:04Z\n"+
		"t1,alice,bike,116.31,39.99,2008-10-23T02:54:04Z\n"+
		"t2,bob,walk,116.32,39.97,2008-10-23T03:00:00Z\n"+
		"t2,bob,walk,116.32,95.00,2008-10-23T03:01:00Z\n"), 0o644)

	rep := &datasets.Report{}
	ds, err := datasets.Open("csv", path, datasets.Options{SkipBad: true, Report: rep})
	if err != nil {
		fmt.Println(err)
		return
	}
	s := datasets.Summarize(ds)
	fmt.Println(s.Trajectories, "trajectories,", s.Points, "points,", s.Users, "users, modes", s.Modes)
	fmt.Println("skipped rows:", rep.SkippedRows, rep.ByField)
	// Output:
	// 2 trajectories, 3 points, 2 users, modes map[bike:2 walk:1]
	// skipped rows: 1 map[lat:1]
}

func ExampleLoad() {
	ds, err := datasets.Load("synthetic:seed=1,trajectories=5")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(ds.Trajectories), "trajectories")
	// Output: 5 trajectories
}
