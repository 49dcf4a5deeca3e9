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

// LoRA and adapters are switched on by keys too; their variables are told
// apart by scope, to train them alone.
func ExampleIsAdaptation() {
	cfg := encoder.DefaultConfig()
	fmt.Println(cfg.Set("lora=4;lora_alpha=8;adapter=16"), cfg.LoRAScale())
	fmt.Println(encoder.IsAdaptation("/encoder/layer_0/qkv/lora"), encoder.IsAdaptation("/encoder/layer_0/qkv/dense"))
	fmt.Println(cfg.Set("arch=lstm;heads=1"))
	// Output:
	// <nil> 2
	// true false
	// encoder lora: only the transformer arch has LoRA and adapters (arch=lstm)
}
