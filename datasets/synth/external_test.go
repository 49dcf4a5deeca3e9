package synth

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/tfm-course/course/tfm/roadnet"
)

// smallTown is a hand-made external network: a 12 × 9 street grid of
// 150 m blocks with secondary roads every fourth line, one-way streets, a
// one-way spur that cannot be left, and a separate two-node island.
func smallTown() *roadnet.Graph {
	g := &roadnet.Graph{}
	f := newFrame(orb.Point{1.52, 42.51})
	const nx, ny = 12, 9
	id := func(i, j int) int { return j*nx + i }
	for j := range ny {
		for i := range nx {
			g.AddNode(f.toLL(float64(i)*150, float64(j)*150), int64(1000+id(i, j)))
		}
	}
	for j := range ny {
		for i := range nx {
			if i+1 < nx {
				cls, lim := "residential", 0.0 // no limit: the class default applies
				if j%4 == 0 {
					cls, lim = "secondary", 50/3.6
				}
				if j == 3 {
					g.AddSegment(id(i, j), id(i+1, j), nil, lim, cls, "One Way") // all eastbound
				} else {
					g.AddTwoWay(id(i, j), id(i+1, j), nil, lim, cls, "Row")
				}
			}
			if j+1 < ny {
				cls := "residential"
				if i%4 == 0 {
					cls = "primary"
				}
				g.AddTwoWay(id(i, j), id(i, j+1), nil, 0, cls, "Column")
			}
		}
	}
	spur := g.AddNode(f.toLL(-150, 0), 0)
	g.AddSegment(id(0, 0), spur, nil, 8, "service", "Trap Lane")
	a := g.AddNode(f.toLL(3000, 3000), 0)
	b := g.AddNode(f.toLL(3100, 3000), 0)
	g.AddTwoWay(a, b, nil, 8, "residential", "Island Road")
	return g
}

func TestExternalNetwork(t *testing.T) {
	g := smallTown()
	nodes, segs := len(g.Nodes), len(g.Segments)
	cfg := DefaultConfig()
	cfg.Network, cfg.Trajectories, cfg.Agents, cfg.POIs = g, 300, 30, 40
	c, err := Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c.Network != g || len(g.Nodes) != nodes || len(g.Segments) != segs {
		t.Fatal("the external network must be used as is, unmodified")
	}
	if len(c.Districts) < 4 {
		t.Errorf("%d zone districts", len(c.Districts))
	}
	usable := 0
	for n, u := range c.Usable {
		if u {
			usable++
		} else if n < 12*9 {
			t.Errorf("grid node %d not usable", n)
		}
	}
	if usable != 12*9 {
		t.Errorf("%d usable nodes, want the 108 grid nodes (not the spur or the island)", usable)
	}
	for _, p := range c.POIs {
		if !c.Usable[p.Node] || p.District < 0 {
			t.Errorf("POI %q at node %d (usable %v), district %d", p.Name, p.Node, c.Usable[p.Node], p.District)
		}
	}
	bound := c.Bound()
	for i := range c.Trips {
		tr := &c.Trips[i]
		if !c.Usable[tr.From] || !c.Usable[tr.To] {
			t.Fatalf("trip %s uses an unusable node", tr.ID)
		}
		for k := 1; k < len(tr.Path); k++ {
			if g.Segments[tr.Path[k-1]].To != g.Segments[tr.Path[k]].From {
				t.Fatalf("trip %s: path broken at %d", tr.ID, k)
			}
		}
		for _, p := range tr.Observed.Points {
			if !bound.Contains(p.Point) {
				t.Fatalf("trip %s leaves the network bound", tr.ID)
			}
		}
		if tr.Observed.Labels["district_type_from"] == "" {
			t.Fatalf("trip %s: no origin district type", tr.ID)
		}
	}
	if len(c.Trips) != 300 {
		t.Errorf("%d trips", len(c.Trips))
	}
	if err := c.WriteDir(t.TempDir()); err != nil {
		t.Fatal(err)
	}
}

// TestAndorra simulates on the real Andorra extract shipped in the
// paulmach/osm module's testdata (no download); skipped when absent.
func TestAndorra(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the Andorra network")
	}
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/paulmach/osm").Output()
	path := filepath.Join(strings.TrimSpace(string(out)), "testdata", "andorra-latest.osm.bz2")
	if _, statErr := os.Stat(path); err != nil || statErr != nil {
		t.Skipf("Andorra extract not found (go list -m github.com/paulmach/osm: %v)", err)
	}
	g, _, err := roadnet.LoadOSM(path, roadnet.OSMOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Network, cfg.Trajectories, cfg.Agents = g, 200, 40
	c, err := Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	usable := 0
	for _, u := range c.Usable {
		if u {
			usable++
		}
	}
	if usable < len(g.Nodes)/2 {
		t.Errorf("only %d of %d Andorra nodes strongly connected", usable, len(g.Nodes))
	}
	bound := c.Bound()
	var carSpeeds []float64
	for i := range c.Trips {
		tr := &c.Trips[i]
		for k := 1; k < len(tr.Path); k++ {
			if g.Segments[tr.Path[k-1]].To != g.Segments[tr.Path[k]].From {
				t.Fatalf("trip %s: path broken at %d", tr.ID, k)
			}
		}
		for k, p := range tr.Truth {
			if !bound.Contains(p.Point) || !bound.Contains(tr.Observed.Points[k].Point) {
				t.Fatalf("trip %s leaves Andorra", tr.ID)
			}
		}
		if tr.Mode == Car {
			carSpeeds = append(carSpeeds, g.PathLength(tr.Path)/tr.TravelTime().Seconds())
		}
	}
	if m := median(carSpeeds); m < 4 || m > 25 {
		t.Errorf("median car speed on Andorra %.1f m/s", m)
	}
	t.Logf("Andorra: %d usable nodes of %d, %d districts, %d trips, median car speed %.1f m/s",
		usable, len(g.Nodes), len(c.Districts), len(c.Trips), median(carSpeeds))
}

func TestExternalNetworkTooSmall(t *testing.T) {
	g := &roadnet.Graph{}
	a := g.AddNode(orb.Point{1.5, 42.5}, 0)
	b := g.AddNode(orb.Point{1.501, 42.5}, 0)
	g.AddSegment(a, b, nil, 10, "residential", "Dead End") // one way: no cycle
	if _, err := Generate(Config{Network: g, Trajectories: 5}); err == nil || !strings.Contains(err.Error(), "strongly connected") {
		t.Errorf("a network with no cycle: %v", err)
	}
}
