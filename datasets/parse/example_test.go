package parse_test

import (
	"fmt"

	"github.com/tfm-course/course/datasets/parse"
)

func ExampleReport() {
	rep := &parse.Report{SkipBad: true}
	for i, lat := range []string{"39.9", "95", "abc"} {
		rep.Row()
		v, err := parse.Float([]byte(lat))
		switch {
		case err != nil:
			err = rep.Bad(parse.Errorf("pts.csv", i+2, "lat", lat, "not a number"))
		case v > 90:
			err = rep.Bad(parse.Errorf("pts.csv", i+2, "lat", lat, "latitude outside [-90, 90]"))
		}
		if err != nil {
			fmt.Println(err)
		}
	}
	fmt.Println(rep)
	fmt.Println(rep.Examples[0])
	// Output:
	// 0 files, 3 rows, skipped 2 rows (lat: 2) and 0 files
	// pts.csv:3: field lat: value "95": latitude outside [-90, 90]
}
