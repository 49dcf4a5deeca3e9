package ch03

import (
	"slices"
	"testing"
)

func TestExCellIndex(t *testing.T) {
	for _, c := range []struct {
		x, y float64
		want int
	}{
		{0, 0, 0}, {199.9, 0, 0}, {200, 0, 1}, {50, 250, 5}, {999, 599, 14}, // 3 rows × 5 columns of 200 m
		{1000, 0, -1}, {0, 600, -1}, {-0.1, 10, -1}, {10, -5, -1},
	} {
		if got := CellIndex(c.x, c.y, 200, 3, 5); got != c.want {
			t.Errorf("CellIndex(%g, %g, 200 m, 3 rows, 5 cols) = %d, want %d", c.x, c.y, got, c.want)
		}
	}
}

func TestExCollapseRepeats(t *testing.T) {
	for _, c := range []struct{ in, want []int }{
		{[]int{7, 7, 7, 8, 8, 7, 9, 9}, []int{7, 8, 7, 9}},
		{[]int{4}, []int{4}},
		{nil, nil},
	} {
		if got := CollapseRepeats(c.in); !slices.Equal(got, c.want) {
			t.Errorf("CollapseRepeats(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}
