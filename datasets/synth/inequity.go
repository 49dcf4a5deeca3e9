package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/paulmach/orb"
	"github.com/tfm-course/course/tfm/traj"
)

// InequityKey is the label InequityDataset adds: "disadvantaged" for the
// trips of the disadvantaged group, else "other".
const InequityKey = "inequity"

// InequityOptions plants the recording inequity of a real city on the
// observed trips: one group's trips are recorded less often and on cheaper
// phones, and fixes in dense districts are noisier (urban canyons). Zero
// values take the defaults.
type InequityOptions struct {
	// Group is the label key of the disadvantaged group (default
	// "income_from") and Disadvantaged its value (default "low").
	Group         string
	Disadvantaged string
	// KeepRate is the share of that group's trips that are recorded, in
	// (0, 1]; default 0.3 (1 = all).
	KeepRate float64
	// SparseEvery k: that group's recorded trips keep one fix in k (cheap
	// phones), first and last kept; default 3, 1 = off.
	SparseEvery int
	// PhoneNoiseM is the extra Gaussian noise (metres per axis) on every
	// fix of that group's recorded trips: a cheap phone's receiver;
	// default 25, negative = off.
	PhoneNoiseM float64
	// CanyonNoiseM is the extra Gaussian noise (metres per axis) on every
	// fix whose true position lies in a business or commercial district;
	// default 15, negative = off.
	CanyonNoiseM float64
	// Seed draws which trips are recorded and the canyon noise.
	Seed uint64
}

// InequityReport counts what InequityDataset did.
type InequityReport struct {
	Trips, Kept int // trips before and after the selective recording
	// Before and After count the trips per value of the group label.
	Before, After map[string]int
	// ShareBefore and ShareAfter are the disadvantaged group's share of the trips.
	ShareBefore, ShareAfter float64
	// SparseFixesBefore / SparseFixesAfter count the fixes of the
	// disadvantaged group's recorded trips before and after the sparse
	// sampling.
	SparseFixesBefore, SparseFixesAfter int
	// CanyonFixes is the number of returned fixes that got canyon noise.
	CanyonFixes int
}

func (opt InequityOptions) withDefaults() (InequityOptions, error) {
	if opt.Group == "" {
		opt.Group = "income_from"
	}
	if opt.Disadvantaged == "" {
		opt.Disadvantaged = Low
	}
	if opt.KeepRate == 0 {
		opt.KeepRate = 0.3
	}
	if !(opt.KeepRate > 0 && opt.KeepRate <= 1) {
		return opt, fmt.Errorf("synth: InequityOptions.KeepRate = %v, want in (0, 1]", opt.KeepRate)
	}
	if opt.SparseEvery == 0 {
		opt.SparseEvery = 3
	}
	if opt.SparseEvery < 1 || opt.SparseEvery > 100 {
		return opt, fmt.Errorf("synth: InequityOptions.SparseEvery = %d, want in [1, 100]", opt.SparseEvery)
	}
	var err error
	if opt.PhoneNoiseM, err = noiseOption("PhoneNoiseM", opt.PhoneNoiseM, 25); err != nil {
		return opt, err
	}
	if opt.CanyonNoiseM, err = noiseOption("CanyonNoiseM", opt.CanyonNoiseM, 15); err != nil {
		return opt, err
	}
	return opt, nil
}

// noiseOption is a noise level in metres: 0 takes def, a negative value
// switches it off, more than 1,000 m (or NaN) is refused, naming field.
func noiseOption(field string, v, def float64) (float64, error) {
	switch {
	case v == 0:
		return def, nil
	case v < 0:
		return 0, nil
	case math.IsNaN(v) || v > 1000:
		return v, fmt.Errorf("synth: InequityOptions.%s = %v, want in [0, 1000] metres", field, v)
	}
	return v, nil
}

// InequityDataset returns the observed trajectories (deep copies, in trip
// order, labelled as Dataset plus InequityKey) as an unequal city records
// them:
//
//   - selective recording: a trip of the disadvantaged group (Labels[Group]
//     = Disadvantaged) is kept with probability KeepRate, the others always;
//   - cheap phones: the disadvantaged group's kept trips keep fixes 0, k,
//     2k, … and the last (k = SparseEvery), each moved by N(0, PhoneNoiseM²)
//     metres per axis on top of the city's GPS noise;
//   - urban canyons: every kept fix whose true position (Trip.Truth) lies in
//     a business or commercial district moves by N(0, CanyonNoiseM²) metres
//     per axis, on top of the city's GPS noise.
//
// First and last fixes are always kept, so durations are unchanged.
// Deterministic from opt.Seed; the city is not modified. It fails when no
// trip has the group label or none is in the disadvantaged group.
func (c *City) InequityDataset(opt InequityOptions) (*traj.Dataset, InequityReport, error) {
	rep := InequityReport{Trips: len(c.Trips), Before: map[string]int{}, After: map[string]int{}}
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, rep, err
	}
	// Separate streams: which trips are kept does not depend on the noise.
	keepRng := rand.New(rand.NewPCG(opt.Seed, 0x1e9a17))
	noiseRng := rand.New(rand.NewPCG(opt.Seed, 0xca9907))
	phoneRng := rand.New(rand.NewPCG(opt.Seed, 0x9405e))
	ds := &traj.Dataset{Name: fmt.Sprintf("synthetic:seed=%d,trajectories=%d,inequity=1", c.Config.Seed, c.Config.Trajectories)}
	nDis, keptDis := 0, 0
	for i := range c.Trips {
		tr := &c.Trips[i]
		g := tr.Observed.Labels[opt.Group]
		rep.Before[g]++
		dis := g == opt.Disadvantaged
		keep := keepRng.Float64() < opt.KeepRate // drawn for every trip
		if dis {
			nDis++
			if !keep {
				continue
			}
			keptDis++
		}
		o := tr.Observed.Clone()
		o.Labels[InequityKey] = "other"
		k := 1
		if dis {
			o.Labels[InequityKey] = "disadvantaged"
			k = opt.SparseEvery
			rep.SparseFixesBefore += len(o.Points)
		}
		pts := o.Points[:0]
		for j, p := range tr.Observed.Points {
			if j%k != 0 && j != len(tr.Observed.Points)-1 {
				continue
			}
			if dis && opt.PhoneNoiseM > 0 {
				ex, ey := opt.PhoneNoiseM*phoneRng.NormFloat64(), opt.PhoneNoiseM*phoneRng.NormFloat64()
				p.Point = roundPoint(orb.Point{p.Point[0] + ex/c.frame.kx, p.Point[1] + ey/c.frame.ky})
			}
			if opt.CanyonNoiseM > 0 && c.inCanyon(tr.Truth[j].Point) {
				ex, ey := opt.CanyonNoiseM*noiseRng.NormFloat64(), opt.CanyonNoiseM*noiseRng.NormFloat64()
				p.Point = roundPoint(orb.Point{p.Point[0] + ex/c.frame.kx, p.Point[1] + ey/c.frame.ky})
				rep.CanyonFixes++
			}
			pts = append(pts, p)
		}
		o.Points = pts
		if dis {
			rep.SparseFixesAfter += len(o.Points)
		}
		rep.After[g]++
		ds.Trajectories = append(ds.Trajectories, o)
	}
	if rep.Before[""] == len(c.Trips) {
		return nil, rep, fmt.Errorf("synth: InequityOptions.Group = %q: no trip has that label", opt.Group)
	}
	if nDis == 0 {
		return nil, rep, fmt.Errorf("synth: InequityOptions.Disadvantaged = %q: no trip has %s = %q (values: %v)",
			opt.Disadvantaged, opt.Group, opt.Disadvantaged, sortedKeys(rep.Before))
	}
	rep.Kept = len(ds.Trajectories)
	rep.ShareBefore = float64(nDis) / float64(max(rep.Trips, 1))
	rep.ShareAfter = float64(keptDis) / float64(max(rep.Kept, 1))
	return ds, rep, nil
}

// inCanyon reports whether p lies in a business or commercial district.
func (c *City) inCanyon(p orb.Point) bool {
	t := c.DistrictType(c.DistrictAt(p))
	return t == Business || t == Commercial
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
