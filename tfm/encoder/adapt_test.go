package encoder

import (
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/tfm-course/course/tfm/modality"
)

// LoRA and adapters added to a trained encoder start as the identity: the
// same embeddings, bit for bit; their variables are the only new ones, all
// recognised by IsAdaptation; a non-zero LoRA B changes the output.
func TestAdaptationStartsAsIdentity(t *testing.T) {
	base := DefaultConfig()
	if err := base.Set("layers=1;dim=16;heads=2;ffn=32;pool=cls"); err != nil {
		t.Fatal(err)
	}
	base.VocabSize = 20
	adapted := base
	if err := adapted.Set("lora=2;lora_alpha=4;adapter=4"); err != nil {
		t.Fatal(err)
	}
	be := testBackend(t)
	store := model.NewStore()
	store.SetParam(model.ParamInitialSeed, int64(7))
	b := tinyBatch(modality.PAD)
	want := tensors.MustCopyFlatData[float32](runEncoderOn(t, be, store, base, b))
	baseVars := map[string]bool{}
	for v := range store.IterVariables() {
		baseVars[v.Path()] = true
	}
	got := tensors.MustCopyFlatData[float32](runEncoderOn(t, be, store, adapted, b))
	if !slices.Equal(got, want) {
		t.Fatalf("fresh LoRA+adapters changed the embedding:\n got %v\nwant %v", got[:4], want[:4])
	}
	var lora, adapters int
	for v := range store.IterVariables() {
		switch {
		case baseVars[v.Path()]:
			if IsAdaptation(v.Scope()) {
				t.Errorf("base variable %s counted as adaptation", v.Path())
			}
		case !IsAdaptation(v.Scope()):
			t.Errorf("new variable %s is not an adaptation variable", v.Path())
		case strings.HasSuffix(v.Scope(), "/"+LoRAScope):
			lora++
		default:
			adapters++
		}
	}
	if lora != 4*2 || adapters != 2*4 { // qkv, output, ffn_in, ffn_out × {a, b}; 2 adapters × 4 variables
		t.Fatalf("%d LoRA and %d adapter variables, want 8 and 8", lora, adapters)
	}
	bv := store.GetVariable("/layer_0/ffn_out/lora/b")
	if bv == nil {
		t.Fatal("no LoRA variable /layer_0/ffn_out/lora/b")
	}
	vals := make([]float32, bv.Shape().Size())
	for i := range vals {
		vals[i] = 0.1 * float32(i%5-2)
	}
	bv.MustSetValue(tensors.FromFlatDataAndDimensions(vals, bv.Shape().Dimensions...))
	if changed := tensors.MustCopyFlatData[float32](runEncoderOn(t, be, store, adapted, b)); slices.Equal(changed, want) {
		t.Fatal("a non-zero LoRA B left the embedding unchanged")
	}
}

func TestAdaptationConfig(t *testing.T) {
	if !IsAdaptation("/encoder/layer_0/qkv/lora") || !IsAdaptation("/encoder/layer_1/ffn/adapter") ||
		IsAdaptation("/encoder/layer_0/qkv/dense") || IsAdaptation("/encoder/loraish") {
		t.Error("IsAdaptation misclassifies a scope")
	}
	for _, c := range []struct{ set, key string }{
		{"lora=-1", "lora"}, {"adapter=-2", "adapter"}, {"lora_alpha=-1", "lora_alpha"},
		{"arch=lstm;heads=1;lora=2", "lora"}, {"arch=lstm;heads=1;adapter=2", "adapter"}, {"attn=mha;lora=2", "lora"},
	} {
		cfg := DefaultConfig()
		if err := cfg.Set(c.set); err == nil || !strings.Contains(err.Error(), c.key) {
			t.Errorf("Set(%q) = %v, want an error naming %s", c.set, err, c.key)
		}
	}
	cfg := DefaultConfig()
	if err := cfg.Set("lora=4;lora_alpha=8;adapter=16;attn=mha;lora=0"); err != nil || cfg.LoRAScale() != 0 {
		t.Fatalf("adapter with mha: %v, scale %v", err, cfg.LoRAScale())
	}
	cfg.LoRARank = 4
	if cfg.LoRAScale() != 2 {
		t.Errorf("LoRAScale of r=4, α=8 = %v, want 2", cfg.LoRAScale())
	}
}

func TestAdaptationFLOPs(t *testing.T) {
	c := DefaultConfig() // D = 64, F = 128
	base := c.TransformerLayerFLOPs(10)
	c.LoRARank, c.Adapter = 2, 8
	got := c.TransformerLayerFLOPs(10)
	lora := 2.0*10*2*(8*64+2*128) + 2*10*(5*64+128)
	adapter := 2 * (4.0*10*64*8 + 6*10*8 + 2*10*64)
	if got.Terms["lora"] != lora || got.Terms["adapter"] != adapter || got.Forward != base.Forward+lora+adapter {
		t.Fatalf("lora %v adapter %v forward %v, want %v %v %v", got.Terms["lora"], got.Terms["adapter"], got.Forward, lora, adapter, base.Forward+lora+adapter)
	}
}
