package encoder

import (
	"maps"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/ml/model"
)

// One Transformer block counted by hand: L=4 positions, D=8, H=2, F=16.
func TestTransformerLayerFLOPsHandCount(t *testing.T) {
	cfg := DefaultConfig()
	if err := cfg.Set("layers=1;dim=8;heads=2;ffn=16;maxlen=4;timebias=false"); err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{
		"norm":         2 * 7 * 4 * 8,                    // 448: two layer norms
		"qkv":          2*4*8*24 + 3*4*8,                 // 1536 + 96 = 1632
		"scores":       2*4*4*8 + 2*4*4,                  // Q·Kᵀ 256 + scale 32 = 288
		"softmax":      4 * 2 * 4 * 4,                    // 128
		"weighted_sum": 2 * 4 * 4 * 8,                    // 256
		"out_proj":     2*4*8*8 + 4*8,                    // 512 + 32 = 544
		"ffn":          2*4*8*16 + 4*16 + 2*4*16*8 + 4*8, // 1024 + 64 + 1024 + 32 = 2144
		"gelu":         5 * 4 * 16,                       // 320
		"residual":     2 * 4 * 8,                        // 64
	}
	const total = 5824.0
	got := cfg.TransformerLayerFLOPs(4)
	if !maps.Equal(got.Terms, want) {
		t.Errorf("terms %v\nwant %v", got.Terms, want)
	}
	if got.Forward != total {
		t.Errorf("forward %g, want %g", got.Forward, total)
	}
	// The whole encoder: cls pooling attends over MaxLen+1 = 4 positions.
	cfg.Pooling, cfg.VocabSize = PoolCLS, 20
	f := cfg.FLOPs(3)
	if len(f.Layers) != 3 || f.Layers[1].Name != "layer_0" || f.Layers[1].Forward != total {
		t.Fatalf("layers %+v: want embed, layer_0 (%g), final", f.Layers, total)
	}
	sum := 0.0
	for _, l := range f.Layers {
		sum += l.Forward
	}
	if f.Forward != sum || f.Backward != 2*f.Forward || f.Training() != 3*f.Forward {
		t.Errorf("forward %g (layers sum to %g), backward %g, training %g", f.Forward, sum, f.Backward, f.Training())
	}
	// Temporal dense (9 inputs) + adds over 3 steps, positional over 4; final norm over 4.
	if e := f.Layers[0]; e.Terms["temporal"] != 2*3*9*8+3*8+2*3*8 || e.Terms["positional"] != 4*8 {
		t.Errorf("embed terms %v", e.Terms)
	}
	if fin := f.Layers[2]; fin.Forward != 7*4*8 {
		t.Errorf("final %v: want the layer norm only (cls pooling is a slice)", fin.Terms)
	}
}

// The matmul and bias terms of a block match the variables GoMLX creates
// for it: 2·L FLOPs per weight, L per bias.
func TestTransformerLayerFLOPsMatchGraphVariables(t *testing.T) {
	cfg := DefaultConfig()
	if err := cfg.Set("layers=1;dim=16;heads=2;ffn=32;maxlen=5;pool=mean"); err != nil {
		t.Fatal(err)
	}
	cfg.VocabSize = 20
	b := tinyBatch(0)
	store := model.NewStore()
	store.SetParam(model.ParamInitialSeed, int64(7))
	runEncoder(t, store, cfg, b)
	L := float64(b.Len)
	var fromVars float64
	for v := range store.IterVariables() {
		if !strings.HasPrefix(v.Scope(), "/layer_0/") || strings.Contains(v.Scope(), "normalization") {
			continue
		}
		switch v.Shape().Rank() {
		case 2:
			fromVars += 2 * L * float64(v.Shape().Size())
		case 1:
			fromVars += L * float64(v.Shape().Size())
		}
	}
	got := cfg.TransformerLayerFLOPs(b.Len)
	counted := got.Terms["qkv"] + got.Terms["out_proj"] + got.Terms["ffn"]
	if fromVars == 0 || counted != fromVars {
		t.Errorf("projections and FFN counted %g FLOPs, the block's variables give %g", counted, fromVars)
	}
}

func TestFLOPsOtherArchitectures(t *testing.T) {
	lstm := DefaultConfig()
	if err := lstm.Set("arch=lstm;layers=2;dim=8;heads=1;pool=mean"); err != nil {
		t.Fatal(err)
	}
	lstm.NumFeatures = 3
	f := lstm.FLOPs(10)
	if len(f.Layers) != 4 || f.Layers[1].Terms["gates"] != 10*(16*64+8*8) {
		t.Errorf("lstm layers %+v", f.Layers)
	}
	cnn := DefaultConfig()
	if err := cnn.Set("arch=cnn;dim=8"); err != nil {
		t.Fatal(err)
	}
	cnn.Channels, cnn.ImageSize = 3, 8
	c := cnn.FLOPs(0)
	// First block: 8·8·16 outputs of 2·9·3 + 1 FLOPs.
	if len(c.Layers) != len(CNNWidths)+1 || c.Layers[0].Terms["conv"] != 8*8*16*(2*9*3+1) || c.Forward <= 0 {
		t.Errorf("cnn layers %+v", c.Layers)
	}
}
