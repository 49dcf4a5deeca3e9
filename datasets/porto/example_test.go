package porto_test

import (
	"fmt"
	"strings"

	"github.com/tfm-course/course/datasets/porto"
)

func ExampleReader_All() {
	csv := `"TRIP_ID","CALL_TYPE","ORIGIN_CALL","ORIGIN_STAND","TAXI_ID","TIMESTAMP","DAY_TYPE","MISSING_DATA","POLYLINE"
"1372636858620000589","C","","","20000589","1372636858","A","False","[[-8.618643,41.141412],[-8.618499,41.141376],[-8.620326,41.14251]]"
"1372637303620000596","B","","7","20000596","1372637303","A","False","[[-8.639847,41.159826],[-8.640351,41.159871]]"
`
	r, err := porto.NewReader(strings.NewReader(csv), "train.csv", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for t, err := range r.All() { // one trip at a time: constant memory on the 1.8 GB file
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(t.ID, "taxi", t.UserID, len(t.Points), "points over", t.Duration())
	}
	// Output:
	// 1372636858620000589 taxi 20000589 3 points over 30s
	// 1372637303620000596 taxi 20000596 2 points over 15s
}
