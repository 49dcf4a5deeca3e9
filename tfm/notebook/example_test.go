package notebook_test

import (
	"fmt"

	"github.com/tfm-course/course/tfm/notebook"
)

// Inspect finds the failures nbconvert lets through, naming the cell: here
// GoNB's exit line closing the cell's stderr, with the panic that explains it.
func ExampleInspect() {
	nb, err := notebook.Read("testdata/executed/panic.ipynb")
	if err != nil {
		panic(err)
	}
	for _, p := range notebook.Inspect(nb) {
		fmt.Println(p.CodeCell, p.Reason)
	}
	// Output:
	// 2 exit status 2 (panic: assignment to entry in nil map)
}

// Size picks the learner's size or, under `tfm notebooks run --quick`, the CI size.
func ExampleSize() {
	steps := notebook.Size(2000, 50)
	fmt.Println(steps == 2000 || steps == 50)
	// Output: true
}

// A cell whose first line is `//tfm:mirror PATH.go:Name,Type.Method,…` holds exactly
// those declarations of the file (the source of truth), in that order; Check
// compares them one by one and Write copies them from the file into the cell.
func Example_declarationMirror() {
	nb, err := notebook.Read("testdata/declmirror.ipynb")
	if err != nil {
		panic(err)
	}
	mirrors, err := notebook.Mirrors(nb)
	if err != nil {
		panic(err)
	}
	for _, m := range mirrors {
		fmt.Println("code cell", m.CodeCell, m.File, m.Decls)
	}
	root, err := notebook.RepoRoot(".")
	if err != nil {
		panic(err)
	}
	mismatches, err := notebook.Check(root, []string{nb.Path})
	if err != nil {
		panic(err)
	}
	fmt.Println(len(mismatches), "mismatches")
	// Output:
	// code cell 2 tfm/notebook/testdata/declmirror/shapes.go [Unit Kind Circle Shape Shape.Area]
	// code cell 3 tfm/notebook/testdata/declmirror/shapes.go [Counter Counter.Add Counter.Count UnitCircle Largest]
	// 0 mismatches
}
