package ch06

import (
	"fmt"
	"testing"
)

func TestExPixelOf(t *testing.T) {
	// A 4×2 image (4 wide, 2 high) of the frame [0, 400] × [0, 200] metres: 100 m pixels.
	for _, c := range []struct {
		x, y     float64
		row, col int
	}{
		{10, 190, 0, 0}, {10, 10, 1, 0}, {390, 10, 1, 3}, {150, 120, 0, 1},
		{400, 200, 0, 3}, {0, 0, 1, 0}, {401, 10, -1, -1}, {10, -1, -1, -1},
	} {
		if r, col := PixelOf(c.x, c.y, 0, 0, 400, 200, 4, 2); r != c.row || col != c.col {
			t.Errorf("PixelOf(%g, %g) = (%d, %d), want (%d, %d) (row 0 is the north edge)", c.x, c.y, r, col, c.row, c.col)
		}
	}
}

func TestExOccupancy(t *testing.T) {
	pts := [][2]float64{{10, 10}, {20, 20}, {30, 30}, {390, 190}, {500, 500}}
	img := Occupancy(pts, 0, 0, 400, 200, 4, 2)
	want := [][]float64{{0, 0, 0, 1.0 / 3}, {1, 0, 0, 0}}
	if fmt.Sprint(img) != fmt.Sprint(want) {
		t.Errorf("Occupancy = %v, want %v (3 points in the south-west pixel, 1 in the north-east, 1 outside)", img, want)
	}
}
