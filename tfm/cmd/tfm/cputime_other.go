//go:build !unix

package main

import "time"

// processCPUTime is unknown (0) on this platform.
func processCPUTime() time.Duration { return 0 }
