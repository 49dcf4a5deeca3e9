package road

import (
	"strings"
	"testing"
	"time"

	"github.com/tfm-course/course/tfm/roadnet"
)

func TestMatchMapAndExtract(t *testing.T) {
	path, err := OSMExtract("andorra-latest.osm.bz2")
	if err != nil {
		t.Skip(err)
	}
	if !strings.HasSuffix(path, "andorra-latest.osm.bz2") {
		t.Fatalf("path %q", path)
	}
	if _, err := OSMExtract("nowhere.osm"); err == nil {
		t.Error("missing extract accepted")
	}
	g := line()
	trips, err := roadnet.Simulate(g, roadnet.SimConfig{Seed: 1, Trajectories: 1, Interval: 5 * time.Second, Noise: 3, MinLength: 50, MaxLength: 1000})
	if err != nil {
		t.Fatal(err)
	}
	m := MatchMap(g, trips[0].Traj, trips[0].Path, trips[0].Path, "test")
	svg, err := m.SVG()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<svg", "true path", "matched path", "GPS fixes"} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("svg lacks %q", want)
		}
	}
	if len(PathLines(g, []int{0, 2})) != 2 {
		t.Error("PathLines")
	}
}
