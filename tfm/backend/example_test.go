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
