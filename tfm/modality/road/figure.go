// This file is mirrored by a cell of notebooks/04_road.ipynb (//tfm:mirror).

package road

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/paulmach/orb"

	"github.com/tfm-course/course/tfm/roadnet"
	"github.com/tfm-course/course/tfm/traj"
	"github.com/tfm-course/course/tfm/viz"
)

// OSMExtract is the path of a real OpenStreetMap extract shipped in the
// testdata of the github.com/paulmach/osm module (e.g.
// "andorra-latest.osm.bz2", "delaware-latest.osm.pbf"), found in the Go
// module cache: a real road network with no download.
func OSMExtract(name string) (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/paulmach/osm").Output()
	if err != nil {
		return "", fmt.Errorf("locating github.com/paulmach/osm: %w", err)
	}
	path := filepath.Join(strings.TrimSpace(string(out)), "testdata", name)
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("OSM extract %s: %w", name, err)
	}
	return path, nil
}

// PathLines is the geometry of a segment path, one line per segment.
func PathLines(g *roadnet.Graph, path []int) []orb.LineString {
	lines := make([]orb.LineString, len(path))
	for i, s := range path {
		lines[i] = g.Segments[s].Geometry
	}
	return lines
}

// MatchMap draws the network around a trajectory with its noisy GPS
// fixes (dots), the true path when known (wide, sky blue) and the
// matched path (vermillion, dashed) on top: colours a colour-blind reader tells apart.
func MatchMap(g *roadnet.Graph, t *traj.Trajectory, matched, truth []int, title string) *viz.Map {
	b := t.Bound()
	for _, s := range matched {
		b = b.Union(g.Segments[s].Geometry.Bound())
	}
	m := viz.NewMap(760, 560).Title(title).Bound(b.Pad(0.0015)).Roads(g)
	if truth != nil {
		m.Lines(PathLines(g, truth), viz.LineStyle{Color: "#56b4e9", Width: 7, Label: "true path (wide, sky blue)"})
	}
	m.Lines(PathLines(g, matched), viz.LineStyle{Color: "#d55e00", Width: 2.5, Dash: true, Label: "matched path (dashed)"})
	fixes := make([]orb.Point, len(t.Points))
	for i, p := range t.Points {
		fixes[i] = p.Point
	}
	return m.Points(fixes, "#000000", "GPS fixes")
}
