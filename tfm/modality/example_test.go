package modality_test

import (
	"fmt"
	"strings"

	"github.com/tfm-course/course/tfm/modality"
)

// A vocabulary of words: ids 0–3 are the special tokens, then the items by
// falling count; rare items map to [UNK].
func ExampleBuildVocab() {
	counts := map[string]int{}
	for _, w := range strings.Fields("home work home cafe home work gym") {
		counts[w]++
	}
	v := modality.BuildVocab(counts, 2, strings.Compare)
	fmt.Println(v.Size(), v.Items)
	fmt.Println(v.ID("home"), v.ID("work"), v.ID("gym") == modality.UNK)
	// Output:
	// 6 [home work]
	// 4 5 true
}
