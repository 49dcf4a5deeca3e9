// Package traj holds the trajectory types every other package of the course
// builds on: a Point is a position (orb's [lon, lat]) with a time and optional
// attributes; a Trajectory is an ordered list of points with its identity and
// labels.
package traj

import (
	"fmt"
	"math"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// Point is one GPS fix. Lon/Lat live in orb.Point ([0]=lon, [1]=lat).
// Optional attributes are NaN when unknown.
type Point struct {
	orb.Point
	Time     time.Time
	Alt      float64 // metres above sea level, NaN when unknown
	Speed    float64 // m/s as reported by the device, NaN when unknown
	Accuracy float64 // metres, NaN when unknown
}

// NewPoint returns a point with no optional attributes.
func NewPoint(lon, lat float64, t time.Time) Point {
	return Point{Point: orb.Point{lon, lat}, Time: t, Alt: math.NaN(), Speed: math.NaN(), Accuracy: math.NaN()}
}

// Lon returns the longitude in degrees.
func (p Point) Lon() float64 { return p.Point[0] }

// Lat returns the latitude in degrees.
func (p Point) Lat() float64 { return p.Point[1] }

// Trajectory is an ordered sequence of points of one moving object.
type Trajectory struct {
	ID     string
	UserID string
	// Mode is the transport mode of the whole trajectory ("" when unknown).
	Mode   string
	Points []Point
	// Modes optionally labels each point (same length as Points, "" for an
	// unlabelled point); nil when no per-point labels exist.
	Modes []string
	// Labels holds other trajectory-level labels (e.g. "district_from").
	Labels map[string]string
}

// Len is the number of points.
func (t *Trajectory) Len() int { return len(t.Points) }

// Start is the time of the first point (zero for an empty trajectory).
func (t *Trajectory) Start() time.Time {
	if len(t.Points) == 0 {
		return time.Time{}
	}
	return t.Points[0].Time
}

// End is the time of the last point (zero for an empty trajectory).
func (t *Trajectory) End() time.Time {
	if len(t.Points) == 0 {
		return time.Time{}
	}
	return t.Points[len(t.Points)-1].Time
}

// Duration is End-Start.
func (t *Trajectory) Duration() time.Duration { return t.End().Sub(t.Start()) }

// Length is the haversine length in metres.
func (t *Trajectory) Length() float64 {
	var d float64
	for i := 1; i < len(t.Points); i++ {
		d += Haversine(t.Points[i-1].Point, t.Points[i].Point)
	}
	return d
}

// Speeds returns the speed (m/s) of each of the len-1 steps; a step with no
// elapsed time has speed NaN.
func (t *Trajectory) Speeds() []float64 {
	if len(t.Points) < 2 {
		return nil
	}
	s := make([]float64, len(t.Points)-1)
	for i := 1; i < len(t.Points); i++ {
		dt := t.Points[i].Time.Sub(t.Points[i-1].Time).Seconds()
		if dt <= 0 {
			s[i-1] = math.NaN()
			continue
		}
		s[i-1] = Haversine(t.Points[i-1].Point, t.Points[i].Point) / dt
	}
	return s
}

// Bound is the bounding box of the points.
func (t *Trajectory) Bound() orb.Bound { return t.LineString().Bound() }

// LineString is the geometry without times.
func (t *Trajectory) LineString() orb.LineString {
	ls := make(orb.LineString, len(t.Points))
	for i, p := range t.Points {
		ls[i] = p.Point
	}
	return ls
}

// ModeAt returns the label of point i: its per-point mode when present, else
// the trajectory's mode.
func (t *Trajectory) ModeAt(i int) string {
	if t.Modes != nil && t.Modes[i] != "" {
		return t.Modes[i]
	}
	return t.Mode
}

// Feature converts the trajectory to a GeoJSON LineString feature with
// properties id, user_id, mode and times (RFC 3339, one per point).
func (t *Trajectory) Feature() *geojson.Feature {
	f := geojson.NewFeature(t.LineString())
	f.Properties["id"] = t.ID
	if t.UserID != "" {
		f.Properties["user_id"] = t.UserID
	}
	if t.Mode != "" {
		f.Properties["mode"] = t.Mode
	}
	times := make([]string, len(t.Points))
	for i, p := range t.Points {
		times[i] = p.Time.UTC().Format(time.RFC3339Nano)
	}
	f.Properties["times"] = times
	if t.Modes != nil {
		f.Properties["modes"] = append([]string(nil), t.Modes...)
	}
	for k, v := range t.Labels {
		f.Properties[k] = v
	}
	return f
}

// Clone returns a deep copy.
func (t *Trajectory) Clone() *Trajectory {
	c := *t
	c.Points = append([]Point(nil), t.Points...)
	if t.Modes != nil {
		c.Modes = append([]string(nil), t.Modes...)
	}
	if t.Labels != nil {
		c.Labels = make(map[string]string, len(t.Labels))
		for k, v := range t.Labels {
			c.Labels[k] = v
		}
	}
	return &c
}

// Validate checks coordinates are finite and in range and times are set.
// The error names the trajectory and the point index.
func (t *Trajectory) Validate() error {
	if len(t.Points) == 0 {
		return fmt.Errorf("trajectory %q: no points", t.ID)
	}
	if t.Modes != nil && len(t.Modes) != len(t.Points) {
		return fmt.Errorf("trajectory %q: %d mode labels for %d points", t.ID, len(t.Modes), len(t.Points))
	}
	for i, p := range t.Points {
		if err := CheckLonLat(p.Lon(), p.Lat()); err != nil {
			return fmt.Errorf("trajectory %q point %d: %w", t.ID, i, err)
		}
	}
	return nil
}

// CheckLonLat reports NaN/Inf or out-of-range coordinates.
func CheckLonLat(lon, lat float64) error {
	switch {
	case math.IsNaN(lat) || math.IsInf(lat, 0):
		return fmt.Errorf("latitude %v is not a finite number", lat)
	case math.IsNaN(lon) || math.IsInf(lon, 0):
		return fmt.Errorf("longitude %v is not a finite number", lon)
	case lat < -90 || lat > 90:
		return fmt.Errorf("latitude %v outside [-90, 90]", lat)
	case lon < -180 || lon > 180:
		return fmt.Errorf("longitude %v outside [-180, 180]", lon)
	}
	return nil
}

// Dataset is a named collection of trajectories.
type Dataset struct {
	Name         string
	Trajectories []*Trajectory
}

// NumPoints counts all points.
func (d *Dataset) NumPoints() int {
	n := 0
	for _, t := range d.Trajectories {
		n += len(t.Points)
	}
	return n
}

// Users lists the distinct user ids in first-seen order.
func (d *Dataset) Users() []string {
	seen := map[string]bool{}
	var users []string
	for _, t := range d.Trajectories {
		if t.UserID != "" && !seen[t.UserID] {
			seen[t.UserID] = true
			users = append(users, t.UserID)
		}
	}
	return users
}

// Bound is the bounding box of all points.
func (d *Dataset) Bound() orb.Bound {
	b := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for _, t := range d.Trajectories {
		for _, p := range t.Points {
			b = b.Extend(p.Point)
		}
	}
	return b
}

// Label returns the trajectory-level label for key: "mode" is t.Mode,
// "user" is t.UserID, anything else is t.Labels[key] ("" when missing).
func (t *Trajectory) Label(key string) string {
	switch key {
	case "mode":
		return t.Mode
	case "user":
		return t.UserID
	}
	return t.Labels[key]
}
