//go:build !unix

package energy

// cpuSeconds is not measured on this platform (no getrusage).
func cpuSeconds() float64 { return 0 }
