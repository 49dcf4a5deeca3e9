// Package ch05 holds the reference solutions of chapter 5's exercises (notebooks/05_text.ipynb).
package ch05

import (
	"strings"
	"time"
	"unicode"

	"github.com/tfm-course/course/tfm/traj"
)

// IsStay reports whether fixes pts form a stay point: every fix lies within
// radius metres (traj.Haversine) of the first, and the last comes at least
// minDur after the first.
func IsStay(pts []traj.Point, radius float64, minDur time.Duration) bool {
	if len(pts) == 0 || pts[len(pts)-1].Time.Sub(pts[0].Time) < minDur {
		return false
	}
	for _, p := range pts[1:] {
		if traj.Haversine(pts[0].Point, p.Point) > radius {
			return false
		}
	}
	return true
}

// Words splits a sentence into lower-case word tokens: maximal runs of
// letters and digits; spaces and punctuation only separate.
func Words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}
