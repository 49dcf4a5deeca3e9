// Package energy meters what a run costs: the FLOPs it counted, the CPU
// seconds the process used, the energy (measured from Linux RAPL where the
// powercap counters are readable, else estimated from CPU seconds) and the
// CO₂-equivalent of that energy at a stated grid intensity. Every Reading
// says whether its energy was measured or estimated.
package energy

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"time"
)

// Defaults of Options, with their sources.
const (
	// DefaultCoreWatts is the power of one busy core for the estimate:
	// the per-core share of a CPU's TDP (the method of Green Algorithms,
	// Lannelongue, Grealey & Inouye, Advanced Science 2021), taken on the
	// high side of current server parts (AMD EPYC 7763: 280 W / 64 cores
	// = 4.4 W; Intel Xeon Platinum 8380: 270 W / 40 cores = 6.8 W) to
	// cover roughly the memory and the rest of the platform a busy core
	// keeps awake. Data-centre overhead (PUE) is not included.
	DefaultCoreWatts = 10.0
	// DefaultGridGramsPerKWh is the world-average carbon intensity of
	// electricity generation, 475 gCO₂/kWh (IEA, Global Energy & CO2
	// Status Report 2019, for 2018).
	DefaultGridGramsPerKWh = 475.0
	// JoulesPerKWh converts energy: 1 kWh = 3.6 MJ.
	JoulesPerKWh = 3.6e6
)

// Options are the stated assumptions of a Meter. Zero fields take the
// defaults (a grid is never exactly carbon-free: life-cycle emissions of
// wind power are about 11 g/kWh, IPCC AR5).
type Options struct {
	CoreWatts       float64 // W per busy core, for the estimate (0: DefaultCoreWatts)
	GridGramsPerKWh float64 // gCO₂e per kWh (0: DefaultGridGramsPerKWh)
	// PowercapRoot is the sysfs powercap directory ("": /sys/class/powercap).
	PowercapRoot string
}

// DefaultOptions are the stated defaults.
func DefaultOptions() Options {
	return Options{CoreWatts: DefaultCoreWatts, GridGramsPerKWh: DefaultGridGramsPerKWh}
}

// Validate refuses negative or non-finite values, naming the field.
func (o Options) Validate() error {
	for name, v := range map[string]float64{"CoreWatts": o.CoreWatts, "GridGramsPerKWh": o.GridGramsPerKWh} {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("energy: Options.%s = %v: must be ≥ 0 (0: the default)", name, v)
		}
	}
	return nil
}

func (o Options) withDefaults() Options {
	if o.CoreWatts <= 0 {
		o.CoreWatts = DefaultCoreWatts
	}
	if o.GridGramsPerKWh <= 0 {
		o.GridGramsPerKWh = DefaultGridGramsPerKWh
	}
	if o.PowercapRoot == "" {
		o.PowercapRoot = "/sys/class/powercap"
	}
	return o
}

// Reading is a meter's cumulative count since Start.
type Reading struct {
	FLOPs      float64 `json:"flops"`
	CPUSeconds float64 `json:"cpu_seconds"` // the process's user + system time (getrusage)
	// EnergyJoules is measured ("measured: RAPL …", the whole CPU
	// packages: every process on them) or estimated ("estimated: 12.3
	// cpu_s × 10 W per core"), as EnergySource says.
	EnergyJoules    float64 `json:"energy_joules"`
	EnergySource    string  `json:"energy_source"`
	CO2eGrams       float64 `json:"co2e_grams"` // EnergyJoules / 3.6e6 × GridGramsPerKWh
	GridGramsPerKWh float64 `json:"grid_g_per_kwh"`
}

// Measured reports whether the energy comes from the RAPL counters.
func (r Reading) Measured() bool { return strings.HasPrefix(r.EnergySource, "measured") }

// CO2eGrams is the carbon of joules at gramsPerKWh: J / 3.6e6 × g/kWh.
func CO2eGrams(joules, gramsPerKWh float64) float64 { return joules / JoulesPerKWh * gramsPerKWh }

// EstimateJoules is the estimate without a power meter: CPU seconds × W per core.
func EstimateJoules(cpuSeconds, coreWatts float64) float64 { return cpuSeconds * coreWatts }

// A Meter counts FLOPs (added by the caller), CPU seconds and energy from
// Start on. It is safe for concurrent use.
type Meter struct {
	opt   Options
	mu    sync.Mutex
	flops float64
	cpu0  float64
	start time.Time
	rapl  *rapl // nil: estimate
}

// Start begins metering now.
func Start(opt Options) *Meter {
	opt = opt.withDefaults()
	m := &Meter{opt: opt, cpu0: cpuSeconds(), start: time.Now()}
	m.rapl = openRAPL(opt.PowercapRoot)
	return m
}

// Options are the meter's assumptions (defaults filled in).
func (m *Meter) Options() Options { return m.opt }

// AddFLOPs adds f counted FLOPs.
func (m *Meter) AddFLOPs(f float64) {
	m.mu.Lock()
	m.flops += f
	m.mu.Unlock()
}

// Read returns the counts since Start. The RAPL counters wrap (at
// max_energy_range_uj, about 262 kJ per package); each Read accounts for at
// most one wrap since the previous one, so read at least every few minutes
// of full load (pre-training reads every step).
func (m *Meter) Read() Reading {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := Reading{FLOPs: m.flops, CPUSeconds: cpuSeconds() - m.cpu0, GridGramsPerKWh: m.opt.GridGramsPerKWh}
	if j, names, ok := m.rapl.joules(); ok {
		r.EnergyJoules = j
		r.EnergySource = fmt.Sprintf("measured: RAPL %s (whole CPU package, every process)", strings.Join(names, "+"))
	} else {
		r.EnergyJoules = EstimateJoules(r.CPUSeconds, m.opt.CoreWatts)
		r.EnergySource = fmt.Sprintf("estimated: %.1f cpu_s × %g W per core", r.CPUSeconds, m.opt.CoreWatts)
	}
	r.CO2eGrams = CO2eGrams(r.EnergyJoules, m.opt.GridGramsPerKWh)
	return r
}
