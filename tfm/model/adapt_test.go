package model_test

import (
	"slices"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/tfm-course/course/tfm/modality"
	"github.com/tfm-course/course/tfm/modality/grid"
	tfm "github.com/tfm-course/course/tfm/model"
)

// Growing a loaded grid model on more of the city: old trajectories embed
// exactly as before, the new cells get ids past the old vocabulary with
// embedding rows at the old items' mean, a trajectory through them encodes
// without [UNK], and the grown model saves and loads.
func TestGrowLoadedModel(t *testing.T) {
	be := testBackend(t)
	d := testData(t)
	old, all := d.Trajectories[:10], d.Trajectories
	base, err := tfm.Fit(be, tinyConfig(t), 5, modality.Source{Trajectories: old, Map: d.Map}, "grid")
	if err != nil {
		t.Fatal(err)
	}
	embed(t, base, old) // creates the variables
	dir := t.TempDir()
	if err := base.Save(dir, 1); err != nil {
		t.Fatal(err)
	}
	m, err := tfm.LoadOn(be, dir)
	if err != nil {
		t.Fatal(err)
	}
	before := embed(t, m, old)
	oldV := m.Primary().Encoder.VocabSize
	table := "/" + tfm.EncoderScope + "/embed/spatial/tokens/embeddings"
	oldRows := tensors.MustCopyFlatData[float32](m.Store.GetVariable(table).MustValue())
	added, err := m.Grow(modality.Source{Trajectories: all, Map: d.Map})
	if err != nil {
		t.Fatal(err)
	}
	newV := m.Primary().Encoder.VocabSize
	if added["grid"] <= 0 || newV != oldV+added["grid"] || m.Primary().Modality.Spec().Vocab != newV {
		t.Fatalf("grew by %v: vocab %d → %d", added, oldV, newV)
	}
	closeTo(t, "old trajectories after growth", before, embed(t, m, old), 0)
	rows := tensors.MustCopyFlatData[float32](m.Store.GetVariable(table).MustValue())
	D := m.Dim()
	if len(rows) != newV*D || !slices.Equal(rows[:oldV*D], oldRows) {
		t.Fatalf("embedding table %d values, want %d with the old rows unchanged", len(rows), newV*D)
	}
	for j := range D {
		mean := 0.0
		for k := modality.NumSpecial; k < oldV; k++ {
			mean += float64(oldRows[k*D+j])
		}
		mean /= float64(oldV - modality.NumSpecial)
		if got := rows[(newV-1)*D+j]; float32(mean) != got {
			t.Fatalf("new row column %d = %v, want the old items' mean %v", j, got, mean)
		}
	}
	v := m.Primary().Modality.(*grid.Modality).V
	through := 0
	for _, tr := range all {
		ids, _, err := v.Tokenize(tr)
		if err != nil || slices.Contains(ids, modality.UNK) || slices.Max(ids) < int32(oldV) {
			continue
		}
		through++
	}
	if through == 0 {
		t.Fatal("no trajectory runs through new cells without [UNK]")
	}
	after := embed(t, m, all)
	dir2 := t.TempDir()
	if err := m.Save(dir2, 1); err != nil {
		t.Fatal(err)
	}
	r, err := tfm.LoadOn(be, dir2)
	if err != nil {
		t.Fatal(err)
	}
	if r.Primary().Encoder.VocabSize != newV {
		t.Fatalf("reloaded vocab %d, want %d", r.Primary().Encoder.VocabSize, newV)
	}
	closeTo(t, "grown model saved and loaded", after, embed(t, r, all), 0)
	t.Logf("grid vocabulary %d → %d; %d of %d trajectories run through new cells with no [UNK]", oldV, newV, through, len(all))
}
