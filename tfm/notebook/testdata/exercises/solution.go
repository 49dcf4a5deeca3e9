// Package exercises is the reference solution of the fixture notebooks testdata/exercise*.ipynb.
package exercises

import "strings"

// Double returns 2x.
func Double(x int) int { return 2 * x }

// Shout upper-cases s and adds "!".
func Shout(s string) string { return strings.ToUpper(s) + "!" }
