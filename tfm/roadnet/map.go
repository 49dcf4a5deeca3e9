package roadnet

import (
	"fmt"

	"github.com/paulmach/orb"

	"github.com/tfm-course/course/tfm/traj"
)

// Map is what a data set may come with besides its trajectories: the road
// network and, where known, named places and areas. The road and text
// modalities need one; datasets.Load returns it where the source has it (the
// synthetic city; an OSM network given with the data). Every part is
// optional except where a consumer says otherwise.
type Map struct {
	Network   *Graph
	POIs      []POI
	Districts []District
}

// POI is a named point of interest.
type POI struct {
	Name     string
	Category string // e.g. "cafe"
	Point    orb.Point
}

// District is a named area of the city.
type District struct {
	Name    string
	Type    string // e.g. "business", "residential"
	Polygon orb.Polygon
}

// Validate reports POIs or district polygons with bad coordinates.
func (m Map) Validate() error {
	for i, p := range m.POIs {
		if err := traj.CheckLonLat(p.Point[0], p.Point[1]); err != nil {
			return fmt.Errorf("map: POI %d %q: %w", i, p.Name, err)
		}
	}
	for i, d := range m.Districts {
		if len(d.Polygon) == 0 || len(d.Polygon[0]) < 3 {
			return fmt.Errorf("map: district %d %q has no polygon", i, d.Name)
		}
	}
	return nil
}
