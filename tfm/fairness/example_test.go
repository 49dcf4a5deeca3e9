package fairness_test

import (
	"fmt"

	"github.com/tfm-course/course/tfm/fairness"
)

// Travel-time errors per income group: the low-income trips are estimated
// worse, by a gap of 50 s (ratio 1.8).
func ExampleRegression() {
	groups := []string{"high", "high", "low", "low"}
	pred := []float64{600, 950, 1300, 500}
	truth := []float64{660, 1010, 1200, 620}
	r, err := fairness.Regression(groups, pred, truth)
	if err != nil {
		panic(err)
	}
	for _, g := range r.Groups {
		fmt.Printf("%s: MAE %.0f s over %d trips\n", g.Name, g.Metrics["mae"], g.N)
	}
	fmt.Printf("worst %s, gap %.0f s, ratio %.1f\n", r.Worst, r.Gap, r.Ratio)
	// Output:
	// high: MAE 60 s over 2 trips
	// low: MAE 110 s over 2 trips
	// worst low, gap 50 s, ratio 1.8
}
