package synth

import (
	"math"
	"testing"

	"github.com/tfm-course/course/tfm/traj"
)

func TestPlantSpurious(t *testing.T) {
	c := cityForTest(t)
	for _, p := range []float64{0.9, 0.75} {
		ds, rep, err := c.SpuriousDataset(SpuriousOptions{P: p, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Train < 500 || rep.Test < 300 || rep.Train+rep.Test+rep.Unused != len(ds.Trajectories) {
			t.Errorf("P=%v: split sizes %+v", p, rep)
		}
		if math.Abs(rep.TrainAgreement-p) > 0.01 || math.Abs(rep.TestAgreement-0.5) > 1e-9 {
			t.Errorf("P=%v: agreement train %.3f test %.3f", p, rep.TrainAgreement, rep.TestAgreement)
		}
		if math.Abs(rep.TrainPositive-0.5) > 0.01 || math.Abs(rep.TestPositive-0.5) > 1e-9 {
			t.Errorf("P=%v: positive share train %.3f test %.3f", p, rep.TrainPositive, rep.TestPositive)
		}
		// The label is the causal one, and the group follows the origin.
		for _, tr := range ds.Trajectories {
			motorised := tr.Mode == Bus || tr.Mode == Car
			if (tr.Labels[LabelKey] == "1") != motorised {
				t.Fatalf("trajectory %s (%s) labelled %s", tr.ID, tr.Mode, tr.Labels[LabelKey])
			}
			if (tr.Labels[GroupKey] == "1") != (tr.Labels["district_type_from"] == Residential) {
				t.Fatalf("trajectory %s from a %s district in group %s", tr.ID, tr.Labels["district_type_from"], tr.Labels[GroupKey])
			}
		}
		t.Logf("P=%v: %+v", p, rep)
	}
	// Same seed, same split.
	a, _, _ := c.SpuriousDataset(SpuriousOptions{Seed: 1})
	b, _, _ := c.SpuriousDataset(SpuriousOptions{Seed: 1})
	for i := range a.Trajectories {
		if a.Trajectories[i].Labels[SplitKey] != b.Trajectories[i].Labels[SplitKey] {
			t.Fatal("the split is not deterministic")
		}
	}
}

func TestPlantSpuriousErrors(t *testing.T) {
	ds := &traj.Dataset{Trajectories: []*traj.Trajectory{{ID: "x", Mode: "train", Labels: map[string]string{"district_type_from": Park}}}}
	if _, err := PlantSpurious(ds, SpuriousOptions{}); err == nil {
		t.Error("unknown mode accepted")
	}
	ds.Trajectories[0].Mode = Walk
	ds.Trajectories[0].Labels = nil
	if _, err := PlantSpurious(ds, SpuriousOptions{}); err == nil {
		t.Error("missing district label accepted")
	}
	ds.Trajectories[0].Labels = map[string]string{"district_type_from": Park}
	if _, err := PlantSpurious(ds, SpuriousOptions{}); err == nil {
		t.Error("a single trajectory cannot fill four cells")
	}
	if _, err := PlantSpurious(ds, SpuriousOptions{P: 1.2}); err == nil {
		t.Error("P = 1.2 accepted")
	}
}
