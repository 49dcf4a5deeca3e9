// Package declmirror is the source of truth for the declaration mirrors of
// testdata/declmirror.ipynb (a fixture of tfm/notebook; not built).
package declmirror

import (
	"fmt"
	"math"
)

// Unit is the length unit of every shape.
const Unit = "m"

// Kind of a shape.
type Kind int

const (
	Circle Kind = iota // round
	Square             // four equal sides
)

// Shape is a circle or a square of a given size.
type Shape struct {
	Kind Kind
	Size float64 // radius or side
}

// Area of the shape in Unit².
func (s Shape) Area() float64 {
	if s.Kind == Circle {
		return math.Pi * s.Size * s.Size
	}
	return s.Size * s.Size
}

// Counter counts shapes by kind.
type Counter struct{ n map[Kind]int }

// Add counts s.
func (c *Counter) Add(s Shape) {
	if c.n == nil {
		c.n = map[Kind]int{}
	}
	c.n[s.Kind]++
}

// Count of shapes of kind k.
func (c *Counter) Count(k Kind) int { return c.n[k] }

var (
	// Unit circle and square.
	UnitCircle = Shape{Circle, 1}
	UnitSquare = Shape{Square, 1}
)

// Describe is not mirrored: the notebook gets only what its marker names.
func Describe(s Shape) string { return fmt.Sprintf("%v of size %g %s", s.Kind, s.Size, Unit) }

// Largest returns the shape with the largest area (generic, to show GoNB takes type parameters).
func Largest[S interface{ Area() float64 }](shapes ...S) S {
	var best S
	for i, s := range shapes {
		if i == 0 || s.Area() > best.Area() {
			best = s
		}
	}
	return best
}
