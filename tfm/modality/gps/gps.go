// Package gps turns raw GPS trajectories into per-point feature vectors for
// an encoder: local planar metres around a dataset origin, step features
// (Δt, Δdistance, speed, acceleration, heading) and cyclic time features,
// normalised with statistics fitted on the training data and saved with the
// model so inference normalises identically.
package gps

import (
	"fmt"
	"math"
	"time"

	"github.com/paulmach/orb"

	"github.com/tfm-course/course/tfm/modality"
	"github.com/tfm-course/course/tfm/traj"
)

// Feature columns, in the order they appear in a feature vector.
const (
	X          = iota // metres east of the origin
	Y                 // metres north of the origin
	DeltaT            // seconds since the previous point (0 for the first)
	DeltaDist         // metres from the previous point (0 for the first)
	Speed             // m/s over the step ending here (0 for the first)
	Accel             // m/s² change of speed over the step (0 for the first two)
	HeadingSin        // sin of the bearing (clockwise from north) of the step
	HeadingCos        // cos of the bearing
	TimeOfDaySin
	TimeOfDayCos
	DayOfWeekSin
	DayOfWeekCos
	NumFeatures
)

// FeatureNames are the column names, indexed by the constants above.
var FeatureNames = [NumFeatures]string{
	"x", "y", "dt", "dist", "speed", "accel",
	"heading_sin", "heading_cos", "tod_sin", "tod_cos", "dow_sin", "dow_cos",
}

// Normalised says which columns are z-scored with dataset statistics; the
// others are sines and cosines already in [-1, 1] and are left as they are.
var Normalised = [NumFeatures]bool{true, true, true, true, true, true}

// EarthRadius is the sphere radius (metres) of the local projection:
// traj.EarthRadius.
const EarthRadius = traj.EarthRadius

// Projection is a local equirectangular projection around an origin
// (traj.LocalProjection, here with orb.Point metres): exact enough (< 0.1 %
// scale error) over a city, and exactly invertible.
type Projection struct {
	Origin orb.Point // [lon, lat] in degrees
}

// local is traj's projection around p.Origin.
func (p Projection) local() traj.LocalProjection { return traj.NewLocalProjection(p.Origin) }

// ToLocal maps [lon, lat] to metres [east, north] of the origin.
func (p Projection) ToLocal(q orb.Point) orb.Point {
	x, y := p.local().XY(q)
	return orb.Point{x, y}
}

// ToLonLat is the inverse of ToLocal.
func (p Projection) ToLonLat(m orb.Point) orb.Point { return p.local().LonLat(m[0], m[1]) }

// Raw computes the unnormalised features of every point, one row of
// NumFeatures values per point. Points must be finite, in range and in
// non-decreasing time order; the error names the trajectory and the point.
func Raw(t *traj.Trajectory, proj Projection) ([][NumFeatures]float64, error) {
	if t == nil || len(t.Points) == 0 {
		id := ""
		if t != nil {
			id = t.ID
		}
		return nil, fmt.Errorf("gps: trajectory %q has no points", id)
	}
	return rawOf(t.ID, t.Points, proj)
}

func rawOf(id string, pts []traj.Point, proj Projection) ([][NumFeatures]float64, error) {
	rows := make([][NumFeatures]float64, len(pts))
	var prev orb.Point
	var prevSpeed, hs, hc float64
	headingSet := false
	for i, p := range pts {
		if err := traj.CheckLonLat(p.Lon(), p.Lat()); err != nil {
			return nil, fmt.Errorf("gps: trajectory %q point %d: %w", id, i, err)
		}
		if p.Time.IsZero() {
			return nil, fmt.Errorf("gps: trajectory %q point %d: time is not set", id, i)
		}
		m := proj.ToLocal(p.Point)
		r := &rows[i]
		r[X], r[Y] = m[0], m[1]
		if i > 0 {
			dt := p.Time.Sub(pts[i-1].Time).Seconds()
			if dt < 0 {
				return nil, fmt.Errorf("gps: trajectory %q point %d: time %s is before the previous point's %s",
					id, i, p.Time.Format(time.RFC3339), pts[i-1].Time.Format(time.RFC3339))
			}
			dx, dy := m[0]-prev[0], m[1]-prev[1]
			d := math.Hypot(dx, dy)
			speed := prevSpeed // a zero-time step keeps the previous speed
			if dt > 0 {
				speed = d / dt
			}
			r[DeltaT], r[DeltaDist], r[Speed] = dt, d, speed
			if i > 1 && dt > 0 {
				r[Accel] = (speed - prevSpeed) / dt
			}
			if d > 0 { // a still step keeps the previous heading
				hs, hc = dx/d, dy/d // bearing clockwise from north: sin=east, cos=north
				if !headingSet {
					for j := 0; j < i; j++ { // points before the first move face it
						rows[j][HeadingSin], rows[j][HeadingCos] = hs, hc
					}
					headingSet = true
				}
			}
			prevSpeed = speed
		}
		r[HeadingSin], r[HeadingCos] = hs, hc
		tod := TimeOfDay(p.Time)
		r[TimeOfDaySin], r[TimeOfDayCos] = math.Sin(2*math.Pi*tod), math.Cos(2*math.Pi*tod)
		dow := float64(p.Time.Weekday()) / 7
		r[DayOfWeekSin], r[DayOfWeekCos] = math.Sin(2*math.Pi*dow), math.Cos(2*math.Pi*dow)
		prev = m
	}
	return rows, nil
}

// TimeOfDay is the fraction of the day elapsed at t, in t's own location.
func TimeOfDay(t time.Time) float64 {
	h, m, s := t.Clock()
	return (float64(h*3600+m*60+s) + float64(t.Nanosecond())/1e9) / 86400
}

// Stats are the dataset statistics a Featurizer normalises with. They are
// fitted on training data and saved with the model.
type Stats struct {
	Features  []string  `json:"features"`   // FeatureNames, checked on load
	Origin    orb.Point `json:"origin"`     // [lon, lat] of the projection origin
	Mean      []float64 `json:"mean"`       // per feature; 0 for unnormalised columns
	Std       []float64 `json:"std"`        // per feature; 1 for unnormalised columns
	NumPoints int       `json:"num_points"` // points the statistics were fitted on
}

// Featurizer computes normalised feature batches.
type Featurizer struct {
	Stats Stats
	// Sampling shortens trajectories longer than a batch's maxLen
	// (default modality.Truncate).
	Sampling modality.Sampling
	// Clip bounds each normalised value to [-Clip, Clip]; 0 means no clip.
	// GPS gaps make Δt and Δdistance heavy-tailed.
	Clip float64
}

// Fit computes the origin (centre of the bounding box) and the mean and
// standard deviation of each normalised feature over all points of trajs.
func Fit(trajs []*traj.Trajectory) (*Featurizer, error) {
	if len(trajs) == 0 {
		return nil, fmt.Errorf("gps: fit on no trajectories")
	}
	b := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for _, t := range trajs {
		if t == nil || len(t.Points) == 0 {
			continue
		}
		for i, p := range t.Points {
			if err := traj.CheckLonLat(p.Lon(), p.Lat()); err != nil {
				return nil, fmt.Errorf("gps: trajectory %q point %d: %w", t.ID, i, err)
			}
			b = b.Extend(p.Point)
		}
	}
	if math.IsInf(b.Min[0], 1) {
		return nil, fmt.Errorf("gps: fit on %d trajectories with no points", len(trajs))
	}
	proj := Projection{Origin: b.Center()}
	var sum, sumSq [NumFeatures]float64
	n := 0
	for _, t := range trajs {
		if t == nil || len(t.Points) == 0 {
			continue
		}
		rows, err := Raw(t, proj)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			for j, v := range r {
				sum[j] += v
				sumSq[j] += v * v
			}
		}
		n += len(rows)
	}
	s := Stats{Features: FeatureNames[:], Origin: proj.Origin, Mean: make([]float64, NumFeatures),
		Std: make([]float64, NumFeatures), NumPoints: n}
	for j := range NumFeatures {
		s.Std[j] = 1
		if !Normalised[j] {
			continue
		}
		mean := sum[j] / float64(n)
		v := sumSq[j]/float64(n) - mean*mean
		s.Mean[j] = mean
		if v > 1e-12 {
			s.Std[j] = math.Sqrt(v)
		}
	}
	return &Featurizer{Stats: s, Sampling: modality.Truncate, Clip: 10}, nil
}

// FitDataset is Fit over a dataset's trajectories.
func FitDataset(ds *traj.Dataset) (*Featurizer, error) {
	if ds == nil {
		return nil, fmt.Errorf("gps: fit on a nil dataset")
	}
	return Fit(ds.Trajectories)
}

// Projection is the local projection around the fitted origin.
func (f *Featurizer) Projection() Projection { return Projection{Origin: f.Stats.Origin} }

func (f *Featurizer) check() error {
	s := f.Stats
	if len(s.Mean) != NumFeatures || len(s.Std) != NumFeatures {
		return fmt.Errorf("gps: statistics have %d means and %d stds, want %d each", len(s.Mean), len(s.Std), NumFeatures)
	}
	for j, name := range s.Features {
		if j >= NumFeatures || name != FeatureNames[j] {
			return fmt.Errorf("gps: statistics feature %d is %q, this version expects %v", j, name, FeatureNames)
		}
	}
	if len(s.Features) != NumFeatures {
		return fmt.Errorf("gps: statistics list %d features, this version expects %d", len(s.Features), NumFeatures)
	}
	for j, sd := range s.Std {
		if !(sd > 0) || math.IsInf(sd, 0) || math.IsNaN(s.Mean[j]) || math.IsInf(s.Mean[j], 0) {
			return fmt.Errorf("gps: statistics of feature %q invalid (mean %v, std %v)", FeatureNames[j], s.Mean[j], sd)
		}
	}
	return traj.CheckLonLat(s.Origin[0], s.Origin[1])
}

// Features returns the normalised features of the points of t selected for
// a sequence of at most maxLen (maxLen <= 0: all), row-major
// [n, NumFeatures], and the indices of the points used.
func (f *Featurizer) Features(t *traj.Trajectory, maxLen int) ([]float32, []int, error) {
	if err := f.check(); err != nil {
		return nil, nil, err
	}
	if t == nil || len(t.Points) == 0 {
		id := ""
		if t != nil {
			id = t.ID
		}
		return nil, nil, fmt.Errorf("gps: trajectory %q has no points", id)
	}
	if maxLen <= 0 {
		maxLen = len(t.Points)
	}
	idx, err := modality.SampleIndices(len(t.Points), maxLen, f.Sampling)
	if err != nil {
		return nil, nil, fmt.Errorf("gps: %w", err)
	}
	pts := make([]traj.Point, len(idx))
	for i, k := range idx {
		pts[i] = t.Points[k]
	}
	rows, err := rawOf(t.ID, pts, f.Projection())
	if err != nil {
		return nil, nil, err
	}
	out := make([]float32, len(rows)*NumFeatures)
	for i, r := range rows {
		for j, v := range r {
			out[i*NumFeatures+j] = float32(f.normalise(j, v))
		}
	}
	return out, idx, nil
}

func (f *Featurizer) normalise(j int, v float64) float64 {
	z := (v - f.Stats.Mean[j]) / f.Stats.Std[j]
	if f.Clip > 0 {
		z = math.Max(-f.Clip, math.Min(f.Clip, z))
	}
	return z
}

// Denormalise maps a normalised value of column j back to its unit.
func (f *Featurizer) Denormalise(j int, z float64) float64 {
	return z*f.Stats.Std[j] + f.Stats.Mean[j]
}

// Batch builds a padded batch of the trajectories, each shortened to at
// most maxLen points with the Featurizer's Sampling. Features are
// [B, maxLen, NumFeatures]; Mask, TimeOfDay, DayOfWeek and DeltaT (seconds
// between the sampled points) are [B, maxLen].
func (f *Featurizer) Batch(trajs []*traj.Trajectory, maxLen int) (*modality.Batch, error) {
	if maxLen <= 0 {
		return nil, fmt.Errorf("gps: maxLen %d must be positive", maxLen)
	}
	if len(trajs) == 0 {
		return nil, fmt.Errorf("gps: batch of no trajectories")
	}
	B, L := len(trajs), maxLen
	b := &modality.Batch{
		Size: B, Len: L, NumFeatures: NumFeatures,
		Features:  make([]float32, B*L*NumFeatures),
		Mask:      make([]bool, B*L),
		TimeOfDay: make([]float32, B*L),
		DayOfWeek: make([]int32, B*L),
		DeltaT:    make([]float32, B*L),
		IDs:       make([]string, B),
	}
	for r, t := range trajs {
		feats, idx, err := f.Features(t, maxLen)
		if err != nil {
			return nil, fmt.Errorf("batch row %d: %w", r, err)
		}
		b.IDs[r] = t.ID
		copy(b.Features[r*L*NumFeatures:], feats)
		for i, k := range idx {
			p := t.Points[k]
			b.Mask[r*L+i] = true
			b.TimeOfDay[r*L+i] = float32(TimeOfDay(p.Time))
			b.DayOfWeek[r*L+i] = int32(p.Time.Weekday())
			if i > 0 {
				b.DeltaT[r*L+i] = float32(p.Time.Sub(t.Points[idx[i-1]].Time).Seconds())
			}
		}
	}
	return b, nil
}
