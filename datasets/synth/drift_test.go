package synth

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	pairOnce          sync.Once
	pairBefore, pairA *City
	pairErr           error
)

// pairForTest is the before and after city of seed 3 (400 trips each).
func pairForTest(t testing.TB) (before, after *City) {
	pairOnce.Do(func() { pairBefore, pairA, pairErr = GeneratePair(Config{Seed: 3, Trajectories: 400}) })
	if pairErr != nil {
		t.Fatal(pairErr)
	}
	return pairBefore, pairA
}

// dirHash is the SHA-256 of the city's files, in the order of Files.
func dirHash(t *testing.T, c *City) string {
	dir := t.TempDir()
	if err := c.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	for _, f := range Files {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// TestDriftOffUnchanged: the hash was recorded before Config.Drift existed.
func TestDriftOffUnchanged(t *testing.T) {
	c, err := Generate(Config{Seed: 3, Trajectories: 300})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := dirHash(t, c), "4cde5c65db141731c415854cb17176a620499f25b5609bf017c9625a1891a1ff"; got != want {
		t.Errorf("files of Config{Seed: 3, Trajectories: 300}: sha256 %s, want %s (the city before Drift)", got, want)
	}
	if c.Drift != nil || c.Dataset().Name != "synthetic:seed=3,trajectories=300" {
		t.Errorf("before city: Drift %v, dataset %q", c.Drift, c.Dataset().Name)
	}
}

func TestDriftDeterministic(t *testing.T) {
	_, after := pairForTest(t)
	again, err := Generate(Config{Seed: 3, Trajectories: 400, Drift: true})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := dirHash(t, after), dirHash(t, again); a != b {
		t.Errorf("two after cities of seed 3 differ: %s vs %s", a, b)
	}
	if !again.Config.Drift || again.Dataset().Name != "synthetic:seed=3,trajectories=400,drift=1" {
		t.Errorf("after city: Config.Drift %v, dataset %q", again.Config.Drift, again.Dataset().Name)
	}
	if len(again.Trips) != 400 {
		t.Errorf("after city has %d trips, want 400", len(again.Trips))
	}
}

func TestDriftKeepsTheBase(t *testing.T) {
	before, after := pairForTest(t)
	r := after.Drift
	bg, ag := before.Network, after.Network
	if r.OldNodes != len(bg.Nodes) || r.OldSegments != len(bg.Segments) {
		t.Fatalf("report: %d old nodes, %d old segments; before city has %d, %d", r.OldNodes, r.OldSegments, len(bg.Nodes), len(bg.Segments))
	}
	for i, n := range bg.Nodes {
		if ag.Nodes[i] != n {
			t.Fatalf("node %d: %v before, %v after", i, n, ag.Nodes[i])
		}
	}
	for i, s := range bg.Segments {
		a := ag.Segments[i]
		if a.From != s.From || a.To != s.To || a.Class != s.Class || a.Name != s.Name || !slices.Equal(a.Geometry, s.Geometry) {
			t.Fatalf("segment %d changed: %+v before, %+v after", i, s, a)
		}
	}
	for i, d := range before.Districts {
		a := after.Districts[i]
		if i == r.NewDistrict {
			if d.Type != Park || a.Type != Residential || a.Name == d.Name {
				t.Errorf("new district %d: %s %q before, %s %q after", i, d.Type, d.Name, a.Type, a.Name)
			}
			continue
		}
		if a.Name != d.Name || a.Type != d.Type || a.Income != d.Income {
			t.Errorf("district %d changed: %+v → %+v", i, d, a)
		}
	}
	if len(after.POIs) != len(before.POIs)+r.NewPOIs || !slices.EqualFunc(before.POIs, after.POIs[:len(before.POIs)], func(a, b POI) bool { return a == b }) {
		t.Errorf("POIs: %d before, %d after (%d new); the old ones must stay", len(before.POIs), len(after.POIs), r.NewPOIs)
	}
	for _, p := range after.POIs[len(before.POIs):] {
		if p.District != r.NewDistrict {
			t.Errorf("new POI %q in district %d, want %d", p.Name, p.District, r.NewDistrict)
		}
	}
	if len(after.Agents) != len(before.Agents)+r.NewAgents || !slices.Equal(before.Agents, after.Agents[:len(before.Agents)]) {
		t.Errorf("agents: %d before, %d after (%d new); the old ones must stay", len(before.Agents), len(after.Agents), r.NewAgents)
	}
	if r.NewAgents < len(before.Agents)/5 || r.NewResidents == 0 {
		t.Errorf("%d new agents (%d residents of the new district), want ≥ 20%% of %d", r.NewAgents, r.NewResidents, len(before.Agents))
	}
	for n := range ag.Nodes {
		if !after.Usable[n] && n < r.OldNodes {
			t.Errorf("old node %d unreachable in the after city", n)
		}
	}
	if want := before.Trips[0].Depart.AddDate(0, 0, 364); after.Trips[0].Depart.Before(want.Truncate(24 * time.Hour)) {
		t.Errorf("after city's first trip %v, want on or after %v", after.Trips[0].Depart, want)
	}
}

func TestDriftEffects(t *testing.T) {
	before, after := pairForTest(t)
	r := after.Drift
	t.Log("\n" + r.String())

	// The new district: residents commute from it now, nobody did before.
	commutesFrom := func(c *City) (n int) {
		for i := range c.Trips {
			if c.Trips[i].Purpose == "commute" && c.Trips[i].FromDistrict == r.NewDistrict {
				n++
			}
		}
		return n
	}
	if b, a := commutesFrom(before), commutesFrom(after); b != 0 || a == 0 {
		t.Errorf("commutes from %s: %d before, %d after; want 0 and some", r.NewDistrictName, b, a)
	}

	// The closed road: out of the routing graph and of every after trip.
	ag := after.Network
	for _, s := range r.ClosedSegments {
		seg := ag.Segments[s]
		if slices.Contains(ag.Out[seg.From], s) || slices.Contains(ag.In[seg.To], s) || !after.Closed(s) {
			t.Errorf("closed segment %d still routable", s)
		}
		if before.Closed(s) {
			t.Errorf("segment %d closed in the before city", s)
		}
	}
	uses := func(c *City, ids []int) (n int) {
		for i := range c.Trips {
			if slices.ContainsFunc(c.Trips[i].Path, func(s int) bool { return slices.Contains(ids, s) }) {
				n++
			}
		}
		return n
	}
	if n := uses(after, r.ClosedSegments); n != 0 {
		t.Errorf("%d after trips use the closed %s", n, r.ClosedRoad)
	}
	t.Logf("trips over the closed %s: %d before, 0 after", r.ClosedRoad, uses(before, r.ClosedSegments))

	// New roads: the estate's and the outer ring's, used by after trips.
	if n := uses(after, r.EstateSegments); n == 0 {
		t.Errorf("no after trip uses the %d estate segments", len(r.EstateSegments))
	}
	if n := uses(after, r.RingSegments); n == 0 {
		t.Errorf("no after trip uses the %d ring-section segments", len(r.RingSegments))
	} else {
		t.Logf("%d after trips use the ring section", n)
	}
	if got := len(r.EstateSegments) + len(r.RingSegments); got != len(ag.Segments)-r.OldSegments {
		t.Errorf("%d new segments reported, network grew by %d", got, len(ag.Segments)-r.OldSegments)
	}

	// More bikes, fewer cars.
	bike, car := slices.Index(Modes, Bike), slices.Index(Modes, Car)
	if r.ModeShareAfter[bike] < 1.6*r.ModeShareBefore[bike] || r.ModeShareAfter[car] >= r.ModeShareBefore[car] {
		t.Errorf("bike share %.2f → %.2f, car %.2f → %.2f; want bikes ×1.6 or more and fewer cars",
			r.ModeShareBefore[bike], r.ModeShareAfter[bike], r.ModeShareBefore[car], r.ModeShareAfter[car])
	}
}

// TestDriftRushHour: the morning peak slows a car within the centre more
// in the after city.
func TestDriftRushHour(t *testing.T) {
	before, after := pairForTest(t)
	tuesday := time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)
	total := func(c *City, hour float64) (sum time.Duration) {
		a := c.Network.NearestNode(c.frame.toLL(-700, -500))
		b := c.Network.NearestNode(c.frame.toLL(700, 500))
		for seed := range uint64(4) {
			for _, od := range [][2]int{{a, b}, {b, a}} {
				tr, err := c.Simulate(0, Car, od[0], od[1], tuesday.Add(time.Duration(hour*float64(time.Hour))), seed)
				if err != nil {
					t.Fatal(err)
				}
				sum += tr.TravelTime()
			}
		}
		return sum
	}
	rushBefore := total(before, 8).Seconds() / total(before, 11).Seconds()
	rushAfter := total(after, 8).Seconds() / total(after, 11).Seconds()
	t.Logf("car within the centre, 08:00 vs 11:00: ×%.2f before, ×%.2f after", rushBefore, rushAfter)
	if rushAfter < 1.1*rushBefore {
		t.Errorf("rush-hour slowdown within the centre ×%.2f before, ×%.2f after; want 10%% more after", rushBefore, rushAfter)
	}
}

func TestDriftFiles(t *testing.T) {
	_, after := pairForTest(t)
	dir := t.TempDir()
	if err := after.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	roads, err := os.ReadFile(filepath.Join(dir, "roads.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(roads), `"closed":true`); n != len(after.Drift.ClosedSegments) {
		t.Errorf("roads.geojson marks %d segments closed, want %d", n, len(after.Drift.ClosedSegments))
	}
	b, err := os.ReadFile(filepath.Join(dir, "city.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m Meta
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.Drift == nil || m.Drift.NewDistrictName != after.Drift.NewDistrictName || m.Start[:4] != "2025" {
		t.Errorf("city.json: drift %+v, start %s", m.Drift, m.Start)
	}
}

func TestDriftNeedsGeneratedNetwork(t *testing.T) {
	_, err := Generate(Config{Seed: 1, Trajectories: 50, Drift: true, Network: smallTown()})
	if err == nil || !strings.Contains(err.Error(), "Drift") {
		t.Errorf("Drift on an external network: err %v, want one naming Drift", err)
	}
}
