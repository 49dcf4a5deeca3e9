//go:build !unix

package roadnet

import "time"

func cpuTime() time.Duration { return 0 }
