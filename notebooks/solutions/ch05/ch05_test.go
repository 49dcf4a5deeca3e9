package ch05

import (
	"slices"
	"testing"
	"time"

	"github.com/tfm-course/course/tfm/traj"
)

// around returns fixes every minute for the given minutes, each jitter·i metres (about) north of a café.
func around(minutes int, jitter float64) []traj.Point {
	t0 := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	var pts []traj.Point
	for i := 0; i <= minutes; i++ {
		pts = append(pts, traj.NewPoint(116.3, 39.9+jitter*float64(i)/111195, t0.Add(time.Duration(i)*time.Minute)))
	}
	return pts
}

func TestExIsStay(t *testing.T) {
	for _, c := range []struct {
		name     string
		pts      []traj.Point
		radius   float64
		minDur   time.Duration
		wantStay bool
	}{
		{"30 min within 60 m", around(30, 2), 100, 20 * time.Minute, true},
		{"too short", around(10, 2), 100, 20 * time.Minute, false},
		{"drifts 300 m away", around(30, 10), 100, 20 * time.Minute, false},
		{"exactly the minimum duration", around(20, 0), 100, 20 * time.Minute, true},
		{"no fixes", nil, 100, 0, false},
	} {
		if got := IsStay(c.pts, c.radius, c.minDur); got != c.wantStay {
			t.Errorf("%s: IsStay = %v, want %v", c.name, got, c.wantStay)
		}
	}
}

func TestExWords(t *testing.T) {
	got := Words("Left Haidian at 08:15, drove to Chaoyang (via 3rd Ring Road).")
	want := []string{"left", "haidian", "at", "08", "15", "drove", "to", "chaoyang", "via", "3rd", "ring", "road"}
	if !slices.Equal(got, want) {
		t.Errorf("Words = %q, want %q", got, want)
	}
	if got := Words(" ,. "); len(got) != 0 {
		t.Errorf("Words of punctuation = %q, want none", got)
	}
}
