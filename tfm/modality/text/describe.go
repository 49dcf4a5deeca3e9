package text

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/tfm-course/course/tfm/traj"
)

// StayPoint is a place where the trajectory stayed: points First..Last all
// lie within the distance threshold of point First for at least the time
// threshold (Li et al. 2008).
type StayPoint struct {
	First, Last   int       // point indices
	Centre        orb.Point // mean position of the points
	Arrive, Leave time.Time
}

// Duration is Leave - Arrive.
func (s StayPoint) Duration() time.Duration { return s.Leave.Sub(s.Arrive) }

// StayPoints detects the stay points of t: a maximal run of points within
// maxDist metres of its first point that spans at least minDuration.
func StayPoints(t *traj.Trajectory, maxDist float64, minDuration time.Duration) ([]StayPoint, error) {
	if err := checkTraj(t); err != nil {
		return nil, err
	}
	var out []StayPoint
	pts := t.Points
	for i := 0; i < len(pts); {
		j := i + 1
		for j < len(pts) && traj.Haversine(pts[i].Point, pts[j].Point) <= maxDist {
			j++
		}
		if pts[j-1].Time.Sub(pts[i].Time) >= minDuration && j-1 > i {
			var c orb.Point
			for k := i; k < j; k++ {
				c[0] += pts[k].Lon()
				c[1] += pts[k].Lat()
			}
			n := float64(j - i)
			out = append(out, StayPoint{First: i, Last: j - 1, Centre: orb.Point{c[0] / n, c[1] / n},
				Arrive: pts[i].Time, Leave: pts[j-1].Time})
			i = j
			continue
		}
		i++
	}
	return out, nil
}

func checkTraj(t *traj.Trajectory) error {
	if t == nil {
		return fmt.Errorf("text: nil trajectory")
	}
	if err := t.Validate(); err != nil {
		return fmt.Errorf("text: %w", err)
	}
	for i := 1; i < len(t.Points); i++ {
		if t.Points[i].Time.Before(t.Points[i-1].Time) {
			return fmt.Errorf("text: trajectory %q point %d: time goes backwards", t.ID, i)
		}
	}
	return nil
}

// Config holds the thresholds of a Describer.
type Config struct {
	StayDistance float64       // metres (default 200)
	StayDuration time.Duration // default 15 min
	POIRadius    float64       // a place is named after a POI within this many metres (default 150)
	StreetRadius float64       // a point is on the nearest named street within this many metres (default 40)
	// MinStreetPoints is how many consecutive points must match a street
	// for it to be mentioned (default 2), and MinStreetMetres how far apart
	// the first and last of them must be (default 25 m): together they drop
	// cross streets matched by noise or by a traveller waiting at a corner
	// (a negative MinStreetMetres means no minimum).
	MinStreetPoints int
	MinStreetMetres float64
}

// DefaultConfig: stays of 15 min within 200 m, POIs within 150 m, streets
// within 40 m over at least 2 points 25 m apart.
func DefaultConfig() Config {
	return Config{StayDistance: 200, StayDuration: 15 * time.Minute, POIRadius: 150, StreetRadius: 40,
		MinStreetPoints: 2, MinStreetMetres: 25}
}

// Describer describes trajectories against a map Context.
type Describer struct {
	Config Config
	gaz    *gazetteer
}

// NewDescriber indexes the context's POIs and streets.
func NewDescriber(ctx Context, cfg Config) (*Describer, error) {
	d := DefaultConfig()
	if cfg.StayDistance <= 0 {
		cfg.StayDistance = d.StayDistance
	}
	if cfg.StayDuration <= 0 {
		cfg.StayDuration = d.StayDuration
	}
	if cfg.POIRadius <= 0 {
		cfg.POIRadius = d.POIRadius
	}
	if cfg.StreetRadius <= 0 {
		cfg.StreetRadius = d.StreetRadius
	}
	if cfg.MinStreetPoints <= 0 {
		cfg.MinStreetPoints = d.MinStreetPoints
	}
	if cfg.MinStreetMetres < 0 {
		cfg.MinStreetMetres = 0
	} else if cfg.MinStreetMetres == 0 {
		cfg.MinStreetMetres = d.MinStreetMetres
	}
	g, err := newGazetteer(ctx)
	if err != nil {
		return nil, err
	}
	return &Describer{Config: cfg, gaz: g}, nil
}

// Place is a labelled location: the nearest POI (if any within the radius)
// and the district containing it (if any).
type Place struct {
	Point        orb.Point
	POI          string // "" when none is near
	Category     string
	District     string // "" when outside all districts
	DistrictType string
}

// Phrase names the place: "Café Rosa (cafe), Downtown (business district)",
// "Southgate (residential district)" or "39.9841 N 116.3183 E".
func (p Place) Phrase() string {
	var parts []string
	if p.POI != "" {
		s := p.POI
		if p.Category != "" {
			s += " (" + p.Category + ")"
		}
		parts = append(parts, s)
	}
	if p.District != "" {
		s := p.District
		if p.DistrictType != "" {
			s += " (" + p.DistrictType + " district)"
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return coords(p.Point)
	}
	return strings.Join(parts, ", ")
}

func coords(p orb.Point) string {
	ns, ew := "N", "E"
	if p[1] < 0 {
		ns = "S"
	}
	if p[0] < 0 {
		ew = "W"
	}
	return fmt.Sprintf("%.4f %s %.4f %s", math.Abs(p[1]), ns, math.Abs(p[0]), ew)
}

// Place labels point p.
func (d *Describer) Place(p orb.Point) Place {
	pl := Place{Point: p}
	if i, _ := d.gaz.nearestPOI(p, d.Config.POIRadius); i >= 0 {
		pl.POI, pl.Category = d.gaz.ctx.POIs[i].Name, d.gaz.ctx.POIs[i].Category
	}
	if i := d.gaz.district(p); i >= 0 {
		pl.District, pl.DistrictType = d.gaz.ctx.Districts[i].Name, d.gaz.ctx.Districts[i].Type
	}
	return pl
}

// Event kinds of a Description.
const (
	Leave  = "leave"  // departure from the first place
	Street = "street" // travelling along a street
	Stay   = "stay"   // a stay point on the way
	Arrive = "arrive" // arrival at the last place
)

// Event is one step of a Description.
type Event struct {
	Kind  string
	Time  time.Time // departure, arrival, or entering the street / stay
	Until time.Time // Stay: when it ended
	Place Place     // Leave, Stay, Arrive
	Name  string    // Street: the street name
}

// Description is what a trajectory did, in order: Leave, Streets and Stays,
// Arrive.
type Description struct {
	ID     string
	Mode   string
	Events []Event
	Length float64 // metres
}

// Depart is the departure time, ArriveAt the arrival time.
func (d *Description) Depart() time.Time   { return d.Events[0].Time }
func (d *Description) ArriveAt() time.Time { return d.Events[len(d.Events)-1].Time }

// TravelTime is ArriveAt - Depart.
func (d *Description) TravelTime() time.Duration { return d.ArriveAt().Sub(d.Depart()) }

// Describe finds the stay points of t, names its places and streets and
// returns its Description. A stay at the very start (end) makes the
// departure (arrival) the end (start) of that stay.
func (d *Describer) Describe(t *traj.Trajectory) (*Description, error) {
	stays, err := StayPoints(t, d.Config.StayDistance, d.Config.StayDuration)
	if err != nil {
		return nil, err
	}
	pts := t.Points
	first, last := 0, len(pts)-1
	startPlace, endPlace := pts[0].Point, pts[last].Point
	departT, arriveT := pts[0].Time, pts[last].Time
	if len(stays) > 0 && stays[0].First == 0 {
		first, startPlace, departT = stays[0].Last, stays[0].Centre, stays[0].Leave
		stays = stays[1:]
	}
	if len(stays) > 0 && stays[len(stays)-1].Last == len(pts)-1 && stays[len(stays)-1].First > first {
		s := stays[len(stays)-1]
		last, endPlace, arriveT = s.First, s.Centre, s.Arrive
		stays = stays[:len(stays)-1]
	}
	desc := &Description{ID: t.ID, Mode: t.Mode, Length: t.Length()}
	desc.Events = append(desc.Events, Event{Kind: Leave, Time: departT, Place: d.Place(startPlace)})
	// Streets: runs of points matched to the same name, noise-filtered.
	name, runStart, runLen := "", 0, 0
	lastStreet := ""
	flush := func() {
		if name != "" && runLen >= d.Config.MinStreetPoints && name != lastStreet &&
			traj.Haversine(pts[runStart].Point, pts[runStart+runLen-1].Point) >= d.Config.MinStreetMetres {
			desc.Events = append(desc.Events, Event{Kind: Street, Time: pts[runStart].Time, Name: name})
			lastStreet = name
		}
	}
	si := 0
	for i := first; i <= last; i++ {
		if si < len(stays) && i == stays[si].First {
			flush()
			name, runLen = "", 0
			s := stays[si]
			desc.Events = append(desc.Events, Event{Kind: Stay, Time: s.Arrive, Until: s.Leave, Place: d.Place(s.Centre)})
			lastStreet = ""
			i = s.Last
			si++
			continue
		}
		n := d.gaz.street(pts[i].Point, d.Config.StreetRadius, name, d.Config.StreetRadius/2)
		if n == name {
			runLen++
			continue
		}
		flush()
		name, runStart, runLen = n, i, 1
	}
	flush()
	desc.Events = append(desc.Events, Event{Kind: Arrive, Time: arriveT, Place: d.Place(endPlace)})
	return desc, nil
}

// Render options of a sentence.
type Render struct {
	NoTimes   bool // leave out every time (e.g. to ask for a travel time)
	NoArrival bool // stop before the arrival (e.g. to ask for the destination)
}

// Sentence renders the description: "08:05 leave Southgate (residential
// district) on Kepler Street → Darwin Lane → 08:20–08:40 stay at Iron Owl
// Gym (gym), Southgate (residential district) → 08:51 arrive at Café Rosa
// (cafe), Downtown (business district)".
func (d *Description) Sentence() string { return d.Render(Render{}) }

// Render renders the description with options.
func (d *Description) Render(r Render) string {
	clock := func(t time.Time) string {
		if r.NoTimes {
			return ""
		}
		return t.Format("15:04") + " "
	}
	var parts []string
	for i := 0; i < len(d.Events); i++ {
		e := d.Events[i]
		switch e.Kind {
		case Leave:
			s := clock(e.Time) + "leave " + e.Place.Phrase()
			if i+1 < len(d.Events) && d.Events[i+1].Kind == Street {
				s += " on " + d.Events[i+1].Name
				i++
			}
			parts = append(parts, s)
		case Street:
			parts = append(parts, e.Name)
		case Stay:
			span := ""
			if !r.NoTimes {
				span = e.Time.Format("15:04") + "–" + e.Until.Format("15:04") + " "
			}
			parts = append(parts, span+"stay at "+e.Place.Phrase())
		case Arrive:
			if !r.NoArrival {
				parts = append(parts, clock(e.Time)+"arrive at "+e.Place.Phrase())
			}
		}
	}
	return strings.Join(parts, " → ")
}
