package energy

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// packageDomain matches a top-level RAPL domain (intel-rapl:0), not a
// subdomain (intel-rapl:0:0, core or dram, already inside its package).
var packageDomain = regexp.MustCompile(`^intel-rapl:[0-9]+$`)

// rapl accumulates the energy counters of the package domains under a
// powercap root.
type rapl struct {
	domains []*domain
}

type domain struct {
	name       string // "package-0"
	energyPath string
	maxRange   float64 // µJ at which the counter wraps
	last       float64 // µJ at the previous read
	total      float64 // µJ since the first read
}

// openRAPL finds the readable package domains under root; nil when there
// are none (absent, or not readable: recent kernels restrict energy_uj to
// root).
func openRAPL(root string) *rapl {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil
	}
	r := &rapl{}
	for _, e := range entries {
		if !packageDomain.MatchString(e.Name()) {
			continue
		}
		dir := filepath.Join(root, e.Name())
		name := e.Name()
		if b, err := os.ReadFile(filepath.Join(dir, "name")); err == nil {
			name = strings.TrimSpace(string(b))
			if !strings.HasPrefix(name, "package") {
				continue // psys spans the platform, packages included: not added to them
			}
		}
		d := &domain{name: name, energyPath: filepath.Join(dir, "energy_uj")}
		if d.maxRange, err = readMicrojoules(filepath.Join(dir, "max_energy_range_uj")); err != nil {
			return nil
		}
		if d.last, err = readMicrojoules(d.energyPath); err != nil {
			return nil
		}
		r.domains = append(r.domains, d)
	}
	if len(r.domains) == 0 {
		return nil
	}
	sort.Slice(r.domains, func(i, j int) bool { return r.domains[i].name < r.domains[j].name })
	return r
}

// joules reads every domain and returns the total since open (a counter
// lower than at the previous read has wrapped once).
func (r *rapl) joules() (float64, []string, bool) {
	if r == nil {
		return 0, nil, false
	}
	var sum float64
	names := make([]string, len(r.domains))
	for i, d := range r.domains {
		now, err := readMicrojoules(d.energyPath)
		if err != nil {
			return 0, nil, false
		}
		delta := now - d.last
		if delta < 0 {
			delta += d.maxRange
		}
		d.total += delta
		d.last = now
		sum += d.total
		names[i] = d.name
	}
	return sum / 1e6, names, true
}

func readMicrojoules(path string) (float64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.ParseFloat(strings.TrimSpace(string(b)), 64)
}
