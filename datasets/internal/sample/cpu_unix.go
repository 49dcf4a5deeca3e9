//go:build unix

package sample

import "syscall"

// CPUSeconds is the user+system CPU time of this process so far; with it
// benchmarks report throughput per CPU-second, which stays meaningful on
// a busy shared machine where wall time does not.
func CPUSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}
