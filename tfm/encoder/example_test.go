package encoder_test

import (
	"fmt"

	"github.com/tfm-course/course/tfm/encoder"
)

// Hyperparameters come from one string, as on the command line (--set).
func ExampleConfig_Set() {
	cfg := encoder.DefaultConfig()
	if err := cfg.Set("layers=2;dim=128;heads=4;pool=cls"); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Arch, cfg.Layers, cfg.Dim, cfg.Heads, cfg.Pooling)
	fmt.Println(cfg.Set("heads=3"))
	// Output:
	// transformer 2 128 4 cls
	// encoder dim=128 must be a multiple of heads=3
}
