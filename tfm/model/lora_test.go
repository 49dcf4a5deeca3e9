package model_test

import (
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/tfm-course/course/tfm/encoder"
	"github.com/tfm-course/course/tfm/modality"
	tfm "github.com/tfm-course/course/tfm/model"
)

// LoRA and adapters switched on in a trained model start as the identity;
// freezing all but them leaves few trainable parameters; a trained (here:
// random) LoRA merges into the dense weights with the same embeddings.
func TestLoRAIdentityFreezeAndMerge(t *testing.T) {
	be := testBackend(t)
	d := testData(t)
	m, err := tfm.Fit(be, encoder.DefaultConfig(), 3, modality.Source{Trajectories: d.Trajectories, Map: d.Map}, "grid")
	if err != nil {
		t.Fatal(err)
	}
	trajs := d.Trajectories[:12]
	base := embed(t, m, trajs)
	if err := m.Adapt(2, 4, 8); err != nil {
		t.Fatal(err)
	}
	closeTo(t, "fresh LoRA and adapters vs the base model", base, embed(t, m, trajs), 0)
	m.FreezeAllBut(encoder.IsAdaptation)
	adaptation := 0
	for v := range m.Store.IterVariables() {
		if encoder.IsAdaptation(v.Scope()) {
			adaptation += v.Shape().Size()
		}
	}
	if got := m.TrainableParams(); got != adaptation || got == 0 {
		t.Fatalf("TrainableParams %d after FreezeAllBut(IsAdaptation), want the %d adaptation parameters", got, adaptation)
	}

	// LoRA alone, r = 2: a small share of the encoder.
	if err := m.Adapt(2, 0, 0); err != nil {
		t.Fatal(err)
	}
	for v := range m.Store.IterVariables() {
		if strings.HasSuffix(v.Scope(), "/adapter") {
			v.SetTrainable(false)
		}
	}
	lora := m.TrainableParams()
	t.Logf("LoRA r=2 on the default config: %d trainable of %d encoder parameters (%.2f%%)", lora, m.Params(), 100*float64(lora)/float64(m.Params()))
	if float64(lora) > 0.05*float64(m.Params()) {
		t.Errorf("LoRA r=2 trains %d parameters, more than 5%% of %d", lora, m.Params())
	}

	// A non-zero B, then merge.
	k := 0
	for v := range m.Store.IterVariables() {
		if v.Name() == "b" && strings.HasSuffix(v.Scope(), "/lora") {
			vals := make([]float32, v.Shape().Size())
			for i := range vals {
				k++
				vals[i] = 0.05 * float32(k%7-3)
			}
			v.MustSetValue(tensors.FromFlatDataAndDimensions(vals, v.Shape().Dimensions...))
		}
	}
	if err := m.Adapt(2, 0, 0); err != nil { // recompile: the values changed under the cached graph's feet
		t.Fatal(err)
	}
	tuned := embed(t, m, trajs)
	diff := 0.0
	for i := range tuned.Data {
		diff = max(diff, float64(abs(tuned.Data[i]-base.Data[i])))
	}
	if diff < 1e-3 {
		t.Fatalf("a non-zero LoRA B moved the embeddings by only %g", diff)
	}
	merged, err := m.MergeLoRA()
	if err != nil {
		t.Fatal(err)
	}
	if merged.Primary().Encoder.LoRARank != 0 || m.Primary().Encoder.LoRARank != 2 {
		t.Fatalf("lora=%d after merging (original %d), want 0 (2)", merged.Primary().Encoder.LoRARank, m.Primary().Encoder.LoRARank)
	}
	for v := range merged.Store.IterVariables() {
		if strings.HasSuffix(v.Scope(), "/lora") {
			t.Fatalf("merged model still has %s", v.Path())
		}
	}
	closeTo(t, "merged vs unmerged LoRA", tuned, embed(t, merged, trajs), 1e-4)
	dir := t.TempDir()
	if err := merged.Save(dir, 1); err != nil {
		t.Fatal(err)
	}
	r, err := tfm.LoadOn(be, dir)
	if err != nil {
		t.Fatal(err)
	}
	closeTo(t, "merged model saved and loaded", tuned, embed(t, r, trajs), 1e-4)
}

func abs(x float32) float32 {
	if x < 0 {
		return -x
	}
	return x
}
