package distance_test

import (
	"fmt"

	"github.com/tfm-course/course/tfm/distance"
)

func Example() {
	// Two parallel planar polylines one unit apart, and the same straight
	// line sampled at 4 and at 2 vertices.
	a, _ := distance.New([]float64{0, 1, 2}, []float64{0, 0, 0})
	b, _ := distance.New([]float64{0, 1, 2}, []float64{1, 1, 1})
	c, _ := distance.New([]float64{0, 1, 2, 3}, []float64{0, 0, 0, 0})
	d, _ := distance.New([]float64{0, 3}, []float64{0, 0})
	for _, m := range []distance.Metric{
		{Kind: distance.DTW},
		{Kind: distance.Frechet},
		{Kind: distance.ContinuousFrechet},
		{Kind: distance.Hausdorff},
		{Kind: distance.EDR, Eps: 0.5},
	} {
		ab, _ := m.Distance(a, b)
		cd, _ := m.Distance(c, d)
		fmt.Printf("%-10v a-b %.3g   c-d %.3g\n", m, ab, cd)
	}

	// pdist over all cores: the pairs (a,b), (a,c), (b,c).
	v, _ := distance.Condensed([]*distance.Series{a, b, c}, distance.Metric{Kind: distance.DTW}, distance.Options{})
	fmt.Println(v)

	// The 2 nearest neighbours of d under discrete Fréchet.
	nn, _, _ := distance.KNN(d, []*distance.Series{a, b, c}, 2, distance.Metric{Kind: distance.Frechet}, distance.Options{})
	fmt.Println(nn)

	// Geographic: one degree of longitude on the equator, in metres
	// (traj.EarthRadius·π/180; 111319.5 m with traj-dist's 6378137 m).
	p, _ := distance.New([]float64{0}, []float64{0})
	q, _ := distance.New([]float64{1}, []float64{0})
	g, _ := distance.Metric{Kind: distance.DTW, Geo: true}.Distance(p, q)
	fmt.Printf("%.1f m\n", g)
	// Output:
	// dtw        a-b 3   c-d 2
	// frechet    a-b 1   c-d 1
	// cfrechet   a-b 1   c-d 0
	// hausdorff  a-b 1   c-d 0
	// edr(eps=0.5) a-b 1   c-d 0.5
	// [3 1 4.414213562373095]
	// [{0 1} {2 1}]
	// 111195.1 m
}
