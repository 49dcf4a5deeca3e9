package backend_test

import (
	"fmt"
	"os"

	"github.com/tfm-course/course/tfm/backend"
)

// Choose picks SimpleGo unless XLA is compiled in and its plugin installed.
func ExampleChoose() {
	os.Setenv(backend.EnvVar, "go")
	c, err := backend.Choose()
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Config, "-", backend.Describe(c.Config))
	// Output: go - SimpleGo, pure Go
}

// New starts a configuration once per process: the first call prints the line,
// later calls return the same backend silently.
func ExampleNew() {
	os.Setenv(backend.EnvVar, "go")
	backend.Logger = os.Stdout
	defer func() { backend.Logger = os.Stderr }()
	first := backend.MustNew()  // prints the choice
	second := backend.MustNew() // starts silently
	fmt.Println(first.Name() == second.Name())
	// Output:
	// tfm backend: go (SimpleGo, pure Go): requested by $GOMLX_BACKEND
	// true
}
