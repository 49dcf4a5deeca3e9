package traj

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// DefaultMaxSpeed is the fastest plausible speed (m/s) per transport mode;
// a step faster than this is a GPS jump. The "" entry applies to unknown
// modes. Values are generous caps, not typical speeds.
var DefaultMaxSpeed = map[string]float64{
	"":           100, // unknown: 360 km/h
	"walk":       10,
	"run":        12,
	"bike":       20,
	"bus":        40,
	"car":        70,
	"taxi":       70,
	"motorcycle": 70,
	"subway":     50,
	"train":      120,
	"boat":       40,
	"airplane":   350,
}

// CleanConfig chooses the cleaning steps Clean applies (zero disables a step).
type CleanConfig struct {
	// MaxSpeed maps a mode to its maximum plausible speed in m/s (key ""
	// for unknown modes); nil disables the speed filter.
	MaxSpeed map[string]float64
	// BBox, when set, keeps only points inside it (a trajectory that
	// leaves and re-enters is split).
	BBox *orb.Bound
	// MaxGap splits a trajectory where consecutive points are further
	// apart in time.
	MaxGap time.Duration
	// Resample, when > 0, resamples every trajectory to this fixed
	// interval by linear interpolation.
	Resample time.Duration
	// MinPoints, MinLength (metres) and MinDuration drop trajectories
	// below them (checked last).
	MinPoints   int
	MinLength   float64
	MinDuration time.Duration
}

// DefaultCleanConfig is a sensible start for GPS data of people and
// vehicles: per-mode speed caps, split on gaps over 10 minutes, keep
// trajectories of at least 5 points, 100 m and 1 minute.
func DefaultCleanConfig() CleanConfig {
	return CleanConfig{MaxSpeed: DefaultMaxSpeed, MaxGap: 10 * time.Minute, MinPoints: 5, MinLength: 100, MinDuration: time.Minute}
}

// CleanReport counts what Clean did.
type CleanReport struct {
	InTrajectories, InPoints   int
	Duplicates                 int // points sharing a timestamp with the previous one
	Reordered                  int // trajectories whose points were out of time order
	OutsideBBox                int // points outside CleanConfig.BBox
	SpeedJumps                 int // points dropped as impossible jumps
	GapSplits                  int // extra trajectories created by splitting on gaps and the box
	DroppedShort               int // trajectories below the minimums
	OutTrajectories, OutPoints int
}

func (r CleanReport) String() string {
	return fmt.Sprintf("%d trajectories / %d points in; %d duplicate timestamps, %d reordered, %d outside bbox, %d speed jumps removed; %d splits; %d short trajectories dropped; %d trajectories / %d points out",
		r.InTrajectories, r.InPoints, r.Duplicates, r.Reordered, r.OutsideBBox, r.SpeedJumps, r.GapSplits, r.DroppedShort, r.OutTrajectories, r.OutPoints)
}

// Clean returns a cleaned copy of ds (ds itself is not modified): for each
// trajectory, sort by time and drop duplicate timestamps, clip to the box,
// drop speed jumps, split on gaps, resample, then drop what is too short.
func Clean(ds *Dataset, cfg CleanConfig) (*Dataset, CleanReport) {
	rep := CleanReport{InTrajectories: len(ds.Trajectories), InPoints: ds.NumPoints()}
	out := &Dataset{Name: ds.Name}
	for _, orig := range ds.Trajectories {
		t := orig.Clone()
		if SortByTime(t) {
			rep.Reordered++
		}
		rep.Duplicates += DedupTimes(t)
		parts := []*Trajectory{t}
		if cfg.BBox != nil {
			n := t.Len()
			parts = ClipBound(t, *cfg.BBox)
			kept := 0
			for _, p := range parts {
				kept += p.Len()
			}
			rep.OutsideBBox += n - kept
			if len(parts) > 1 {
				rep.GapSplits += len(parts) - 1
			}
		}
		for _, p := range parts {
			if cfg.MaxSpeed != nil {
				rep.SpeedJumps += DropSpeedJumps(p, cfg.MaxSpeed)
			}
			pieces := []*Trajectory{p}
			if cfg.MaxGap > 0 {
				pieces = SplitGaps(p, cfg.MaxGap)
				rep.GapSplits += len(pieces) - 1
			}
			for _, q := range pieces {
				if cfg.Resample > 0 {
					q = Resample(q, cfg.Resample)
				}
				if q.Len() == 0 || q.Len() < cfg.MinPoints || q.Length() < cfg.MinLength || q.Duration() < cfg.MinDuration {
					rep.DroppedShort++
					continue
				}
				out.Trajectories = append(out.Trajectories, q)
			}
		}
	}
	rep.OutTrajectories, rep.OutPoints = len(out.Trajectories), out.NumPoints()
	return out, rep
}

// SortByTime stably sorts the points (and per-point modes) by time and
// reports whether they were out of order.
func SortByTime(t *Trajectory) bool {
	less := func(i, j int) bool { return t.Points[i].Time.Before(t.Points[j].Time) }
	if sort.SliceIsSorted(t.Points, less) {
		return false
	}
	idx := make([]int, len(t.Points))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return less(idx[a], idx[b]) })
	t.keep(idx)
	return true
}

// keep reorders/filters Points and Modes to the given indexes.
func (t *Trajectory) keep(idx []int) {
	pts := make([]Point, len(idx))
	for k, i := range idx {
		pts[k] = t.Points[i]
	}
	if t.Modes != nil {
		m := make([]string, len(idx))
		for k, i := range idx {
			m[k] = t.Modes[i]
		}
		t.Modes = m
	}
	t.Points = pts
}

// DedupTimes drops points whose timestamp equals the previous point's
// (keeping the first); points must be sorted. It returns how many went.
func DedupTimes(t *Trajectory) int {
	if len(t.Points) < 2 {
		return 0
	}
	idx := make([]int, 0, len(t.Points))
	idx = append(idx, 0)
	for i := 1; i < len(t.Points); i++ {
		if !t.Points[i].Time.Equal(t.Points[idx[len(idx)-1]].Time) {
			idx = append(idx, i)
		}
	}
	removed := len(t.Points) - len(idx)
	if removed > 0 {
		t.keep(idx)
	}
	return removed
}

// maxSpeedFor looks a mode up in the table (case-insensitively), falling
// back to the "" entry, else no limit.
func maxSpeedFor(table map[string]float64, mode string) float64 {
	if v, ok := table[mode]; ok {
		return v
	}
	if v, ok := table[strings.ToLower(mode)]; ok {
		return v
	}
	if v, ok := table[""]; ok {
		return v
	}
	return math.Inf(1)
}

// DropSpeedJumps removes points reached from the last kept point faster
// than the maximum speed of the point's mode (maxSpeed[mode], "" for
// unknown modes). A first point that is itself the outlier (the jump to
// point 1 is impossible but 0→2 is also, while 1→2 is fine) is dropped.
// Points must be sorted by time; it returns the number removed.
func DropSpeedJumps(t *Trajectory, maxSpeed map[string]float64) int {
	n := len(t.Points)
	if n < 2 {
		return 0
	}
	speed := func(a, b int) float64 {
		dt := t.Points[b].Time.Sub(t.Points[a].Time).Seconds()
		d := Haversine(t.Points[a].Point, t.Points[b].Point)
		if dt <= 0 {
			if d == 0 {
				return 0
			}
			return math.Inf(1)
		}
		return d / dt
	}
	tooFast := func(a, b int) bool { return speed(a, b) > maxSpeedFor(maxSpeed, t.ModeAt(b)) }
	start := 0
	if n >= 3 && tooFast(0, 1) && !tooFast(1, 2) && tooFast(0, 2) {
		start = 1
	}
	idx := make([]int, 0, n)
	idx = append(idx, start)
	for i := start + 1; i < n; i++ {
		if !tooFast(idx[len(idx)-1], i) {
			idx = append(idx, i)
		}
	}
	removed := n - len(idx)
	if removed > 0 {
		t.keep(idx)
	}
	return removed
}

// SplitGaps cuts t where consecutive points are more than maxGap apart.
// One piece keeps t's ID; several are named "ID#1", "ID#2", …
func SplitGaps(t *Trajectory, maxGap time.Duration) []*Trajectory {
	var cuts []int
	for i := 1; i < len(t.Points); i++ {
		if t.Points[i].Time.Sub(t.Points[i-1].Time) > maxGap {
			cuts = append(cuts, i)
		}
	}
	if len(cuts) == 0 {
		return []*Trajectory{t}
	}
	return t.pieces(cuts)
}

// pieces splits t before each index in cuts.
func (t *Trajectory) pieces(cuts []int) []*Trajectory {
	bounds := append(append([]int{0}, cuts...), len(t.Points))
	var out []*Trajectory
	for k := 0; k+1 < len(bounds); k++ {
		a, b := bounds[k], bounds[k+1]
		if a == b {
			continue
		}
		out = append(out, t.sub(a, b, fmt.Sprintf("%s#%d", t.ID, len(out)+1)))
	}
	if len(out) == 1 {
		out[0].ID = t.ID
	}
	return out
}

// sub is a copy of points [a, b) with a new id.
func (t *Trajectory) sub(a, b int, id string) *Trajectory {
	c := &Trajectory{ID: id, UserID: t.UserID, Mode: t.Mode, Points: append([]Point(nil), t.Points[a:b]...)}
	if t.Modes != nil {
		c.Modes = append([]string(nil), t.Modes[a:b]...)
	}
	if t.Labels != nil {
		c.Labels = make(map[string]string, len(t.Labels))
		for k, v := range t.Labels {
			c.Labels[k] = v
		}
	}
	return c
}

// ClipBound keeps the points inside b; each run of consecutive inside
// points becomes one trajectory (named as in SplitGaps). It returns nil
// when no point is inside.
func ClipBound(t *Trajectory, b orb.Bound) []*Trajectory {
	var out []*Trajectory
	start := -1
	flush := func(end int) {
		if start >= 0 {
			out = append(out, t.sub(start, end, ""))
			start = -1
		}
	}
	for i, p := range t.Points {
		if b.Contains(p.Point) {
			if start < 0 {
				start = i
			}
		} else {
			flush(i)
		}
	}
	flush(len(t.Points))
	for k, c := range out {
		if len(out) == 1 {
			c.ID = t.ID
		} else {
			c.ID = fmt.Sprintf("%s#%d", t.ID, k+1)
		}
	}
	return out
}

// Resample returns t sampled every dt from its first point's time up to
// its last, positions (and altitude, where both neighbours have one)
// linearly interpolated in time; each sample takes the mode of the point
// at or before it. Speed and accuracy are unknown (NaN) in the result.
// Points must be sorted by time with distinct timestamps.
func Resample(t *Trajectory, dt time.Duration) *Trajectory {
	c := &Trajectory{ID: t.ID, UserID: t.UserID, Mode: t.Mode, Labels: t.Labels}
	if len(t.Points) == 0 || dt <= 0 {
		c.Points = append([]Point(nil), t.Points...)
		if t.Modes != nil {
			c.Modes = append([]string(nil), t.Modes...)
		}
		return c
	}
	t0, tEnd := t.Points[0].Time, t.Points[len(t.Points)-1].Time
	n := int(tEnd.Sub(t0)/dt) + 1
	c.Points = make([]Point, 0, n)
	if t.Modes != nil {
		c.Modes = make([]string, 0, n)
	}
	j := 0 // t.Points[j].Time <= s < t.Points[j+1].Time
	for k := 0; k < n; k++ {
		s := t0.Add(time.Duration(k) * dt)
		for j+1 < len(t.Points) && !t.Points[j+1].Time.After(s) {
			j++
		}
		a := t.Points[j]
		p := NewPoint(a.Lon(), a.Lat(), s)
		p.Alt = a.Alt
		if j+1 < len(t.Points) && s.After(a.Time) {
			b := t.Points[j+1]
			f := float64(s.Sub(a.Time)) / float64(b.Time.Sub(a.Time))
			p.Point = orb.Point{a.Lon() + f*(b.Lon()-a.Lon()), a.Lat() + f*(b.Lat()-a.Lat())}
			p.Alt = a.Alt + f*(b.Alt-a.Alt) // NaN when either is unknown
		}
		c.Points = append(c.Points, p)
		if t.Modes != nil {
			c.Modes = append(c.Modes, t.Modes[j])
		}
	}
	return c
}
