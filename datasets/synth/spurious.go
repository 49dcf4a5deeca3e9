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
	// SplitKey holds "train", "test" or "unused".
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
	// Seed draws the flips and the split.
	Seed uint64
}

// SpuriousReport counts the split PlantSpurious made.
type SpuriousReport struct {
	Train, Test, Unused int
	// Agreement is the share of trajectories whose label equals their
	// context group: ≈ P in train, 0.5 in test.
	TrainAgreement, TestAgreement float64
	// Positive is the share with label 1: 0.5 in both splits.
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
//   - test split: the same number of trajectories in each of the four
//     (C, Y) cells, so Y is independent of C and balanced;
//   - train split: cells with Y = C hold P/2 of it each, cells with Y ≠ C
//     (1-P)/2 each, so Y is balanced but equals C for a share P — a model
//     may predict Y from where the trip starts (the shortcut) instead of
//     from how it moves (the cause), and then fails on test;
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
	rng := rand.New(rand.NewPCG(opt.Seed, 0x5b1c))
	var cells [2][2][]int // [group][label] → trajectory indices
	trueY := make([]int, len(ds.Trajectories))
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
		cells[g][y] = append(cells[g][y], i)
	}
	minCell := len(ds.Trajectories)
	for g := range 2 {
		for y := range 2 {
			c := cells[g][y]
			rng.Shuffle(len(c), func(i, j int) { c[i], c[j] = c[j], c[i] })
			minCell = min(minCell, len(c))
		}
	}
	if minCell < 4 {
		return rep, fmt.Errorf("synth: PlantSpurious: a (context group, label) cell has only %d trajectories (sizes %d %d %d %d); use more trajectories or other ShortcutTypes",
			minCell, len(cells[0][0]), len(cells[0][1]), len(cells[1][0]), len(cells[1][1]))
	}
	m := min(int(opt.TestFraction*float64(len(ds.Trajectories))/4), minCell/2)
	agreeLeft := min(len(cells[0][0]), len(cells[1][1])) - m
	disagreeLeft := min(len(cells[0][1]), len(cells[1][0])) - m
	total := min(float64(agreeLeft)/(opt.P/2), float64(disagreeLeft)/((1-opt.P)/2))
	nAgree, nDisagree := int(total*opt.P/2), int(total*(1-opt.P)/2)
	for g := range 2 {
		for y := range 2 {
			nTrain := nDisagree
			if g == y {
				nTrain = nAgree
			}
			for k, i := range cells[g][y] {
				split := "unused"
				switch {
				case k < m:
					split = "test"
				case k < m+nTrain:
					split = "train"
				}
				t := ds.Trajectories[i]
				if t.Labels == nil {
					t.Labels = map[string]string{}
				}
				t.Labels[LabelKey] = fmt.Sprint(y)
				t.Labels[TrueLabelKey] = fmt.Sprint(trueY[i])
				t.Labels[GroupKey] = fmt.Sprint(g)
				t.Labels[SplitKey] = split
			}
		}
	}
	var agree, pos [2]int // train, test
	for _, t := range ds.Trajectories {
		s := -1
		switch t.Labels[SplitKey] {
		case "train":
			s, rep.Train = 0, rep.Train+1
		case "test":
			s, rep.Test = 1, rep.Test+1
		default:
			rep.Unused++
		}
		if s >= 0 {
			if t.Labels[LabelKey] == t.Labels[GroupKey] {
				agree[s]++
			}
			if t.Labels[LabelKey] == "1" {
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
	rep.TrainPositive, rep.TestPositive = frac(pos[0], rep.Train), frac(pos[1], rep.Test)
	return rep, nil
}

// SpuriousDataset is PlantSpurious applied to a fresh c.Dataset().
func (c *City) SpuriousDataset(opt SpuriousOptions) (*traj.Dataset, SpuriousReport, error) {
	ds := c.Dataset()
	rep, err := PlantSpurious(ds, opt)
	return ds, rep, err
}
