// Package ch03 holds the reference solutions of chapter 3's exercises (notebooks/03_grid.ipynb).
package ch03

import "math"

// CellIndex is the token of the point x metres east and y metres north of a
// grid's south-west corner: square cells of size metres, rows×cols of them,
// numbered row by row from the south-west, row·cols + col. A point outside
// [0, cols·size) × [0, rows·size) gets −1.
func CellIndex(x, y, size float64, rows, cols int) int {
	col, row := int(math.Floor(x/size)), int(math.Floor(y/size))
	if x < 0 || y < 0 || col >= cols || row >= rows {
		return -1
	}
	return row*cols + col
}

// CollapseRepeats drops consecutive repeats of a token: a car waiting at a
// light for ten fixes in one cell becomes one word, not ten.
func CollapseRepeats(tokens []int) []int {
	var out []int
	for i, tok := range tokens {
		if i == 0 || tok != tokens[i-1] {
			out = append(out, tok)
		}
	}
	return out
}
