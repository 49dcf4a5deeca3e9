package synth

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/tfm-course/course/tfm/roadnet"
)

var (
	defaultOnce sync.Once
	defaultCity *City
	defaultErr  error
)

// cityForTest is the default city, generated once per test binary.
func cityForTest(t testing.TB) *City {
	defaultOnce.Do(func() { defaultCity, defaultErr = Generate(DefaultConfig()) })
	if defaultErr != nil {
		t.Fatal(defaultErr)
	}
	return defaultCity
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

func TestSameSeedSameBytes(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Seed, cfg.Trajectories = 42, 300
	dirs := []string{t.TempDir(), t.TempDir(), t.TempDir()}
	for i, dir := range dirs {
		c := cfg
		if i == 2 {
			c.Seed = 43
		}
		city, err := Generate(c)
		if err != nil {
			t.Fatal(err)
		}
		if err := city.WriteDir(dir); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range Files {
		a, err := os.ReadFile(filepath.Join(dirs[0], name))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dirs[1], name))
		if err != nil {
			t.Fatal(err)
		}
		if len(a) < 100 {
			t.Errorf("%s: only %d bytes", name, len(a))
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs with the same seed", name)
		}
	}
	a, _ := os.ReadFile(filepath.Join(dirs[0], "trajectories.csv"))
	c, _ := os.ReadFile(filepath.Join(dirs[2], "trajectories.csv"))
	if bytes.Equal(a, c) {
		t.Error("seeds 42 and 43 gave the same trajectories")
	}
	header, _, _ := strings.Cut(string(a), "\n")
	if header != "traj_id,user_id,mode,lon,lat,time" {
		t.Errorf("trajectories.csv header = %q", header)
	}
}

func TestNetworkIsAPlausibleCity(t *testing.T) {
	c := cityForTest(t)
	g := c.Network
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(g.Nodes) < 500 || len(g.Segments) < 1500 {
		t.Errorf("network too small: %d nodes, %d segments", len(g.Nodes), len(g.Segments))
	}
	classes := map[string]int{}
	oneway, unnamed := 0, 0
	for _, s := range g.Segments {
		classes[s.Class]++
		if s.Reverse < 0 {
			oneway++
		}
		if s.Name == "" {
			unnamed++
		}
		if !(s.SpeedLimit > 0) || !(s.Length > 5) {
			t.Fatalf("segment %d: speed limit %v, length %v", s.ID, s.SpeedLimit, s.Length)
		}
	}
	for _, cl := range []string{"trunk", "primary", "secondary", "tertiary", "residential"} {
		if classes[cl] == 0 {
			t.Errorf("no %s roads (classes %v)", cl, classes)
		}
	}
	if oneway < 20 || unnamed > 0 {
		t.Errorf("%d one-way segments (want ≥ 20), %d unnamed", oneway, unnamed)
	}
	for n, u := range c.Usable {
		if !u {
			t.Errorf("node %d is outside the strongly connected network", n)
		}
	}
	b := g.Bound()
	w := c.frame.dist(orb.Point{b.Min[0], b.Min[1]}, orb.Point{b.Max[0], b.Min[1]})
	h := c.frame.dist(orb.Point{b.Min[0], b.Min[1]}, orb.Point{b.Min[0], b.Max[1]})
	if w < 6000 || w > 10000 || h < 6000 || h > 10000 {
		t.Errorf("city is %.0f × %.0f m, want 6-10 km across", w, h)
	}
	types := map[string]int{}
	for _, d := range c.Districts {
		types[d.Type]++
		if d.Name == "" || len(d.Polygon) != 1 || len(d.Polygon[0]) < 4 {
			t.Errorf("district %d: name %q, polygon %d rings", d.ID, d.Name, len(d.Polygon))
		}
	}
	for _, ty := range DistrictTypes {
		if types[ty] == 0 {
			t.Errorf("no %s district (types %v)", ty, types)
		}
	}
	for _, p := range c.POIs {
		if p.Name == "" || p.Category == "" || p.District < 0 || !c.Usable[p.Node] {
			t.Errorf("bad POI %+v", p)
		}
		if d := c.frame.dist(p.Point, g.Nodes[p.Node].Point); d > 45 {
			t.Errorf("POI %q is %.0f m from its node", p.Name, d)
		}
	}
}

func TestTripsGroundTruth(t *testing.T) {
	c := cityForTest(t)
	if len(c.Trips) != c.Config.Trajectories {
		t.Fatalf("%d trips, want %d", len(c.Trips), c.Config.Trajectories)
	}
	bound := c.Bound()
	var intervals []float64
	gaps := 0
	for i := range c.Trips {
		tr := &c.Trips[i]
		o := tr.Observed
		if err := o.Validate(); err != nil {
			t.Fatal(err)
		}
		if tr.Index != i || o.ID != tr.ID || o.Labels["trip"] != strconv.Itoa(i) {
			t.Fatalf("trip %d: index %d id %q label %q", i, tr.Index, tr.ID, o.Labels["trip"])
		}
		if i > 0 && tr.Depart.Before(c.Trips[i-1].Depart) {
			t.Fatalf("trip %d departs before trip %d", i, i-1)
		}
		// The path is connected from origin to destination.
		segs := c.Network.Segments
		if segs[tr.Path[0]].From != tr.From || segs[tr.Path[len(tr.Path)-1]].To != tr.To {
			t.Fatalf("trip %s: path does not join node %d to node %d", tr.ID, tr.From, tr.To)
		}
		for k := 1; k < len(tr.Path); k++ {
			if segs[tr.Path[k-1]].To != segs[tr.Path[k]].From {
				t.Fatalf("trip %s: segments %d and %d are not adjacent", tr.ID, tr.Path[k-1], tr.Path[k])
			}
			if tr.Entry[k].Before(tr.Entry[k-1]) {
				t.Fatalf("trip %s: entry times go back", tr.ID)
			}
		}
		if !tr.Entry[0].Equal(tr.Depart) || tr.Entry[len(tr.Entry)-1].After(tr.Arrive) {
			t.Fatalf("trip %s: entry times %v..%v outside %v..%v", tr.ID, tr.Entry[0], tr.Entry[len(tr.Entry)-1], tr.Depart, tr.Arrive)
		}
		// Observation: aligned with the truth, inside the city, times increasing.
		if len(o.Points) < 2 || len(tr.Truth) != len(o.Points) {
			t.Fatalf("trip %s: %d points, %d true points", tr.ID, len(o.Points), len(tr.Truth))
		}
		if !o.Points[0].Time.Equal(tr.Depart) || !o.Points[len(o.Points)-1].Time.Equal(tr.Arrive) {
			t.Fatalf("trip %s: fixes span %v..%v, trip %v..%v", tr.ID, o.Start(), o.End(), tr.Depart, tr.Arrive)
		}
		for k, p := range o.Points {
			if !bound.Contains(p.Point) || !bound.Contains(tr.Truth[k].Point) {
				t.Fatalf("trip %s point %d at %v outside the city %v", tr.ID, k, p.Point, bound)
			}
			if !tr.Truth[k].Time.Equal(p.Time) {
				t.Fatalf("trip %s point %d: truth time differs", tr.ID, k)
			}
			if k > 0 {
				dt := p.Time.Sub(o.Points[k-1].Time).Seconds()
				if dt <= 0 {
					t.Fatalf("trip %s point %d: time does not increase", tr.ID, k)
				}
				intervals = append(intervals, dt)
				if dt > 2.5*c.Config.SamplingInterval.Seconds() {
					gaps++
				}
			}
		}
		for _, key := range []string{"district_from", "district_to", "district_type_from", "district_type_to", "income_from", "income_to", "purpose", "travel_time_s"} {
			if o.Labels[key] == "" {
				t.Fatalf("trip %s: label %q missing", tr.ID, key)
			}
		}
		// The path's first and last points are where the truth starts and ends.
		if d := c.frame.dist(tr.Truth[0].Point, c.Network.Nodes[tr.From].Point); d > 0.05 {
			t.Fatalf("trip %s starts %.2f m from its origin node", tr.ID, d)
		}
	}
	if m := median(intervals); m < 8 || m > 12 {
		t.Errorf("median sampling interval %.1f s, want ≈ 10", m)
	}
	if gaps < len(c.Trips)/10 {
		t.Errorf("only %d gaps longer than 2.5 intervals (dropouts) in %d trips", gaps, len(c.Trips))
	}
	t.Logf("%d points, %d gaps", len(intervals)+len(c.Trips), gaps)
}

func TestSpeedsByMode(t *testing.T) {
	c := cityForTest(t)
	trueSpeed := map[string][]float64{}
	obsSpeed := map[string][]float64{}
	counts := c.ModeCounts()
	for i, m := range Modes {
		if counts[i] < len(c.Trips)/20 {
			t.Errorf("only %d %s trips of %d", counts[i], m, len(c.Trips))
		}
	}
	for i := range c.Trips {
		tr := &c.Trips[i]
		for k := 1; k < len(tr.Truth); k++ {
			dt := tr.Truth[k].Time.Sub(tr.Truth[k-1].Time).Seconds()
			trueSpeed[tr.Mode] = append(trueSpeed[tr.Mode], c.frame.dist(tr.Truth[k-1].Point, tr.Truth[k].Point)/dt)
		}
		for _, s := range tr.Observed.Speeds() {
			obsSpeed[tr.Mode] = append(obsSpeed[tr.Mode], s)
		}
	}
	med := map[string]float64{}
	ranges := map[string][2]float64{Walk: {1.1, 1.7}, Bike: {3.5, 5.5}, Bus: {3.5, 10}, Car: {5, 14}}
	for _, m := range Modes {
		med[m] = median(trueSpeed[m])
		if r := ranges[m]; med[m] < r[0] || med[m] > r[1] {
			t.Errorf("median %s speed %.2f m/s outside [%v, %v]", m, med[m], r[0], r[1])
		}
		t.Logf("%-4s median speed: true %.2f m/s, observed %.2f m/s", m, med[m], median(obsSpeed[m]))
	}
	if !(med[Walk] < med[Bike] && med[Bike] < med[Bus] && med[Bus] > 0.6*med[Car] && med[Bus] < 1.2*med[Car]) {
		t.Errorf("median speeds not ordered walk < bike < bus ≈ car: %v", med)
	}
	if o := obsSpeed; !(median(o[Walk]) < median(o[Bike]) && median(o[Bike]) < median(o[Car])) {
		t.Errorf("observed median speeds not ordered walk < bike < car")
	}
}

func TestNoiseMatchesConfig(t *testing.T) {
	c := cityForTest(t)
	var sx, sy, n float64
	for i := range c.Trips {
		tr := &c.Trips[i]
		for k, p := range tr.Observed.Points {
			dx := (p.Lon() - tr.Truth[k].Lon()) * c.frame.kx
			dy := (p.Lat() - tr.Truth[k].Lat()) * c.frame.ky
			sx += dx * dx
			sy += dy * dy
			n++
		}
	}
	ex, ey := math.Sqrt(sx/n), math.Sqrt(sy/n)
	if want := c.Config.Noise; math.Abs(ex-want) > 0.05*want || math.Abs(ey-want) > 0.05*want {
		t.Errorf("noise std east %.2f m, north %.2f m, want %.1f", ex, ey, want)
	}
}

// farNodes returns two nodes about 5 km apart across the centre.
func farNodes(c *City) (int, int) {
	return c.Network.NearestNode(c.frame.toLL(-2500, -200)), c.Network.NearestNode(c.frame.toLL(2500, 200))
}

func TestRushHourSlowsCars(t *testing.T) {
	c := cityForTest(t)
	a, b := farNodes(c)
	monday := c.Config.StartDate // a Monday
	var rush, calm time.Duration
	driver := slices.IndexFunc(c.Agents, func(a Agent) bool { return a.HasCar })
	for seed := range uint64(5) {
		for _, od := range [][2]int{{a, b}, {b, a}} {
			r, err := c.Simulate(driver, Car, od[0], od[1], monday.Add(8*time.Hour), seed)
			if err != nil {
				t.Fatal(err)
			}
			q, err := c.Simulate(driver, Car, od[0], od[1], monday.Add(11*time.Hour), seed)
			if err != nil {
				t.Fatal(err)
			}
			rush += r.TravelTime()
			calm += q.TravelTime()
		}
	}
	if ratio := rush.Seconds() / calm.Seconds(); ratio < 1.4 {
		t.Errorf("car across town: %v at 08:00 vs %v at 11:00 (×%.2f), want ×1.4 or more", rush/10, calm/10, ratio)
	} else {
		t.Logf("car across town: %v at 08:00, %v at 11:00 (×%.2f)", rush/10, calm/10, ratio)
	}
	// Walking does not care.
	r, _ := c.Simulate(driver, Walk, a, b, monday.Add(8*time.Hour), 1)
	q, _ := c.Simulate(driver, Walk, a, b, monday.Add(11*time.Hour), 1)
	if ratio := r.TravelTime().Seconds() / q.TravelTime().Seconds(); ratio > 1.15 || ratio < 0.87 {
		t.Errorf("walking: %v at 08:00 vs %v at 11:00", r.TravelTime(), q.TravelTime())
	}

	// In the generated trips too: cars are slower in the morning peak.
	var peak, off []float64
	for i := range c.Trips {
		tr := &c.Trips[i]
		if tr.Mode != Car {
			continue
		}
		v := c.Network.PathLength(tr.Path) / tr.TravelTime().Seconds()
		switch r := Rush(tr.Depart); {
		case r > 0.6:
			peak = append(peak, v)
		case r < 0.1:
			off = append(off, v)
		}
	}
	if len(peak) < 30 || len(off) < 30 || median(peak) > 0.8*median(off) {
		t.Errorf("car trip speeds: %d at peak (median %.2f m/s), %d off-peak (median %.2f m/s)", len(peak), median(peak), len(off), median(off))
	}
}

func TestConfigErrors(t *testing.T) {
	for _, cfg := range []Config{
		{Trajectories: -1},
		{Agents: -3},
		{SamplingInterval: time.Millisecond},
		{Noise: math.NaN()},
		{DropoutRate: 0.7},
		{Center: orb.Point{10, 89}},
		{Network: &roadnet.Graph{}},
	} {
		if _, err := Generate(cfg); err == nil {
			t.Errorf("Generate(%+v) gave no error", cfg)
		}
	}
	if _, err := Generate(Config{Seed: 3, Trajectories: 50}); err != nil {
		t.Errorf("a config with zero fields must take the defaults: %v", err)
	}
}

func TestDatasetIsACopy(t *testing.T) {
	c := cityForTest(t)
	ds := c.Dataset()
	if len(ds.Trajectories) != len(c.Trips) || ds.NumPoints() < 50*len(c.Trips) {
		t.Fatalf("dataset: %d trajectories, %d points", len(ds.Trajectories), ds.NumPoints())
	}
	ds.Trajectories[0].Points[0].Point[0] = 0
	ds.Trajectories[0].Labels["trip"] = "x"
	if c.Trips[0].Observed.Points[0].Lon() == 0 || c.Trips[0].Observed.Labels["trip"] == "x" {
		t.Error("Dataset shares memory with the city")
	}
	if got := len(ds.Users()); got != c.Config.Agents && got < c.Config.Agents*9/10 {
		t.Errorf("%d users in the dataset, %d agents", got, c.Config.Agents)
	}
}

func BenchmarkGenerateDefault(b *testing.B) {
	for b.Loop() {
		if _, err := Generate(DefaultConfig()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteDir(b *testing.B) {
	c := cityForTest(b)
	dir := b.TempDir()
	for b.Loop() {
		if err := c.WriteDir(dir); err != nil {
			b.Fatal(err)
		}
	}
}

// A smaller city with the same seed holds the first trips of a bigger one,
// so a quick run sees the same trips as the full one, only fewer.
func TestFewerTrajectoriesArePrefix(t *testing.T) {
	big := cityForTest(t)
	cfg := DefaultConfig()
	cfg.Trajectories = 300
	small, err := Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := range small.Trips {
		a, b := &small.Trips[i], &big.Trips[i]
		if a.ID != b.ID || a.UserID != b.UserID || !slices.Equal(a.Path, b.Path) || len(a.Truth) != len(b.Truth) ||
			a.Observed.Points[len(a.Truth)-1].Point != b.Observed.Points[len(b.Truth)-1].Point {
			t.Fatalf("trip %d differs between 300 and %d trajectories", i, len(big.Trips))
		}
	}
}
