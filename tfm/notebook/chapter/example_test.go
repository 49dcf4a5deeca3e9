package chapter_test

import (
	"fmt"

	"github.com/tfm-course/course/tfm/notebook/chapter"
)

// A chapter's first cell: the city at chapter size, split 80/20.
func Example() {
	city := chapter.City(50, 50)
	train, test := chapter.Split(city.Trajectories)
	fmt.Println(len(train), len(test), len(city.Map.Network.Segments) > 0)
	// Output: 40 10 true
}
