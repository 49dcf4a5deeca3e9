// Package ch06 holds the reference solutions of chapter 6's exercises (notebooks/06_image.ipynb).
package ch06

// PixelOf is the pixel (row, col) of the point (x, y) in a w×h image of the
// frame [minX, maxX] × [minY, maxY]: col grows east, row grows south (row 0
// is the northern edge, as in a PNG); a point on the east or north edge falls
// in the last column or the first row. A point outside the frame gives (−1, −1).
func PixelOf(x, y, minX, minY, maxX, maxY float64, w, h int) (row, col int) {
	if x < minX || x > maxX || y < minY || y > maxY {
		return -1, -1
	}
	col = int((x - minX) / (maxX - minX) * float64(w))
	row = int((maxY - y) / (maxY - minY) * float64(h))
	return min(row, h-1), min(col, w-1)
}

// Occupancy rasterises points into an h×w image (img[row][col]): each pixel
// is its number of points divided by the largest count, so the busiest pixel
// is 1 and empty ones 0. Points outside the frame are dropped.
func Occupancy(pts [][2]float64, minX, minY, maxX, maxY float64, w, h int) [][]float64 {
	img := make([][]float64, h)
	for r := range img {
		img[r] = make([]float64, w)
	}
	most := 0.0
	for _, p := range pts {
		r, c := PixelOf(p[0], p[1], minX, minY, maxX, maxY, w, h)
		if r < 0 {
			continue
		}
		img[r][c]++
		most = max(most, img[r][c])
	}
	if most > 0 {
		for _, row := range img {
			for c := range row {
				row[c] /= most
			}
		}
	}
	return img
}
