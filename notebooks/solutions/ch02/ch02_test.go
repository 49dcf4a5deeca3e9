package ch02

import (
	"math"
	"testing"
	"time"
)

func TestExCyclicHour(t *testing.T) {
	day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		at       time.Duration
		sin, cos float64
	}{{0, 0, 1}, {6 * time.Hour, 1, 0}, {12 * time.Hour, 0, -1}, {18 * time.Hour, -1, 0}} {
		s, co := CyclicHour(day.Add(c.at))
		if math.Abs(s-c.sin) > 1e-9 || math.Abs(co-c.cos) > 1e-9 {
			t.Errorf("CyclicHour(%v after midnight) = (%.3f, %.3f), want (%.0f, %.0f)", c.at, s, co, c.sin, c.cos)
		}
	}
	s1, c1 := CyclicHour(day.Add(24*time.Hour - time.Minute))
	s2, c2 := CyclicHour(day.Add(time.Minute))
	if d := math.Hypot(s1-s2, c1-c2); d > 0.01 {
		t.Errorf("23:59 and 00:01 are %.3f apart on the circle, want < 0.01", d)
	}
}

func TestExFitApply(t *testing.T) {
	train := []float64{1, 2, 3, 4, 5} // mean 3, population std √2
	got := FitApply(train, []float64{3, 3 + math.Sqrt2, 10, 10})
	want := []float64{0, 1, 7 / math.Sqrt2, 7 / math.Sqrt2}
	for i := range want {
		if len(got) != len(want) || math.Abs(got[i]-want[i]) > 1e-9 {
			t.Fatalf("FitApply(train 1..5, test) = %v, want %v (test values scaled with train's mean and std, not their own)", got, want)
		}
	}
	if got := FitApply([]float64{2, 2}, []float64{3}); len(got) != 1 || got[0] != 1 {
		t.Errorf("FitApply with a constant train column = %v, want [1] (centred only)", got)
	}
}
