package csvtraj_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/tfm-course/course/datasets/csvtraj"
)

func ExampleRead() {
	in := "TrackID;Longitude;Latitude;When;Seq\nk1;10.40;50.00;2024-05-01 10:00:00;2\nk1;10.39;50.01;2024-05-01 09:59:00;1\n"
	ds, err := csvtraj.Read(strings.NewReader(in), "tracks.csv", csvtraj.Columns{ID: "trackid", Time: "when"}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	csvtraj.Write(os.Stdout, ds) // the course's exchange format
	// Output:
	// traj_id,user_id,mode,lon,lat,time
	// k1,,,10.39,50.01,2024-05-01T09:59:00Z
	// k1,,,10.4,50,2024-05-01T10:00:00Z
}
