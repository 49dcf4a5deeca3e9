package geolife_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/tfm-course/course/datasets/geolife"
	"github.com/tfm-course/course/tfm/traj"
)

func Example() {
	plt := "Geolife trajectory\nWGS 84\nAltitude is in Feet\nReserved 3\n0,2,255,My Track,0,0,2,8421376\n0\n" +
		"39.984702,116.318417,0,492,39744.1201851852,2008-10-23,02:53:04\r\n" +
		"39.984683,116.31845,0,492,39744.1202546296,2008-10-23,02:53:10\r\n" +
		"39.984686,116.318417,0,492,39744.1203125,2008-10-23,02:53:15\r\n"
	labels := "Start Time\tEnd Time\tTransportation Mode\r\n2008/10/23 02:53:05\t2008/10/23 03:10:00\twalk\r\n"

	pts, err := geolife.ReadPLT(strings.NewReader(plt), "000/Trajectory/20081023025304.plt", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	ivs, _ := geolife.ReadLabels(strings.NewReader(labels), "000/labels.txt", nil)
	t := &traj.Trajectory{ID: "000/20081023025304", UserID: "000", Points: pts}
	n := geolife.AttachModes(t, ivs)
	fmt.Println(len(pts), "points,", n, "labelled:", t.Modes)
	fmt.Printf("first point %.6f,%.6f at %s, altitude %.1f m\n", pts[0].Lon(), pts[0].Lat(), pts[0].Time.Format(time.RFC3339), pts[0].Alt)
	// Output:
	// 3 points, 2 labelled: [ walk walk]
	// first point 116.318417,39.984702 at 2008-10-23T02:53:04Z, altitude 150.0 m
}
