package main

import (
	"flag"
	"fmt"

	"github.com/tfm-course/course/tfm/energy"
)

// energyFlags adds --core-watts and --grid-intensity to fs (pretrain, eval):
// the stated assumptions of the energy and carbon in the JSON.
func energyFlags(fs *flag.FlagSet) func() energy.Options {
	watts := fs.Float64("core-watts", energy.DefaultCoreWatts, "W per busy core for the energy estimate when RAPL is not readable (per-core TDP share)")
	grid := fs.Float64("grid-intensity", energy.DefaultGridGramsPerKWh, "grid carbon intensity in gCO2e/kWh for co2e_grams (475: IEA world average)")
	return func() energy.Options { return energy.Options{CoreWatts: *watts, GridGramsPerKWh: *grid} }
}

// The flags' valid ranges (a grid is never carbon-free: wind power's
// life-cycle emissions are about 11 g/kWh).
var (
	coreWattsRule     = above("core-watts", 0)
	gridIntensityRule = above("grid-intensity", 0)
)

// printCost is the human-readable cost line.
func printCost(r energy.Reading) {
	fmt.Printf("cost: %.3g FLOPs, %.1f cpu_s, %.4g J (%s), %.3g g CO2e at %g g/kWh\n",
		r.FLOPs, r.CPUSeconds, r.EnergyJoules, r.EnergySource, r.CO2eGrams, r.GridGramsPerKWh)
}
