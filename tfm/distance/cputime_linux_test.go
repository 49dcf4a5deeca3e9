package distance

import (
	"syscall"
	"unsafe"
)

// threadCPU is the CPU time (seconds) of the calling OS thread
// (CLOCK_THREAD_CPUTIME_ID): benchmarks report cells per CPU-second too, a
// figure that other processes sharing the cores disturb much less than the
// wall clock.
func threadCPU() float64 {
	var ts syscall.Timespec
	const clockThreadCPUTimeID = 3
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0)
	return float64(ts.Sec) + float64(ts.Nsec)*1e-9
}

// processCPU is the CPU time (seconds) of the whole process, all threads.
func processCPU() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)*1e-6
}
