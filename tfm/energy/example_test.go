package energy_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/tfm-course/course/tfm/energy"
)

// Without readable RAPL counters the energy is estimated from CPU seconds,
// and the reading says so.
func ExampleMeter() {
	m := energy.Start(energy.Options{CoreWatts: 10, GridGramsPerKWh: 475, PowercapRoot: filepath.Join(os.TempDir(), "no-powercap")})
	m.AddFLOPs(2e9)
	r := m.Read()
	fmt.Println(r.FLOPs, r.Measured(), r.EnergyJoules == r.CPUSeconds*10)
	fmt.Printf("1 kWh at the world-average grid: %.0f g CO2e\n", energy.CO2eGrams(3.6e6, energy.DefaultGridGramsPerKWh))
	// Output:
	// 2e+09 false true
	// 1 kWh at the world-average grid: 475 g CO2e
}
