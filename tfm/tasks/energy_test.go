package tasks

import (
	"encoding/json"
	"strings"
	"testing"
)

// Evaluate reports its cost: the fine-tuning rows (×3: forward +
// backward) and the test rows run forward, at the encoder's counted FLOPs.
func TestEvaluateReportsCost(t *testing.T) {
	ts := modedWalks(60, 1)
	opt := QuickOptions("classify")
	opt.Encoder = smallEncoderConfig()
	opt.FineTune.Steps, opt.FineTune.BatchSize = 5, 8
	opt.Energy.CoreWatts = 7
	res, err := Evaluate(nil, ts, opt)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewScratch(opt.Encoder, ts, 1)
	if err != nil {
		t.Fatal(err)
	}
	row := m.RowFLOPs()
	want := (3*5*8 + float64(res.Test)) * row // fine-tuning, then the test set in one padded batch
	c := res.Cost
	if c.FLOPs != want || c.CPUSeconds <= 0 || c.EnergyJoules <= 0 || c.CO2eGrams <= 0 {
		t.Fatalf("cost %+v; want %g FLOPs (%g a row)", c, want, row)
	}
	if !c.Measured() && c.EnergyJoules != 7*c.CPUSeconds {
		t.Errorf("estimate %g J from %g cpu_s at 7 W", c.EnergyJoules, c.CPUSeconds)
	}
	raw, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{`"flops":`, `"cpu_seconds":`, `"energy_joules":`, `"energy_source":"`, `"co2e_grams":`, `"grid_g_per_kwh":475`} {
		if !strings.Contains(string(raw), k) {
			t.Errorf("JSON has no %s: %s", k, raw)
		}
	}
}
