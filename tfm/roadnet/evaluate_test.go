package roadnet

import (
	"bytes"
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

// quality is the deterministic part of a report (all but the timings).
func quality(r *EvalReport) EvalReport {
	q := *r
	q.Seconds, q.PointsPerSecond, q.CPUSeconds, q.PerCore = 0, 0, 0, 0
	return q
}

func TestEvaluateDrives(t *testing.T) {
	g := gridCity(12, 150)
	cfg := DefaultEvalConfig()
	cfg.Network, cfg.Trajectories, cfg.Seed = "grid", 30, 7
	var log bytes.Buffer
	cfg.Log = &log
	r, err := Evaluate(g, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", *r)
	if r.Network != "grid" || r.Simulator != "drive" || r.Nodes != len(g.Nodes) || r.Segments != len(g.Segments) ||
		r.Trajectories != 30 || r.Seed != 7 || r.Interval != "15s" || r.Noise != 10 || r.Sigma != 10 || r.Radius != 50 {
		t.Errorf("report settings %+v", *r)
	}
	if r.SegmentAccuracy < 0.95 || r.SegmentPrecision < 0.95 || r.Failed != 0 {
		t.Errorf("segment accuracy %.3f, precision %.3f, %d failed on the grid", r.SegmentAccuracy, r.SegmentPrecision, r.Failed)
	}
	if len(r.ByMode) != 1 || r.ByMode["car"] != r.SegmentAccuracy {
		t.Errorf("by mode %v, want only car = %v", r.ByMode, r.SegmentAccuracy)
	}
	if !strings.Contains(log.String(), "matching 30 trajectories") || r.Seconds <= 0 || r.PointsPerSecond <= 0 || r.PerCore <= 0 {
		t.Errorf("log %q, timings %+v", log.String(), *r)
	}
	// The points are those the same Simulate call produces.
	trips, _ := Simulate(g, SimConfig{Seed: 7, Trajectories: 30, Interval: 15 * time.Second, Noise: 10})
	n := 0
	for _, tr := range trips {
		n += len(tr.Traj.Points)
	}
	if r.Points != n {
		t.Errorf("points %d, want %d", r.Points, n)
	}
	// Deterministic under the seed; another seed simulates other trips.
	again, err := Evaluate(g, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(quality(again), quality(r)) {
		t.Errorf("not deterministic:\n%+v\n%+v", quality(r), quality(again))
	}
	cfg.Seed = 8
	other, err := Evaluate(g, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if other.Points == r.Points && other.SegmentAccuracy == r.SegmentAccuracy {
		t.Errorf("seeds 7 and 8 gave the same trips: %+v", quality(other))
	}
	// Noise-free drives sampled every 5 s with a σ of 1 m are matched exactly.
	cfg.Noise, cfg.Interval = 0, 5*time.Second
	cfg.Match.Sigma, cfg.Match.MinMove = 1, 0
	exact, err := Evaluate(g, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if exact.SegmentAccuracy != 1 || exact.SegmentPrecision != 1 || exact.ExactShare != 1 || exact.Breaks != 0 {
		t.Errorf("noise-free: %+v", quality(exact))
	}
}

// The JSON field names are those of `tfm mapmatch eval --json`.
func TestEvalReportJSON(t *testing.T) {
	b, err := json.Marshal(EvalReport{ByMode: map[string]float64{"car": 1}})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	want := []string{"beta", "breaks", "cpu_seconds", "exact_share", "failed", "interval", "network", "nodes", "noise_m",
		"points", "points_per_second", "points_per_second_per_core", "radius", "seconds", "seed", "segment_accuracy",
		"segment_accuracy_by_mode", "segment_precision", "segments", "sigma", "simulator", "trajectories", "workers"}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("JSON keys\n%v, want\n%v", keys, want)
	}
	if b, _ := json.Marshal(EvalReport{}); strings.Contains(string(b), "by_mode") {
		t.Errorf("empty by-mode scores not omitted: %s", b)
	}
}

func TestEvaluateBadInputs(t *testing.T) {
	g := gridCity(12, 150)
	for name, mod := range map[string]func(*EvalConfig){
		"Trajectories > 0": func(c *EvalConfig) { c.Trajectories = 0 },
		"Interval > 0":     func(c *EvalConfig) { c.Interval = 0 },
		"Noise >= 0":       func(c *EvalConfig) { c.Noise = -1 },
		"Sigma":            func(c *EvalConfig) { c.Match.Sigma = 0 },
	} {
		cfg := DefaultEvalConfig()
		cfg.Trajectories = 3
		mod(&cfg)
		if _, err := Evaluate(g, cfg); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %v", name, err)
		}
	}
	if _, err := Evaluate(nil, DefaultEvalConfig()); err == nil || !strings.Contains(err.Error(), "needs a road network") {
		t.Errorf("drives without a network: error %v", err)
	}
}
