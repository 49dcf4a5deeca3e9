// Package grid discretises trajectories into grid-cell tokens: a metric grid
// (square cells of a given size in metres over a bounding box) or Web
// Mercator map tiles at a zoom level. A Vocab maps cells to token ids with
// the special tokens of package modality, drops rare cells to UNK, and
// batches trajectories as padded token sequences with per-token times.
package grid

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/tfm-course/course/tfm/traj"
)

// Cell is a grid cell: column X (west→east) and row Y. For a metric grid
// rows grow northwards from the bound's south edge; for tiles X, Y are the
// tile's (rows grow southwards, as in slippy maps).
type Cell struct{ X, Y int }

// Grid maps points to cells and back.
type Grid interface {
	// CellOf returns the cell containing p, or an error when p is not a
	// finite coordinate or lies outside the grid.
	CellOf(p orb.Point) (Cell, error)
	// Centre is the centre of c ([lon, lat]).
	Centre(c Cell) orb.Point
	// CellBound is the extent of c in [lon, lat].
	CellBound(c Cell) orb.Bound
	// Contains says whether c is a cell of the grid.
	Contains(c Cell) bool
	// Spec describes the grid so it can be saved and rebuilt.
	Spec() Spec
}

// Spec is the saved description of a Grid.
type Spec struct {
	Kind     string    `json:"kind"`                // "metric" or "tile"
	Bound    orb.Bound `json:"bound"`               // metric: the covered box; tile: optional limit
	CellSize float64   `json:"cell_size,omitempty"` // metric: metres
	Zoom     int       `json:"zoom,omitempty"`      // tile: zoom level
}

// New rebuilds a grid from its Spec.
func New(s Spec) (Grid, error) {
	switch s.Kind {
	case "metric":
		return NewMetric(s.Bound, s.CellSize)
	case "tile":
		return NewTiles(maptile.Zoom(s.Zoom), s.Bound)
	}
	return nil, fmt.Errorf("grid: unknown kind %q (want metric or tile)", s.Kind)
}

// Metric is a grid of square cells CellSize metres wide over Bound, in a
// local equirectangular projection (traj.LocalProjection) from the bound's
// south-west corner whose x scale is true at the bound's central latitude.
type Metric struct {
	Bound      orb.Bound
	CellSize   float64 // metres
	Cols, Rows int
	proj       traj.LocalProjection
}

// NewMetric covers bound with cells of cellSize metres.
func NewMetric(bound orb.Bound, cellSize float64) (*Metric, error) {
	for _, p := range []orb.Point{bound.Min, bound.Max} {
		if err := traj.CheckLonLat(p[0], p[1]); err != nil {
			return nil, fmt.Errorf("grid: bound %v: %w", bound, err)
		}
	}
	if !(bound.Max[0] > bound.Min[0] && bound.Max[1] > bound.Min[1]) {
		return nil, fmt.Errorf("grid: bound %v has no area", bound)
	}
	if !(cellSize > 0) || math.IsInf(cellSize, 0) {
		return nil, fmt.Errorf("grid: cell size %v m must be positive", cellSize)
	}
	g := &Metric{Bound: bound, CellSize: cellSize}
	g.proj = traj.NewLocalProjectionAt(bound.Min, (bound.Min[1]+bound.Max[1])/2)
	w, h := g.proj.XY(bound.Max)
	g.Cols = int(math.Ceil(w / cellSize))
	g.Rows = int(math.Ceil(h / cellSize))
	if g.Cols*g.Rows > 1<<28 {
		return nil, fmt.Errorf("grid: %d×%d cells of %v m is too many", g.Cols, g.Rows, cellSize)
	}
	return g, nil
}

// ToMetres maps [lon, lat] to metres east and north of the bound's
// south-west corner.
func (g *Metric) ToMetres(p orb.Point) orb.Point {
	x, y := g.proj.XY(p)
	return orb.Point{x, y}
}

// FromMetres is the inverse of ToMetres.
func (g *Metric) FromMetres(m orb.Point) orb.Point { return g.proj.LonLat(m[0], m[1]) }

// CellOf implements Grid. Points on the bound's north or east edge belong
// to the last row or column.
func (g *Metric) CellOf(p orb.Point) (Cell, error) {
	if err := traj.CheckLonLat(p[0], p[1]); err != nil {
		return Cell{}, fmt.Errorf("grid: %w", err)
	}
	if !g.Bound.Contains(p) {
		return Cell{}, fmt.Errorf("grid: point %v outside the grid bound %v", p, g.Bound)
	}
	m := g.ToMetres(p)
	c := Cell{int(m[0] / g.CellSize), int(m[1] / g.CellSize)}
	c.X = min(c.X, g.Cols-1)
	c.Y = min(c.Y, g.Rows-1)
	return c, nil
}

// Centre implements Grid.
func (g *Metric) Centre(c Cell) orb.Point {
	return g.FromMetres(orb.Point{(float64(c.X) + 0.5) * g.CellSize, (float64(c.Y) + 0.5) * g.CellSize})
}

// CellBound implements Grid.
func (g *Metric) CellBound(c Cell) orb.Bound {
	return orb.Bound{
		Min: g.FromMetres(orb.Point{float64(c.X) * g.CellSize, float64(c.Y) * g.CellSize}),
		Max: g.FromMetres(orb.Point{float64(c.X+1) * g.CellSize, float64(c.Y+1) * g.CellSize}),
	}
}

// Contains implements Grid.
func (g *Metric) Contains(c Cell) bool { return c.X >= 0 && c.Y >= 0 && c.X < g.Cols && c.Y < g.Rows }

// Spec implements Grid.
func (g *Metric) Spec() Spec { return Spec{Kind: "metric", Bound: g.Bound, CellSize: g.CellSize} }

// Tiles is the Web Mercator tiling at one zoom level, optionally limited to
// the tiles intersecting a bound (a zero Bound means the whole world).
type Tiles struct {
	Zoom     maptile.Zoom
	Bound    orb.Bound
	min, max maptile.Tile
}

// NewTiles makes the tiling at zoom (0..30), limited to bound unless it is
// the zero Bound.
func NewTiles(zoom maptile.Zoom, bound orb.Bound) (*Tiles, error) {
	if zoom > 30 {
		return nil, fmt.Errorf("grid: zoom %d outside [0, 30]", zoom)
	}
	g := &Tiles{Zoom: zoom, Bound: bound}
	n := uint32(1) << zoom
	g.min, g.max = maptile.New(0, 0, zoom), maptile.New(n-1, n-1, zoom)
	if bound != (orb.Bound{}) {
		for _, p := range []orb.Point{bound.Min, bound.Max} {
			if err := traj.CheckLonLat(p[0], p[1]); err != nil {
				return nil, fmt.Errorf("grid: bound %v: %w", bound, err)
			}
		}
		a := maptile.At(orb.Point{bound.Min[0], bound.Max[1]}, zoom) // north-west
		b := maptile.At(orb.Point{bound.Max[0], bound.Min[1]}, zoom) // south-east
		g.min, g.max = a, b
	}
	return g, nil
}

// CellOf implements Grid.
func (g *Tiles) CellOf(p orb.Point) (Cell, error) {
	if err := traj.CheckLonLat(p[0], p[1]); err != nil {
		return Cell{}, fmt.Errorf("grid: %w", err)
	}
	if g.Bound != (orb.Bound{}) && !g.Bound.Contains(p) {
		return Cell{}, fmt.Errorf("grid: point %v outside the grid bound %v", p, g.Bound)
	}
	t := maptile.At(p, g.Zoom)
	return Cell{int(t.X), int(t.Y)}, nil
}

// Tile is the map tile of a cell.
func (g *Tiles) Tile(c Cell) maptile.Tile { return maptile.New(uint32(c.X), uint32(c.Y), g.Zoom) }

// Centre implements Grid: the tile's centre in Web Mercator, as [lon, lat].
func (g *Tiles) Centre(c Cell) orb.Point {
	n := math.Exp2(float64(g.Zoom))
	x, y := (float64(c.X)+0.5)/n, (float64(c.Y)+0.5)/n
	lon := x*360 - 180
	lat := math.Atan(math.Sinh(math.Pi*(1-2*y))) * 180 / math.Pi
	return orb.Point{lon, lat}
}

// CellBound implements Grid.
func (g *Tiles) CellBound(c Cell) orb.Bound { return g.Tile(c).Bound() }

// Contains implements Grid.
func (g *Tiles) Contains(c Cell) bool {
	return c.X >= int(g.min.X) && c.X <= int(g.max.X) && c.Y >= int(g.min.Y) && c.Y <= int(g.max.Y)
}

// Spec implements Grid.
func (g *Tiles) Spec() Spec { return Spec{Kind: "tile", Bound: g.Bound, Zoom: int(g.Zoom)} }

// Ring returns the cells of the grid within Chebyshev distance k of c
// (the (2k+1)² square around it, clipped to the grid), c first.
func Ring(g Grid, c Cell, k int) []Cell {
	out := []Cell{c}
	for dy := -k; dy <= k; dy++ {
		for dx := -k; dx <= k; dx++ {
			n := Cell{c.X + dx, c.Y + dy}
			if (dx != 0 || dy != 0) && g.Contains(n) {
				out = append(out, n)
			}
		}
	}
	return out
}
