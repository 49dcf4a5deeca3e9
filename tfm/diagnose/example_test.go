package diagnose_test

import (
	"fmt"

	"github.com/tfm-course/course/tfm/diagnose"
)

// Collapsed embeddings (all on one line) have an effective rank of 1.
func ExampleMeasureCollapse() {
	emb := [][]float32{{1, 2}, {2, 4}, {3, 6}, {-1, -2}}
	c, err := diagnose.MeasureCollapse(emb)
	if err != nil {
		panic(err)
	}
	fmt.Printf("effective rank %.2f of %d\n", c.EffectiveRank, c.Dim)
	// Output: effective rank 1.00 of 2
}
