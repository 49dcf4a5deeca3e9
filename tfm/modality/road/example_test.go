package road_test

import (
	"fmt"
	"time"

	"github.com/paulmach/orb"

	"github.com/tfm-course/course/tfm/modality/road"
	"github.com/tfm-course/course/tfm/roadnet"
)

// Road-segment tokens: a vocabulary over every segment of a network,
// a padded batch with per-token segment features and entry times, and the
// graph adjacency for road-aware masking.
func Example() {
	g := &roadnet.Graph{}
	for i := 0; i < 3; i++ {
		g.AddNode(orb.Point{10 + 0.002*float64(i), 50}, 0)
	}
	g.AddTwoWay(0, 1, nil, 30/3.6, "residential", "Mill Lane") // segments 0 (0→1) and 1 (1→0)
	g.AddSegment(1, 2, nil, 50/3.6, "primary", "High Street")  // segment 2

	v, err := road.NewVocab(g, road.Options{CLS: true})
	if err != nil {
		panic(err)
	}
	t0 := time.Date(2024, 3, 4, 8, 0, 0, 0, time.UTC)
	seq := road.Sequence{ID: "trip-1", Segments: []int{0, 2}, Entry: []time.Time{t0, t0.Add(17 * time.Second)}}
	b, err := v.Batch([]road.Sequence{seq}, 4)
	if err != nil {
		panic(err)
	}
	for i, id := range b.Tokens {
		fmt.Printf("%-7s mask=%-5v Δt=%2.0fs\n", v.Name(id), b.Mask[i], b.DeltaT[i])
	}
	for _, next := range v.Successors(v.Token(0)) {
		fmt.Println("after seg:0 may come:", v.Name(next))
	}
	fmt.Println("features:", road.FeatureNames[:3], b.Features[2*road.NumFeatures:2*road.NumFeatures+3])
	// (The 0.002° segment is 142.9 m on the sphere of traj.EarthRadius, whence
	// log_length 0.71930; 0.71946 with orb's 6378137 m.)
	// Output:
	// [CLS]   mask=true  Δt= 0s
	// seg:0   mask=true  Δt= 0s
	// seg:2   mask=true  Δt=17s
	// [PAD]   mask=false Δt= 0s
	// after seg:0 may come: seg:1
	// after seg:0 may come: seg:2
	// features: [log_length speed_limit is_link] [0.71929944 0.5 0]
}
