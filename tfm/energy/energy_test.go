package energy

import (
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// fakeDomain writes a powercap domain directory.
func fakeDomain(t *testing.T, root, dir, name string, energy, maxRange float64) {
	t.Helper()
	d := filepath.Join(root, dir)
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	for file, v := range map[string]string{"name": name, "energy_uj": strconv.FormatFloat(energy, 'f', 0, 64),
		"max_energy_range_uj": strconv.FormatFloat(maxRange, 'f', 0, 64)} {
		if err := os.WriteFile(filepath.Join(d, file), []byte(v+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func setEnergy(t *testing.T, root, dir string, uj float64) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(root, dir, "energy_uj"), []byte(strconv.FormatFloat(uj, 'f', 0, 64)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestEstimateWithoutRAPL(t *testing.T) {
	m := Start(Options{CoreWatts: 12, GridGramsPerKWh: 300, PowercapRoot: filepath.Join(t.TempDir(), "absent")})
	m.AddFLOPs(1e9)
	m.AddFLOPs(5e8)
	x := 0.0
	for i := range 20_000_000 { // burn some CPU
		x += math.Sqrt(float64(i))
	}
	r := m.Read()
	if r.FLOPs != 1.5e9 || r.Measured() || x == 0 {
		t.Fatalf("reading %+v: want 1.5e9 FLOPs, estimated", r)
	}
	if r.CPUSeconds <= 0 || r.EnergyJoules != r.CPUSeconds*12 {
		t.Errorf("estimate %g J from %g cpu_s at 12 W per core", r.EnergyJoules, r.CPUSeconds)
	}
	if !strings.HasPrefix(r.EnergySource, "estimated: ") || !strings.HasSuffix(r.EnergySource, " cpu_s × 12 W per core") {
		t.Errorf("source %q", r.EnergySource)
	}
	if want := r.EnergyJoules / 3.6e6 * 300; r.CO2eGrams != want || r.GridGramsPerKWh != 300 {
		t.Errorf("co2e %g g at %g g/kWh, want %g", r.CO2eGrams, r.GridGramsPerKWh, want)
	}
}

func TestCO2eAndDefaults(t *testing.T) {
	if got := CO2eGrams(3.6e6, 475); got != 475 {
		t.Errorf("1 kWh at 475 g/kWh = %g g", got)
	}
	if got := EstimateJoules(12.5, 10); got != 125 {
		t.Errorf("12.5 cpu_s × 10 W = %g J", got)
	}
	m := Start(Options{PowercapRoot: t.TempDir()})
	if o := m.Options(); o.CoreWatts != DefaultCoreWatts || o.GridGramsPerKWh != DefaultGridGramsPerKWh {
		t.Errorf("zero options became %+v", o)
	}
	if err := (Options{CoreWatts: -1}).Validate(); err == nil || !strings.Contains(err.Error(), "CoreWatts") {
		t.Errorf("negative CoreWatts: %v", err)
	}
}

// Two packages, one wrapping between reads; subdomains and psys are not added.
func TestRAPLPackagesWithWrap(t *testing.T) {
	root := t.TempDir()
	fakeDomain(t, root, "intel-rapl:0", "package-0", 1_000_000, 10_000_000)
	fakeDomain(t, root, "intel-rapl:0:0", "core", 500_000, 10_000_000)
	fakeDomain(t, root, "intel-rapl:1", "package-1", 9_000_000, 10_000_000)
	fakeDomain(t, root, "intel-rapl:2", "psys", 0, 10_000_000)
	m := Start(Options{CoreWatts: 10, GridGramsPerKWh: 475, PowercapRoot: root})
	setEnergy(t, root, "intel-rapl:0", 3_000_000)   // +2 J
	setEnergy(t, root, "intel-rapl:1", 500_000)     // wrapped: +1.5 J
	setEnergy(t, root, "intel-rapl:0:0", 9_000_000) // ignored
	setEnergy(t, root, "intel-rapl:2", 9_000_000)   // ignored
	r := m.Read()
	if !r.Measured() || r.EnergyJoules != 3.5 {
		t.Fatalf("reading %+v: want 3.5 J measured", r)
	}
	if r.EnergySource != "measured: RAPL package-0+package-1 (whole CPU package, every process)" {
		t.Errorf("source %q", r.EnergySource)
	}
	if math.Abs(r.CO2eGrams-3.5/3.6e6*475) > 1e-15 {
		t.Errorf("co2e %g", r.CO2eGrams)
	}
	// Cumulative: a second wrap of package-1 after the first read is counted too.
	setEnergy(t, root, "intel-rapl:1", 100_000) // +9.6 J
	if r := m.Read(); math.Abs(r.EnergyJoules-13.1) > 1e-9 {
		t.Errorf("after a second wrap: %g J, want 13.1", r.EnergyJoules)
	}
	// Unreadable later: the estimate, labelled as such.
	if err := os.Remove(filepath.Join(root, "intel-rapl:0", "energy_uj")); err != nil {
		t.Fatal(err)
	}
	if r := m.Read(); r.Measured() {
		t.Errorf("counter gone, still %q", r.EnergySource)
	}
}

func TestRAPLUnreadableFallsBack(t *testing.T) {
	root := t.TempDir()
	fakeDomain(t, root, "intel-rapl:0", "package-0", 1, 10)
	if err := os.Chmod(filepath.Join(root, "intel-rapl:0", "energy_uj"), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := os.ReadFile(filepath.Join(root, "intel-rapl:0", "energy_uj")); err == nil {
		t.Skip("running as root: permissions do not stop reads")
	}
	if r := Start(Options{PowercapRoot: root}).Read(); r.Measured() {
		t.Errorf("unreadable counter measured: %q", r.EnergySource)
	}
}
