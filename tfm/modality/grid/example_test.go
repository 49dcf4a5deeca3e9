package grid_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/tfm-course/course/tfm/modality/grid"
	"github.com/tfm-course/course/tfm/traj"
)

func Example() {
	g, err := grid.NewMetric(orb.Bound{Min: orb.Point{116.30, 39.98}, Max: orb.Point{116.34, 40.00}}, 500)
	if err != nil {
		panic(err)
	}
	t0 := time.Date(2008, 10, 21, 8, 0, 0, 0, time.UTC)
	walk := &traj.Trajectory{ID: "a"}
	for i, lon := range []float64{116.301, 116.302, 116.308, 116.309, 116.315} {
		walk.Points = append(walk.Points, traj.NewPoint(lon, 39.981, t0.Add(time.Duration(i)*time.Minute)))
	}
	v, err := grid.Build(g, []*traj.Trajectory{walk}, grid.Options{CLS: true})
	if err != nil {
		panic(err)
	}
	b, err := v.Batch([]*traj.Trajectory{walk}, 6)
	if err != nil {
		panic(err)
	}
	var names []string
	for _, id := range b.Tokens {
		names = append(names, v.Name(id))
	}
	fmt.Println(strings.Join(names, " "))
	fmt.Printf("%d×%d cells, vocabulary %d\n", g.Cols, g.Rows, v.Size())
	// Output:
	// [CLS] 0,0 1,0 2,0 [PAD] [PAD]
	// 7×5 cells, vocabulary 7
}
