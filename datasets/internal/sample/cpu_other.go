//go:build !unix

package sample

// CPUSeconds is not measured on this platform (0).
func CPUSeconds() float64 { return 0 }
