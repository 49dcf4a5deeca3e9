package pretrain

import (
	"bufio"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/tfm-course/course/tfm/modality"
	tfm "github.com/tfm-course/course/tfm/model"
)

func TestStepFLOPsByParadigm(t *testing.T) {
	ds := toyCity(40, 1)
	opt := tinyOptions("contrastive", "gps", 4)
	m, err := tfm.Fit(testBackend(t), opt.Encoder, 1, modality.Source{Trajectories: ds.Trajectories}, "gps")
	if err != nil {
		t.Fatal(err)
	}
	step := func(paradigm string, queue int) float64 {
		o := opt
		o.Paradigm, o.Contrastive.Queue = paradigm, queue
		return StepFLOPs(o, m)
	}
	row := m.Primary().Encoder.FLOPs(32).Forward
	B := float64(opt.BatchSize)
	if got := step("causal", 0); got != 3*B*row {
		t.Errorf("causal %g, want 3·B·row = %g", got, 3*B*row)
	}
	// Hybrid encodes the rows of both and trains both heads.
	con, gen, hyb := step("contrastive", 0), step("generative", 0), step("hybrid", 0)
	if math.Abs(hyb-(con+gen)) > 1e-6*hyb || con <= 2*3*B*row || gen <= 3*B*row {
		t.Errorf("contrastive %g + generative %g ≠ hybrid %g (row %g)", con, gen, hyb, row)
	}
	// MoCo trains one view and only runs the other forward.
	if moco := step("contrastive", 64); !(moco < con && moco > 4*B*row) {
		t.Errorf("moco %g, SimCLR %g", moco, con)
	}
}

// The run's cost is in the Result and, cumulatively, in every line of the
// metrics log, also across a resume.
func TestTrainReportsCost(t *testing.T) {
	be := testBackend(t)
	ds := toyCity(40, 1)
	dir := t.TempDir()
	opt := tinyOptions("contrastive", "gps", 3)
	opt.CheckpointDir = dir
	opt.Energy.GridGramsPerKWh = 100
	res, err := Train(context.Background(), be, ds, opt)
	if err != nil {
		t.Fatal(err)
	}
	if res.StepFLOPs <= 0 || res.FLOPs != 3*res.StepFLOPs || res.CPUSeconds <= 0 || res.EnergyJoules <= 0 ||
		res.EnergySource == "" || res.GridGramsPerKWh != 100 || math.Abs(res.CO2eGrams-res.EnergyJoules/3.6e6*100) > 1e-12 {
		t.Fatalf("cost %+v (step %g FLOPs)", res.Reading, res.StepFLOPs)
	}
	raw, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var flat map[string]any
	_ = json.Unmarshal(raw, &flat)
	for _, k := range []string{"flops", "cpu_seconds", "energy_joules", "energy_source", "co2e_grams", "grid_g_per_kwh", "step_flops"} {
		if _, ok := flat[k]; !ok {
			t.Errorf("result JSON has no %q: %s", k, raw)
		}
	}
	opt.Steps, opt.Extend = 5, true
	res2, err := Train(context.Background(), be, ds, opt)
	if err != nil {
		t.Fatal(err)
	}
	if res2.FLOPs != 2*res2.StepFLOPs {
		t.Errorf("resumed run counted %g FLOPs, want its own 2 steps (%g)", res2.FLOPs, 2*res2.StepFLOPs)
	}
	f, err := os.Open(filepath.Join(dir, MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var prev StepMetrics
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var sm StepMetrics
		if err := json.Unmarshal(sc.Bytes(), &sm); err != nil {
			t.Fatal(err)
		}
		if sm.FLOPs != float64(sm.Step)*res.StepFLOPs || sm.CPUSeconds < prev.CPUSeconds || sm.EnergyJoules < prev.EnergyJoules || sm.EnergyJoules <= 0 {
			t.Errorf("step %d: flops %g cpu %g J %g after %+v", sm.Step, sm.FLOPs, sm.CPUSeconds, sm.EnergyJoules, prev)
		}
		prev = sm
	}
	if prev.Step != 5 {
		t.Errorf("log ends at step %d", prev.Step)
	}
}
