package figures

import (
	"fmt"
	stdimage "image"
	"image/color"
	"math"

	"github.com/paulmach/orb"

	"github.com/tfm-course/course/tfm/modality/grid"
	"github.com/tfm-course/course/tfm/modality/image"
	"github.com/tfm-course/course/tfm/roadnet"
	"github.com/tfm-course/course/tfm/traj"
	"github.com/tfm-course/course/tfm/viz"
)

// CellCounts counts how many times trajectories enter each cell of g
// (consecutive duplicates removed; points outside the grid are skipped).
func CellCounts(g grid.Grid, trajs []*traj.Trajectory) (map[grid.Cell]int, error) {
	counts := map[grid.Cell]int{}
	for _, t := range trajs {
		cells, _, err := grid.Cells(g, t, true)
		if err != nil {
			return nil, err
		}
		for _, c := range cells {
			counts[c]++
		}
	}
	return counts, nil
}

// CellHeatmap paints every cell of a metric grid by its count (viridis on
// log(1+count); white where no trajectory went), scale pixels per cell,
// with the road network drawn on top in dark grey. North is up.
func CellHeatmap(g *grid.Metric, counts map[grid.Cell]int, roads *roadnet.Graph, scale int) (*stdimage.RGBA, error) {
	if scale < 1 {
		return nil, fmt.Errorf("scale %d must be >= 1", scale)
	}
	maxLog := 0.0
	for _, n := range counts {
		maxLog = math.Max(maxLog, math.Log1p(float64(n)))
	}
	H, W := g.Rows*scale, g.Cols*scale
	img := stdimage.NewRGBA(stdimage.Rect(0, 0, W, H))
	for py := 0; py < H; py++ {
		for px := 0; px < W; px++ {
			c := grid.Cell{X: px / scale, Y: g.Rows - 1 - py/scale}
			col := color.RGBA{255, 255, 255, 255}
			if n := counts[c]; n > 0 && maxLog > 0 {
				col = viz.Viridis(math.Log1p(float64(n)) / maxLog)
			}
			img.SetRGBA(px, py, col)
		}
	}
	if roads != nil {
		// The grid spans whole cells from its south-west corner.
		extent := orb.Bound{Min: g.Bound.Min, Max: g.FromMetres(orb.Point{float64(g.Cols) * g.CellSize, float64(g.Rows) * g.CellSize})}
		r := &image.Rasterizer{H: H, W: W, Bound: extent, Network: roads}
		plane, err := r.Roads()
		if err != nil {
			return nil, err
		}
		for k, v := range plane {
			if v > 0 {
				img.SetRGBA(k%W, k/W, color.RGBA{60, 60, 60, 255})
			}
		}
	}
	return img, nil
}
