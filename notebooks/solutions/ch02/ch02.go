// Package ch02 holds the reference solutions of chapter 2's exercises (notebooks/02_gps.ipynb).
package ch02

import (
	"math"
	"time"
)

// CyclicHour places the time of day of t on the unit circle, angle
// 2π·(seconds since midnight)/86400, and returns (sin, cos): 23:59 and 00:01
// end up close, as they are.
func CyclicHour(t time.Time) (sin, cos float64) {
	secs := float64(t.Hour()*3600+t.Minute()*60+t.Second()) + float64(t.Nanosecond())/1e9
	return math.Sincos(2 * math.Pi * secs / 86400)
}

// FitApply standardises test with the statistics of train only: (x − mean)/std,
// mean and population standard deviation (divide by n) of train. A train
// column with std 0 is only centred.
func FitApply(train, test []float64) []float64 {
	mean, sq := 0.0, 0.0
	for _, v := range train {
		mean += v
	}
	mean /= float64(len(train))
	for _, v := range train {
		sq += (v - mean) * (v - mean)
	}
	std := math.Sqrt(sq / float64(len(train)))
	if std == 0 {
		std = 1
	}
	out := make([]float64, len(test))
	for i, v := range test {
		out[i] = (v - mean) / std
	}
	return out
}
