package tdrive_test

import (
	"fmt"
	"strings"

	"github.com/tfm-course/course/datasets/tdrive"
)

func ExampleRead() {
	taxi := "1,2008-02-02 15:36:08,116.51172,39.92123\n1,2008-02-02 15:46:08,116.51135,39.93883\n"
	t, err := tdrive.Read(strings.NewReader(taxi), "1.txt", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("taxi %s: %d points, %.0f m in %v\n", t.ID, t.Len(), t.Length(), t.Duration())

	_, err = tdrive.Read(strings.NewReader("1,2008-02-02 15:36:08,116.5,91\n"), "1.txt", nil)
	fmt.Println(err)
	// (Length is on the sphere of traj.EarthRadius: 1957 m; 1959 m with orb's 6378137 m.)
	// Output:
	// taxi 1: 2 points, 1957 m in 10m0s
	// 1.txt:1: field lat: value "1,2008-02-02 15:36:08,116.5,91": latitude 91 outside [-90, 90]
}
