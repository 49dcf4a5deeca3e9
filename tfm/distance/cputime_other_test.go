//go:build !linux

package distance

import "time"

var cpuStart = time.Now()

// threadCPU falls back to the wall clock off Linux.
func threadCPU() float64 { return time.Since(cpuStart).Seconds() }

// processCPU falls back to the wall clock off Linux.
func processCPU() float64 { return time.Since(cpuStart).Seconds() }
