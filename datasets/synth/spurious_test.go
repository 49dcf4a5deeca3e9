package synth

import (
	"math"
	"slices"
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
		// The label is the causal one (up to 15 % flips), and the group follows the origin.
		flipped := 0
		for _, tr := range ds.Trajectories {
			motorised := tr.Mode == Bus || tr.Mode == Car
			if (tr.Labels[TrueLabelKey] == "1") != motorised {
				t.Fatalf("trajectory %s (%s) labelled %s", tr.ID, tr.Mode, tr.Labels[TrueLabelKey])
			}
			if tr.Labels[LabelKey] != tr.Labels[TrueLabelKey] {
				flipped++
			}
			if (tr.Labels[GroupKey] == "1") != (tr.Labels["district_type_from"] == Residential) {
				t.Fatalf("trajectory %s from a %s district in group %s", tr.ID, tr.Labels["district_type_from"], tr.Labels[GroupKey])
			}
		}
		if f := float64(flipped) / float64(len(ds.Trajectories)); math.Abs(f-0.15) > 0.03 {
			t.Errorf("%.3f of labels flipped, want 0.15", f)
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

// The planted shortcut is learnable from where a trip starts and fails at
// test; the causal signal (speed) works in both splits.
func TestSpuriousShortcutVersusCause(t *testing.T) {
	c := cityForTest(t)
	ds, _, err := c.SpuriousDataset(SpuriousOptions{P: 0.9, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	var shortcut, cause, n [2]float64 // train, test
	for _, tr := range ds.Trajectories {
		s := map[string]int{"train": 0, "test": 1}
		k, ok := s[tr.Labels[SplitKey]]
		if !ok {
			continue
		}
		n[k]++
		y := tr.Labels[LabelKey] == "1"
		// Shortcut: the district type under the first GPS fix.
		if (c.DistrictType(c.DistrictAt(tr.Points[0].Point)) == Residential) == y {
			shortcut[k]++
		}
		// Cause: trips whose 90th-percentile speed exceeds 6.5 m/s are motorised.
		sp := tr.Speeds()
		slices.Sort(sp)
		if (sp[len(sp)*9/10] > 6.5) == y {
			cause[k]++
		}
	}
	for k, name := range []string{"train", "test"} {
		shortcut[k] /= n[k]
		cause[k] /= n[k]
		t.Logf("%s: shortcut accuracy %.3f, speed rule accuracy %.3f", name, shortcut[k], cause[k])
	}
	// In train the shortcut beats the cause (so a plain model takes it); at test only the cause works.
	if shortcut[0] < 0.87 || shortcut[0] < cause[0]+0.03 || shortcut[1] > 0.55 || cause[1] < 0.75 {
		t.Errorf("shortcut accuracy train %.3f test %.3f; speed rule train %.3f test %.3f", shortcut[0], shortcut[1], cause[0], cause[1])
	}
}

// The intervention: an i.i.d. split drawn like train and a test split whose
// true label agrees with the context group for 1-P of trips (the link flipped).
func TestPlantSpuriousFlippedAndIID(t *testing.T) {
	c := cityForTest(t)
	ds, rep, err := c.SpuriousDataset(SpuriousOptions{P: 0.9, TestFraction: 0.2, IIDFraction: 0.15, TestAgreement: 0.1, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", rep)
	if rep.IID < 100 || rep.Test < 200 || rep.Train < 400 || rep.Train+rep.IID+rep.Test+rep.Unused != len(ds.Trajectories) {
		t.Errorf("split sizes %+v", rep)
	}
	if math.Abs(rep.TrainAgreement-0.9) > 0.01 || math.Abs(rep.IIDAgreement-0.9) > 0.02 || math.Abs(rep.TestAgreement-0.1) > 0.01 {
		t.Errorf("agreement train %.3f iid %.3f test %.3f, want 0.9, 0.9, 0.1", rep.TrainAgreement, rep.IIDAgreement, rep.TestAgreement)
	}
	if math.Abs(rep.TestPositive-0.5) > 0.01 {
		t.Errorf("test positive share %.3f, want 0.5", rep.TestPositive)
	}
	if _, _, err := c.SpuriousDataset(SpuriousOptions{TestAgreement: 1}); err == nil {
		t.Error("TestAgreement = 1 accepted")
	}
}
