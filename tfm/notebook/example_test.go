package notebook_test

import (
	"fmt"

	"github.com/tfm-course/course/tfm/notebook"
)

// Inspect finds the failures nbconvert lets through, naming the cell.
func ExampleInspect() {
	nb, err := notebook.Read("testdata/executed/panic.ipynb")
	if err != nil {
		panic(err)
	}
	for _, p := range notebook.Inspect(nb) {
		fmt.Println(p.CodeCell, p.Reason)
	}
	// Output:
	// 2 panic: assignment to entry in nil map
	// 2 exit status 2
}

// Size picks the learner's size or, under `tfm notebooks run --quick`, the CI size.
func ExampleSize() {
	steps := notebook.Size(2000, 50)
	fmt.Println(steps == 2000 || steps == 50)
	// Output: true
}
