package synth

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// BytesPerTrip is the memory a generated trip holds until the city is
// written (observed fixes, truth, path, trip record), measured at about
// 15 KB with the default sampling; the whole city is built in memory.
const BytesPerTrip = 16 << 10

// baseBytes is the network, districts, POIs and agents of a default city.
const baseBytes = 16 << 20

// MemoryEstimate is about how many bytes Generate(cfg) will hold.
func MemoryEstimate(cfg Config) int64 {
	return baseBytes + int64(cfg.Trajectories)*BytesPerTrip
}

// MemoryLimit is half the memory the system has available (MemAvailable
// of /proc/meminfo), or 4 GiB where that cannot be read.
func MemoryLimit() int64 {
	f, err := os.Open("/proc/meminfo")
	if err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "MemAvailable:"); ok {
				kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
				if err == nil && kb > 0 {
					return kb << 10 / 2
				}
			}
		}
	}
	return 4 << 30
}

// CheckMemory refuses, before any work, a city that will not fit: its
// estimate above limit (MemoryLimit() when limit <= 0). The error states
// both.
func CheckMemory(cfg Config, limit int64) error {
	if limit <= 0 {
		limit = MemoryLimit()
	}
	if est := MemoryEstimate(cfg); est > limit {
		return fmt.Errorf("%d trajectories need about %s of memory (about %d KB per trip, the city is generated in memory before it is written), over the limit of %s (half the available memory); generate fewer, or several sets with different seeds",
			cfg.Trajectories, gb(est), BytesPerTrip>>10, gb(limit))
	}
	return nil
}

func gb(b int64) string { return fmt.Sprintf("%.1f GB", float64(b)/1e9) }
