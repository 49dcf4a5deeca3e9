// Package synth generates the course's synthetic city: a road network laid
// out like a real town, districts with types, named points of interest, and
// agents with daily routines who travel by walking, cycling, bus or car
// through time-dependent congestion. The observed trajectories carry GPS
// noise, irregular sampling and dropouts; every trip keeps its ground truth
// (road-segment path with entry times, true positions, travel time, mode,
// user, origin and destination districts).
//
// Everything is deterministic from Config.Seed: the same configuration gives
// the same City and byte-identical files (WriteDir). Generation of the
// default size takes well under a second, with no download.
//
// Times are UTC and the city lives on UTC: the rush hours peak around 08:00
// and 17:30 UTC on weekdays.
package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/tfm-course/course/tfm/roadnet"
	"github.com/tfm-course/course/tfm/traj"
)

// Transport modes of the agents.
const (
	Walk = "walk"
	Bike = "bike"
	Bus  = "bus"
	Car  = "car"
)

// Modes lists the transport modes in order of typical speed.
var Modes = []string{Walk, Bike, Bus, Car}

// District types.
const (
	Business    = "business"
	Residential = "residential"
	Industrial  = "industrial"
	Park        = "park"
	University  = "university"
	Commercial  = "commercial"
)

// DistrictTypes lists every district type.
var DistrictTypes = []string{Business, Residential, Industrial, Park, University, Commercial}

// Config sets the size and the sensor model of the generated city. Zero
// values take the defaults of DefaultConfig (so Config{Seed: 7} works).
type Config struct {
	Seed int64
	// Trajectories is the number of observed trips (exactly this many).
	Trajectories int
	// Agents is the number of users; 0 means one per 20 trajectories (at
	// least 10, at most 2,000).
	Agents int
	// Days is the minimum number of simulated days starting at StartDate;
	// more days are simulated until Trajectories trips exist, and the
	// earliest Trajectories trips (by departure) are kept.
	Days int
	// StartDate is the first simulated day (its date in UTC is used).
	StartDate time.Time
	// SamplingInterval is the mean time between GPS fixes; each interval is
	// drawn uniformly within ±SamplingJitter of it (whole seconds, ≥ 1 s),
	// with an occasional longer gap.
	SamplingInterval time.Duration
	SamplingJitter   float64
	// Noise is the standard deviation, in metres, of the Gaussian GPS error
	// on each axis (east and north), independent per fix. Negative means 0.
	Noise float64
	// DropoutRate is the probability that an interior fix is lost; a trip
	// also loses a burst of 3-8 consecutive fixes with probability
	// 2*DropoutRate. The first and last fixes are always kept.
	DropoutRate float64
	// POIs is the number of points of interest.
	POIs int
	// Name of the city; Center is its centre (lon, lat) for the generated
	// network (ignored with Network).
	Name   string
	Center orb.Point
	// Network, when set, is an external road network (e.g. imported from
	// OpenStreetMap) on which the agents are simulated instead of the
	// generated one. Districts are then a grid of zones over its bound with
	// assigned types, and POIs sit at its nodes. The graph is not modified.
	Network *roadnet.Graph
	// Drift, when true, gives the "after" city of the same seed: a new
	// district on former parkland, an outer ring-road section, a closed
	// road, changed rush-hour congestion, more cycling and more agents, a
	// year later (see DriftReport). False is the city as it was, unchanged.
	// It needs the generated network (Network nil).
	Drift bool
}

// DefaultConfig is the course's default city: 2,000 trajectories of 100
// users, a fix every ~10 s with 5 m noise and 5 % dropouts.
func DefaultConfig() Config {
	return Config{
		Seed:             1,
		Trajectories:     2000,
		Agents:           100,
		Days:             0,
		StartDate:        time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC), // a Monday
		SamplingInterval: 10 * time.Second,
		SamplingJitter:   0.3,
		Noise:            5,
		DropoutRate:      0.05,
		POIs:             240,
		Name:             "Fairhaven",
		Center:           orb.Point{10.0, 50.0},
	}
}

// withDefaults fills zero fields from DefaultConfig and checks ranges.
func (cfg Config) withDefaults() (Config, error) {
	d := DefaultConfig()
	if cfg.Trajectories == 0 {
		cfg.Trajectories = d.Trajectories
	}
	if cfg.Trajectories < 0 {
		return cfg, fmt.Errorf("synth: Trajectories = %d, want > 0", cfg.Trajectories)
	}
	if cfg.Agents == 0 {
		cfg.Agents = min(max(cfg.Trajectories/20, 10), 2000)
	}
	if cfg.Agents < 0 {
		return cfg, fmt.Errorf("synth: Agents = %d, want > 0", cfg.Agents)
	}
	if cfg.Days < 0 {
		return cfg, fmt.Errorf("synth: Days = %d, want >= 0", cfg.Days)
	}
	if cfg.StartDate.IsZero() {
		cfg.StartDate = d.StartDate
	}
	y, m, dd := cfg.StartDate.UTC().Date()
	cfg.StartDate = time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
	if cfg.SamplingInterval == 0 {
		cfg.SamplingInterval = d.SamplingInterval
	}
	if cfg.SamplingInterval < time.Second {
		return cfg, fmt.Errorf("synth: SamplingInterval = %v, want >= 1s", cfg.SamplingInterval)
	}
	if cfg.SamplingJitter == 0 {
		cfg.SamplingJitter = d.SamplingJitter
	}
	if cfg.SamplingJitter < 0 || cfg.SamplingJitter >= 1 || math.IsNaN(cfg.SamplingJitter) {
		return cfg, fmt.Errorf("synth: SamplingJitter = %v, want in [0, 1)", cfg.SamplingJitter)
	}
	if math.IsNaN(cfg.Noise) || math.IsInf(cfg.Noise, 0) {
		return cfg, fmt.Errorf("synth: Noise = %v, want a finite number of metres", cfg.Noise)
	}
	cfg.Noise = max(cfg.Noise, 0)
	if cfg.DropoutRate < 0 || cfg.DropoutRate >= 0.5 || math.IsNaN(cfg.DropoutRate) {
		return cfg, fmt.Errorf("synth: DropoutRate = %v, want in [0, 0.5)", cfg.DropoutRate)
	}
	if cfg.POIs == 0 {
		cfg.POIs = d.POIs
	}
	if cfg.POIs < 0 {
		return cfg, fmt.Errorf("synth: POIs = %d, want > 0", cfg.POIs)
	}
	if cfg.Name == "" {
		cfg.Name = d.Name
	}
	if cfg.Center == (orb.Point{}) {
		cfg.Center = d.Center
	}
	if err := traj.CheckLonLat(cfg.Center[0], cfg.Center[1]); err != nil || math.Abs(cfg.Center[1]) > 80 {
		return cfg, fmt.Errorf("synth: Center %v: want a lon/lat within ±80° latitude", cfg.Center)
	}
	if cfg.Drift && cfg.Network != nil {
		return cfg, fmt.Errorf("synth: Drift needs the generated network, not Config.Network")
	}
	if cfg.Network != nil {
		if err := cfg.Network.Validate(); err != nil {
			return cfg, fmt.Errorf("synth: Network: %w", err)
		}
	}
	return cfg, nil
}

// District is an area of one type (business, residential, ...).
type District struct {
	ID      int
	Name    string
	Type    string
	Income  string      // low, middle or high (see Incomes)
	Polygon orb.Polygon // lon/lat
	Center  orb.Point
}

// POI is a named point of interest.
type POI struct {
	ID       int
	Name     string
	Category string // cafe, restaurant, supermarket, ...
	Point    orb.Point
	District int // index into City.Districts
	Node     int // the road node where trips to it start and end
}

// Agent is a user with a home, maybe a workplace, and travel habits.
type Agent struct {
	ID           string // user id, e.g. "u0007"
	Occupation   string // worker, student or retired
	Home, Work   int    // road nodes; Work is -1 without a workplace
	HomeDistrict int
	WorkDistrict int // -1 without a workplace
	HasCar       bool
	HasBike      bool
	Habit        string  // preferred mode
	WalkSpeed    float64 // m/s
	BikeSpeed    float64 // m/s
	DriveFactor  float64 // share of the speed limit the agent drives at
	LeaveHour    float64 // usual hour of leaving for work
}

// Trip is one simulated journey with its ground truth and its observation.
type Trip struct {
	Index   int    // position in City.Trips
	ID      string // trajectory id, e.g. "t000042"
	UserID  string
	Agent   int // index into City.Agents
	Mode    string
	Purpose string // commute, return, lunch, errand, leisure
	// From and To are road nodes; FromDistrict/ToDistrict index City.Districts.
	From, To                 int
	FromDistrict, ToDistrict int
	DestPOI                  int // index into City.POIs, -1 for home/work
	Depart, Arrive           time.Time
	// Path is the road-segment ids travelled, in order; Entry[i] is when the
	// traveller entered Path[i] (millisecond precision).
	Path  []int
	Entry []time.Time
	// Truth[i] is the true position at the time of Observed.Points[i].
	Truth    []traj.Point
	Observed *traj.Trajectory
}

// TravelTime is Arrive - Depart.
func (t *Trip) TravelTime() time.Duration { return t.Arrive.Sub(t.Depart) }

// City is a generated city with its simulated trips.
type City struct {
	Name      string
	Config    Config // with defaults filled in
	Network   *roadnet.Graph
	Districts []District
	POIs      []POI
	Agents    []Agent
	Trips     []Trip
	// NodeDistrict[n] is the district of road node n (-1 outside all).
	NodeDistrict []int
	// Usable[n] reports whether node n is in the network's largest strongly
	// connected component (every trip starts and ends at such nodes).
	Usable []bool

	// Drift reports what changed in the "after" city (Config.Drift); nil
	// in the city as it was.
	Drift *DriftReport

	frame   frame
	sim     *simulator
	drift   *driftState // nil without Config.Drift
	dBounds []orb.Bound // district polygon bounds
}

// Generate builds the city and simulates Config.Trajectories trips. With
// Config.Drift it returns the "after" city of the seed (see GeneratePair).
func Generate(cfg Config) (*City, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if cfg.Drift {
		_, after, err := GeneratePair(cfg)
		return after, err
	}
	c, _, err := build(cfg)
	if err != nil {
		return nil, err
	}
	return c, c.run()
}

// stream is the random stream of generation stage k.
func (c *City) stream(k uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(c.Config.Seed), 0x9e3779b97f4a7c15^k))
}

// build makes the city up to its agents (no trips yet); the layout is nil
// on an external network.
func build(cfg Config) (*City, *layout, error) {
	c := &City{Name: cfg.Name, Config: cfg}
	var l *layout
	if cfg.Network == nil {
		c.frame = newFrame(cfg.Center)
		l = newLayout(c.stream(1))
		c.setDistricts(l.districts(c.frame, c.stream(2)))
		c.Network = buildNetwork(l, c.frame, c.districtTypeAtXY, c.stream(3))
	} else {
		c.Network = cfg.Network
		b := c.Network.Bound()
		c.frame = newFrame(b.Center())
		c.setDistricts(zoneDistricts(c.Network, c.frame, c.stream(2)))
	}
	c.assignIncomes(c.stream(8)) // its own stream: every other draw is unchanged
	c.Usable = largestSCC(c.Network)
	c.NodeDistrict = make([]int, len(c.Network.Nodes))
	for i, n := range c.Network.Nodes {
		c.NodeDistrict[i] = c.DistrictAt(n.Point)
	}
	if err := c.placePOIs(c.stream(4)); err != nil {
		return nil, nil, err
	}
	if err := c.makeAgents(c.stream(5)); err != nil {
		return nil, nil, err
	}
	return c, l, nil
}

// run simulates the trips of a built city.
func (c *City) run() error {
	c.sim = newSimulator(c, c.stream(6))
	if c.drift != nil {
		for i, f := range c.drift.congestion {
			c.sim.cong[i] *= f
		}
	}
	return c.simulate(c.stream(7))
}

func (c *City) setDistricts(ds []District) {
	c.Districts = ds
	c.dBounds = c.dBounds[:0]
	for _, d := range ds {
		c.dBounds = append(c.dBounds, d.Polygon.Bound())
	}
}

// DistrictAt returns the index of the district containing p (lon/lat), or
// the nearest district centre's when p lies in none but within 2 km of the
// city, or -1. It is safe for concurrent use.
func (c *City) DistrictAt(p orb.Point) int {
	for i := range c.Districts {
		var b orb.Bound
		if len(c.dBounds) == len(c.Districts) {
			b = c.dBounds[i]
		} else { // Districts changed after Generate
			b = c.Districts[i].Polygon.Bound()
		}
		if b.Contains(p) && planar.PolygonContains(c.Districts[i].Polygon, p) {
			return i
		}
	}
	best, bestD := -1, 2000.0
	for i := range c.Districts {
		if d := c.frame.dist(p, c.Districts[i].Center); d < bestD {
			best, bestD = i, d
		}
	}
	return best
}

// districtTypeAtXY is the type of the district at local coordinates (metres).
func (c *City) districtTypeAtXY(x, y float64) string {
	if d := c.DistrictAt(c.frame.toLL(x, y)); d >= 0 {
		return c.Districts[d].Type
	}
	return ""
}

// Bound is the area every true and observed position lies in: the road
// network's bound padded by 200 m plus six noise standard deviations.
func (c *City) Bound() orb.Bound {
	b := c.Network.Bound()
	pad := 200 + 6*c.Config.Noise
	dx, dy := pad/c.frame.kx, pad/c.frame.ky
	return orb.Bound{Min: orb.Point{b.Min[0] - dx, b.Min[1] - dy}, Max: orb.Point{b.Max[0] + dx, b.Max[1] + dy}}
}

// DistrictName returns the name of district i ("" for -1).
func (c *City) DistrictName(i int) string {
	if i < 0 || i >= len(c.Districts) {
		return ""
	}
	return c.Districts[i].Name
}

// DistrictType returns the type of district i ("" for -1).
func (c *City) DistrictType(i int) string {
	if i < 0 || i >= len(c.Districts) {
		return ""
	}
	return c.Districts[i].Type
}

// Dataset returns the observed trajectories (deep copies, in trip order)
// with Mode set and Labels "trip" (index in City.Trips), "district_from",
// "district_to", "district_type_from", "district_type_to", "income_from",
// "income_to" (the districts' income levels), "purpose" and "travel_time_s".
func (c *City) Dataset() *traj.Dataset {
	name := fmt.Sprintf("synthetic:seed=%d,trajectories=%d", c.Config.Seed, c.Config.Trajectories)
	if c.Config.Drift {
		name += ",drift=1"
	}
	ds := &traj.Dataset{Name: name}
	ds.Trajectories = make([]*traj.Trajectory, len(c.Trips))
	for i := range c.Trips {
		ds.Trajectories[i] = c.Trips[i].Observed.Clone()
	}
	return ds
}

// ModeCounts returns the number of trips per mode, in the order of Modes.
func (c *City) ModeCounts() []int {
	n := make([]int, len(Modes))
	for i := range c.Trips {
		n[slices.Index(Modes, c.Trips[i].Mode)]++
	}
	return n
}

// Map is the city's map as the road and text modalities read it: the road
// network, the named POIs and the districts.
func (c *City) Map() *roadnet.Map {
	m := &roadnet.Map{Network: c.Network}
	for _, p := range c.POIs {
		m.POIs = append(m.POIs, roadnet.POI{Name: p.Name, Category: p.Category, Point: p.Point})
	}
	for _, d := range c.Districts {
		m.Districts = append(m.Districts, roadnet.District{Name: d.Name, Type: d.Type, Polygon: d.Polygon})
	}
	return m
}
