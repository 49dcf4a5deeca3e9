// Package modtest makes small deterministic trajectories and finds the
// GeoLife sample for the tests of the modality packages.
package modtest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/tfm-course/course/datasets"
	"github.com/tfm-course/course/datasets/synth"
	"github.com/tfm-course/course/tfm/traj"
)

// Origin is the centre of the test walks (Beijing, like GeoLife).
var Origin = orb.Point{116.3, 39.98}

// T0 is the start of the first walk: Tuesday 2008-10-21 08:00 UTC.
var T0 = time.Date(2008, 10, 21, 8, 0, 0, 0, time.UTC)

// Walk returns n random-walk trajectories of 20..80 points each, sampled
// every 5..15 s at 2..15 m/s, within a few km of Origin. Deterministic in seed.
func Walk(seed uint64, n int) []*traj.Trajectory {
	rng := rand.New(rand.NewPCG(seed, 7))
	out := make([]*traj.Trajectory, n)
	const mPerDegLat = 111195.0
	for k := range out {
		m := 20 + rng.IntN(61)
		t := &traj.Trajectory{ID: fmt.Sprintf("walk-%d", k), UserID: fmt.Sprintf("u%d", k%3)}
		modes := []string{"walk", "bike", "car"}
		t.Mode = modes[k%3]
		x, y := (rng.Float64()-0.5)*4000, (rng.Float64()-0.5)*4000
		heading := rng.Float64() * 2 * math.Pi
		speed := 2 + rng.Float64()*13
		tm := T0.Add(time.Duration(k) * 37 * time.Minute)
		for i := 0; i < m; i++ {
			lon := Origin[0] + x/(mPerDegLat*math.Cos(Origin[1]*math.Pi/180))
			lat := Origin[1] + y/mPerDegLat
			t.Points = append(t.Points, traj.NewPoint(lon, lat, tm))
			dt := 5 + rng.Float64()*10
			heading += rng.NormFloat64() * 0.3
			x += math.Sin(heading) * speed * dt
			y += math.Cos(heading) * speed * dt
			tm = tm.Add(time.Duration(dt * float64(time.Second)))
		}
		out[k] = t
	}
	return out
}

// GeolifeDir finds ../shared/datasets/geolife from the module root above
// the current directory, or skips the test.
func GeolifeDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("no go.mod above the test directory")
		}
		dir = parent
	}
	g := filepath.Join(dir, "..", "shared", "datasets", "geolife")
	if _, err := os.Stat(g); err != nil {
		tb.Skipf("GeoLife sample not found at %s; skipping", g)
	}
	return g
}

// Geolife loads the GeoLife sample with datasets.Open and returns its
// first maxTrajectories trajectories (in the loader's order), or skips the
// test when the sample is absent.
func Geolife(tb testing.TB, maxTrajectories int) []*traj.Trajectory {
	tb.Helper()
	root := GeolifeDir(tb)
	ds, err := datasets.Open("geolife", root, datasets.Options{})
	if err != nil {
		tb.Fatalf("loading GeoLife: %v", err)
	}
	if len(ds.Trajectories) == 0 {
		tb.Skipf("no trajectories under %s", root)
	}
	return ds.Trajectories[:min(maxTrajectories, len(ds.Trajectories))]
}

// City generates a small synthetic city (seed 1) with n trips.
func City(tb testing.TB, n int) *synth.City {
	tb.Helper()
	c, err := synth.Generate(synth.Config{Seed: 1, Trajectories: n})
	if err != nil {
		tb.Fatalf("synthetic city: %v", err)
	}
	return c
}

// TrueSegments is the road segment each observed fix of a synthetic trip
// was truly on: the last segment of its Path entered at or before the fix's
// time.
func TrueSegments(tr *synth.Trip) []int {
	out := make([]int, len(tr.Observed.Points))
	k := 0
	for i, p := range tr.Observed.Points {
		for k+1 < len(tr.Entry) && !tr.Entry[k+1].After(p.Time) {
			k++
		}
		out[i] = tr.Path[k]
	}
	return out
}
