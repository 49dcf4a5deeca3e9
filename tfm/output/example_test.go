package output_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tfm-course/course/tfm/output"
)

func Example() {
	dir, _ := os.MkdirTemp("", "out")
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "results.csv")
	os.WriteFile(p, []byte("the user's own file\n"), 0o644)

	err := output.WriteFile(p, []byte("a,b\n1,2\n"), false)
	fmt.Println(errors.Is(err, output.ErrExists))
	b, _ := os.ReadFile(p)
	fmt.Print(string(b))

	err = output.WriteFile(p, []byte("a,b\n1,2\n"), true) // --force
	b, _ = os.ReadFile(p)
	fmt.Print(err, " ", string(b))
	// Output:
	// true
	// the user's own file
	// <nil> a,b
	// 1,2
}
