//go:build unix

package experiment

import (
	"syscall"
	"time"
)

// cpuTime is the process's user + system CPU time so far (the progress
// lines report it beside the wall time: on a shared machine the wall time
// of a stage overstates its cost).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
