package pretrain

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/simplify"

	"github.com/tfm-course/course/tfm/traj"
)

// An Augmentation makes a new view of a trajectory (never modifying it).
// Contrastive learning pulls two views of the same trajectory together.
type Augmentation func(rng *rand.Rand, t *traj.Trajectory) *traj.Trajectory

// Crop keeps a random contiguous subsequence of between minFrac and all of
// the points (at least 2). Order and timestamps are kept.
func Crop(minFrac float64) Augmentation {
	return func(rng *rand.Rand, t *traj.Trajectory) *traj.Trajectory {
		n := len(t.Points)
		if n <= 2 {
			return t.Clone()
		}
		lo := max(2, int(math.Ceil(minFrac*float64(n))))
		k := lo + rng.IntN(n-lo+1)
		start := rng.IntN(n - k + 1)
		return subset(t, func(i int) bool { return i >= start && i < start+k })
	}
}

// Jitter moves every point by a random offset of at most radius metres
// (uniform on the disc), simulating GPS noise.
func Jitter(radius float64) Augmentation {
	return func(rng *rand.Rand, t *traj.Trajectory) *traj.Trajectory {
		c := t.Clone()
		for i := range c.Points {
			r := radius * math.Sqrt(rng.Float64())
			a := 2 * math.Pi * rng.Float64()
			around := traj.NewLocalProjection(c.Points[i].Point) // metres around the point
			c.Points[i].Point = around.LonLat(r*math.Cos(a), r*math.Sin(a))
		}
		return c
	}
}

// MaskPoints drops each inner point with probability ratio (first and last
// points are kept, so the trip's extent survives).
func MaskPoints(ratio float64) Augmentation {
	return func(rng *rand.Rand, t *traj.Trajectory) *traj.Trajectory {
		n := len(t.Points)
		return subset(t, func(i int) bool { return i == 0 || i == n-1 || rng.Float64() >= ratio })
	}
}

// Downsample keeps every k-th point, k drawn from [2, maxFactor], starting
// at a random phase; the last point is kept.
func Downsample(maxFactor int) Augmentation {
	return func(rng *rand.Rand, t *traj.Trajectory) *traj.Trajectory {
		k := 2 + rng.IntN(max(1, maxFactor-1))
		phase := rng.IntN(k)
		n := len(t.Points)
		return subset(t, func(i int) bool { return i%k == phase || i == n-1 })
	}
}

// TimeShift adds one random offset in [-maxShift, maxShift] to every
// timestamp (the path is the same, the time of day differs).
func TimeShift(maxShift time.Duration) Augmentation {
	return func(rng *rand.Rand, t *traj.Trajectory) *traj.Trajectory {
		c := t.Clone()
		d := time.Duration((2*rng.Float64() - 1) * float64(maxShift))
		for i := range c.Points {
			c.Points[i].Time = c.Points[i].Time.Add(d)
		}
		return c
	}
}

// Simplify keeps the points Douglas–Peucker keeps with a tolerance of
// tolerance metres (orb/simplify on a local metric projection).
func Simplify(tolerance float64) Augmentation {
	return func(_ *rand.Rand, t *traj.Trajectory) *traj.Trajectory {
		if len(t.Points) <= 2 {
			return t.Clone()
		}
		local := localLineString(t)
		kept := simplify.DouglasPeucker(tolerance).LineString(local.Clone())
		keep := make([]bool, len(local))
		j := 0
		for i, p := range local { // kept is an ordered subset of local
			if j < len(kept) && p == kept[j] {
				keep[i] = true
				j++
			}
		}
		return subset(t, func(i int) bool { return keep[i] })
	}
}

// Compose applies augmentations in order.
func Compose(augs ...Augmentation) Augmentation {
	return func(rng *rand.Rand, t *traj.Trajectory) *traj.Trajectory {
		for _, a := range augs {
			t = a(rng, t)
		}
		return t
	}
}

// OneOf applies one augmentation picked uniformly at random.
func OneOf(augs ...Augmentation) Augmentation {
	return func(rng *rand.Rand, t *traj.Trajectory) *traj.Trajectory {
		return augs[rng.IntN(len(augs))](rng, t)
	}
}

// DefaultAugmentations are the course's view generator: a crop, then one
// of jitter (10 m), point masking (20 %), downsampling, a time shift (±1 h)
// or Douglas–Peucker simplification (5 m).
func DefaultAugmentations() Augmentation {
	return Compose(Crop(0.6), OneOf(Jitter(10), MaskPoints(0.2), Downsample(3), TimeShift(time.Hour), Simplify(5)))
}

// AugmentationByName parses "crop,jitter,mask,downsample,shift,simplify"
// (a comma list composed in order) or "default".
func AugmentationByName(names string) (Augmentation, error) {
	if names == "" || names == "default" {
		return DefaultAugmentations(), nil
	}
	var augs []Augmentation
	for _, n := range strings.Split(names, ",") {
		switch strings.TrimSpace(n) {
		case "crop":
			augs = append(augs, Crop(0.6))
		case "jitter":
			augs = append(augs, Jitter(10))
		case "mask":
			augs = append(augs, MaskPoints(0.2))
		case "downsample":
			augs = append(augs, Downsample(3))
		case "shift":
			augs = append(augs, TimeShift(time.Hour))
		case "simplify":
			augs = append(augs, Simplify(5))
		default:
			return nil, fmt.Errorf("unknown augmentation %q (want crop, jitter, mask, downsample, shift, simplify)", n)
		}
	}
	return Compose(augs...), nil
}

// subset copies the points whose index passes keep.
func subset(t *traj.Trajectory, keep func(i int) bool) *traj.Trajectory {
	c := *t
	c.Points = nil
	c.Modes = nil
	for i, p := range t.Points {
		if keep(i) {
			c.Points = append(c.Points, p)
			if t.Modes != nil {
				c.Modes = append(c.Modes, t.Modes[i])
			}
		}
	}
	return &c
}

// localLineString projects the points to metres around the first point.
func localLineString(t *traj.Trajectory) orb.LineString {
	proj := traj.NewLocalProjection(t.Points[0].Point)
	ls := make(orb.LineString, len(t.Points))
	for i, p := range t.Points {
		x, y := proj.XY(p.Point)
		ls[i] = orb.Point{x, y}
	}
	return ls
}
