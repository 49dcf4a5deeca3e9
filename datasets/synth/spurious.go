package synth

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/tfm-course/course/tfm/traj"
)

// Label keys written by PlantSpurious.
const (
	// LabelKey holds the causal label: "1" when the trip is motorised (bus
	// or car), "0" when it is active (walk or bike), flipped at random for
	// a share SpuriousOptions.LabelNoise of trajectories. It is caused by the
	// movement itself, so speed predicts it everywhere (up to the noise).
	LabelKey = "motorised"
	// TrueLabelKey holds the label before the random flips.
	TrueLabelKey = "motorised_true"
	// GroupKey holds the context group: "1" when the trip starts in a
	// district whose type is one of SpuriousOptions.ShortcutTypes, else "0".
	// The start location reveals it.
	GroupKey = "context_group"
	// SplitKey holds "train", "iid" (when SpuriousOptions.IIDFraction > 0),
	// "test" or "unused".
	SplitKey = "split"
)

// SpuriousOptions configures PlantSpurious.
type SpuriousOptions struct {
	// P is the share of train trajectories whose label equals their
	// context group (0.5 ≤ P < 1); default 0.9.
	P float64
	// TestFraction is the share of all trajectories the test split aims
	// for (it is smaller when a label × group cell is scarce); default 0.3.
	TestFraction float64
	// ShortcutTypes are the origin district types of context group 1;
	// default residential (trips from home lean motorised already; the
	// split makes the lean a rule).
	ShortcutTypes []string
	// LabelNoise is the share of labels flipped at random, independently of
	// everything else (as in Colored MNIST): it caps what the causal signal
	// can reach (≈ 1 - LabelNoise) below what the shortcut offers in train
	// (P), so a plain model prefers the shortcut. Default 0.15; a negative
	// value means no flips.
	LabelNoise float64
	// TestAgreement is the share of test trajectories whose true label
	// (TrueLabelKey) equals their context group: 0 (the default) means 0.5,
	// the link broken; 1-P flips it (an intervention on the context).
	TestAgreement float64
	// IIDFraction, when > 0, holds out that share of all trajectories as an
	// "iid" split drawn like train (label = group for a share P): the
	// distribution the shortcut was learned on.
	IIDFraction float64
	// Seed draws the flips and the split.
	Seed uint64
}

// SpuriousReport counts the splits PlantSpurious made.
type SpuriousReport struct {
	Train, IID, Test, Unused int
	// Agreement is the share of trajectories whose label equals their
	// context group: ≈ P in train and iid, TestAgreement (0.5) in test, where
	// the label is the true one (TrueLabelKey).
	TrainAgreement, IIDAgreement, TestAgreement float64
	// Positive is the share with label 1: 0.5 in every split.
	TrainPositive, TestPositive float64
}

// PlantSpurious plants a spurious correlation for the causal chapter, by
// selection, never by changing a label:
//
//   - label Y = LabelKey: 1 for bus/car trips, 0 for walk/bike (from Mode),
//     flipped for a random share LabelNoise (TrueLabelKey keeps the
//     unflipped value);
//   - context C = GroupKey: 1 when Labels["district_type_from"] is one of
//     ShortcutTypes, else 0;
//   - test split: cells of the true label Y* = TrueLabelKey, those with
//     Y* = C holding TestAgreement/2 of it each (0.5: Y* independent of C;
//     1-P: the link flipped), so it is scored against the ground truth;
//   - train split: cells with Y = C hold P/2 of it each, cells with Y ≠ C
//     (1-P)/2 each, so Y is balanced but equals C for a share P — a model
//     may predict Y from where the trip starts (the shortcut) instead of
//     from how it moves (the cause), and then fails on test;
//   - iid split (IIDFraction > 0): drawn like train, held out;
//   - the rest is "unused" (SplitKey).
//
// The trajectories of ds get the three labels in place. Every trajectory
// needs a Mode among walk, bike, bus, car and a "district_type_from" label
// (as City.Dataset gives).
func PlantSpurious(ds *traj.Dataset, opt SpuriousOptions) (SpuriousReport, error) {
	var rep SpuriousReport
	if opt.P == 0 {
		opt.P = 0.9
	}
	if opt.TestFraction == 0 {
		opt.TestFraction = 0.3
	}
	if opt.ShortcutTypes == nil {
		opt.ShortcutTypes = []string{Residential}
	}
	if !(opt.P >= 0.5 && opt.P < 1) {
		return rep, fmt.Errorf("synth: SpuriousOptions.P = %v, want in [0.5, 1)", opt.P)
	}
	switch {
	case opt.LabelNoise == 0:
		opt.LabelNoise = 0.15
	case opt.LabelNoise < 0:
		opt.LabelNoise = 0
	case !(opt.LabelNoise < 0.5):
		return rep, fmt.Errorf("synth: SpuriousOptions.LabelNoise = %v, want < 0.5", opt.LabelNoise)
	}
	if !(opt.TestFraction > 0 && opt.TestFraction < 0.9) {
		return rep, fmt.Errorf("synth: SpuriousOptions.TestFraction = %v, want in (0, 0.9)", opt.TestFraction)
	}
	if opt.TestAgreement == 0 {
		opt.TestAgreement = 0.5
	}
	if !(opt.TestAgreement > 0 && opt.TestAgreement < 1) || !(opt.IIDFraction >= 0 && opt.IIDFraction+opt.TestFraction < 0.9) {
		return rep, fmt.Errorf("synth: SpuriousOptions.TestAgreement = %v, IIDFraction = %v: want TestAgreement in (0, 1), IIDFraction ≥ 0 and IIDFraction + TestFraction < 0.9",
			opt.TestAgreement, opt.IIDFraction)
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x5b1c))
	// cells[g][y] holds the trajectories of group g with (noisy) label y; each
	// is further split by the true label, trueCells[g][y*] (for the test split).
	var cells [2][2][]int
	trueY := make([]int, len(ds.Trajectories))
	noisyY := make([]int, len(ds.Trajectories))
	group := make([]int, len(ds.Trajectories))
	for i, t := range ds.Trajectories {
		var y int
		switch t.Mode {
		case Walk, Bike:
		case Bus, Car:
			y = 1
		default:
			return rep, fmt.Errorf("synth: PlantSpurious: trajectory %q: mode %q is none of walk, bike, bus, car", t.ID, t.Mode)
		}
		trueY[i] = y
		if rng.Float64() < opt.LabelNoise {
			y = 1 - y
		}
		typ := t.Labels["district_type_from"]
		if typ == "" {
			return rep, fmt.Errorf("synth: PlantSpurious: trajectory %q has no district_type_from label", t.ID)
		}
		g := 0
		if slices.Contains(opt.ShortcutTypes, typ) {
			g = 1
		}
		noisyY[i], group[i] = y, g
		cells[g][y] = append(cells[g][y], i)
	}
	for g := range 2 {
		for y := range 2 {
			c := cells[g][y]
			rng.Shuffle(len(c), func(i, j int) { c[i], c[j] = c[j], c[i] })
		}
	}
	// Test first, by true label: take from the front of the shuffled cells.
	split := make([]string, len(ds.Trajectories))
	var trueCells [2][2][]int
	for g := range 2 {
		for y := range 2 {
			for _, i := range cells[g][y] {
				trueCells[g][trueY[i]] = append(trueCells[g][trueY[i]], i)
			}
		}
	}
	for g := range 2 {
		for y := range 2 {
			c := trueCells[g][y]
			rng.Shuffle(len(c), func(i, j int) { c[i], c[j] = c[j], c[i] })
		}
	}
	n := float64(len(ds.Trajectories))
	// The largest test split up to TestFraction whose cells fit in half of each true-label cell.
	ta := opt.TestAgreement
	tTotal := opt.TestFraction * n
	for g := range 2 {
		for y := range 2 {
			share := (1 - ta) / 2
			if g == y {
				share = ta / 2
			}
			tTotal = min(tTotal, float64(len(trueCells[g][y])/2)/share)
		}
	}
	minCell := len(ds.Trajectories)
	for g := range 2 {
		for y := range 2 {
			share := (1 - ta) / 2
			if g == y {
				share = ta / 2
			}
			k := int(tTotal * share)
			minCell = min(minCell, len(trueCells[g][y]))
			for _, i := range trueCells[g][y][:k] {
				split[i] = "test"
			}
		}
	}
	if minCell < 4 {
		return rep, fmt.Errorf("synth: PlantSpurious: a (context group, label) cell has only %d trajectories; use more trajectories or other ShortcutTypes", minCell)
	}
	// Train (and iid) from what is left, by noisy label, in the ratio P.
	var left [2][2][]int
	for g := range 2 {
		for y := range 2 {
			for _, i := range cells[g][y] {
				if split[i] == "" {
					left[g][y] = append(left[g][y], i)
				}
			}
		}
	}
	agreeLeft := min(len(left[0][0]), len(left[1][1]))
	disagreeLeft := min(len(left[0][1]), len(left[1][0]))
	total := min(float64(agreeLeft)/(opt.P/2), float64(disagreeLeft)/((1-opt.P)/2))
	iidShare := 0.0
	if opt.IIDFraction > 0 {
		total = min(total, n-tTotal)
		iidShare = min(opt.IIDFraction*n/total, 0.5)
	}
	nAgree, nDisagree := int(total*opt.P/2), int(total*(1-opt.P)/2)
	for g := range 2 {
		for y := range 2 {
			k := nDisagree
			if g == y {
				k = nAgree
			}
			nIID := int(iidShare * float64(k))
			for j, i := range left[g][y][:k] {
				split[i] = "train"
				if j < nIID {
					split[i] = "iid"
				}
			}
		}
	}
	for i, t := range ds.Trajectories {
		if t.Labels == nil {
			t.Labels = map[string]string{}
		}
		if split[i] == "" {
			split[i] = "unused"
		}
		t.Labels[LabelKey] = fmt.Sprint(noisyY[i])
		t.Labels[TrueLabelKey] = fmt.Sprint(trueY[i])
		t.Labels[GroupKey] = fmt.Sprint(group[i])
		t.Labels[SplitKey] = split[i]
	}
	var iidAgree int
	var agree, pos [2]int // train, test
	for _, t := range ds.Trajectories {
		s := -1
		switch t.Labels[SplitKey] {
		case "train":
			s, rep.Train = 0, rep.Train+1
		case "test":
			s, rep.Test = 1, rep.Test+1
		case "iid":
			rep.IID++
			if t.Labels[LabelKey] == t.Labels[GroupKey] {
				iidAgree++
			}
		default:
			rep.Unused++
		}
		y := t.Labels[LabelKey]
		if s == 1 {
			y = t.Labels[TrueLabelKey]
		}
		if s >= 0 {
			if y == t.Labels[GroupKey] {
				agree[s]++
			}
			if y == "1" {
				pos[s]++
			}
		}
	}
	frac := func(a, n int) float64 {
		if n == 0 {
			return 0
		}
		return float64(a) / float64(n)
	}
	rep.TrainAgreement, rep.TestAgreement = frac(agree[0], rep.Train), frac(agree[1], rep.Test)
	rep.IIDAgreement = frac(iidAgree, rep.IID)
	rep.TrainPositive, rep.TestPositive = frac(pos[0], rep.Train), frac(pos[1], rep.Test)
	return rep, nil
}

// SpuriousDataset is PlantSpurious applied to a fresh c.Dataset().
func (c *City) SpuriousDataset(opt SpuriousOptions) (*traj.Dataset, SpuriousReport, error) {
	ds := c.Dataset()
	rep, err := PlantSpurious(ds, opt)
	return ds, rep, err
}
