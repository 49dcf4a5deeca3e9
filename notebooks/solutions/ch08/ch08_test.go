package ch08

import (
	"math"
	"testing"
)

func TestExInfoNCE(t *testing.T) {
	uniform := [][]float64{{0.5, 0.5, 0.5}, {0.5, 0.5, 0.5}, {0.5, 0.5, 0.5}}
	if got := InfoNCE(uniform, 0.1); math.Abs(got-math.Log(3)) > 1e-9 {
		t.Errorf("InfoNCE with no preference for the positive = %.4f, want log 3 = %.4f", got, math.Log(3))
	}
	sim := [][]float64{{1, 0}, {0.5, 0.9}}
	want := (math.Log(1+math.Exp(-1/0.5)) + math.Log(1+math.Exp(-0.4/0.5))) / 2
	if got := InfoNCE(sim, 0.5); math.Abs(got-want) > 1e-9 {
		t.Errorf("InfoNCE(%v, τ 0.5) = %.6f, want %.6f", sim, got, want)
	}
	if got := InfoNCE([][]float64{{1, -1}, {-1, 1}}, 0.001); math.IsNaN(got) || got > 1e-9 {
		t.Errorf("InfoNCE at τ 0.001 = %v, want ≈ 0 and no overflow (subtract the row's maximum before exp)", got)
	}
}

func TestExUniformity(t *testing.T) {
	same := [][]float64{{1, 0}, {1, 0}, {1, 0}}
	if got := Uniformity(same, 2); math.Abs(got) > 1e-12 {
		t.Errorf("Uniformity of a collapsed embedding = %v, want 0", got)
	}
	// Four points on the unit circle: 4 pairs at distance² 2 and 2 pairs at distance² 4.
	spread := [][]float64{{1, 0}, {0, 1}, {-1, 0}, {0, -1}}
	want := math.Log((4*math.Exp(-4) + 2*math.Exp(-8)) / 6)
	if got := Uniformity(spread, 2); math.Abs(got-want) > 1e-9 {
		t.Errorf("Uniformity of four points on the circle = %.4f, want %.4f", got, want)
	}
}

// exampleSim is the cosine similarity of three anchors with their positives (diagonal) and each other's.
var exampleSim = [][]float64{{0.9, 0.4, 0.3}, {0.5, 0.8, 0.2}, {0.1, 0.3, 0.7}}

func TestExSharpTemperature(t *testing.T) {
	if SharpTemperature < 0.05 {
		t.Fatalf("SharpTemperature = %v: keep it ≥ 0.05 (below, training becomes unstable)", SharpTemperature)
	}
	if got := InfoNCE(exampleSim, SharpTemperature); !(got < 0.05) {
		t.Errorf("InfoNCE(exampleSim, τ %v) = %.3f, want < 0.05: lower the temperature", SharpTemperature, got)
	}
}
