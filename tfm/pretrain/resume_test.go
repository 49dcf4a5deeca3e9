package pretrain

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tfm "github.com/tfm-course/course/tfm/model"
)

// Out-of-range options are errors naming the field, not graph panics.
func TestOptionsValidate(t *testing.T) {
	for _, c := range []struct {
		set  func(*Options)
		want string
	}{
		{func(o *Options) { o.LearningRate = -0.01 }, "LearningRate"},
		{func(o *Options) { o.Contrastive.Temperature = 0 }, "Contrastive.Temperature"},
		{func(o *Options) { o.Contrastive.Temperature = -1 }, "Contrastive.Temperature"},
		{func(o *Options) { o.Paradigm, o.Generative.MaskRatio = "generative", 1.5 }, "Generative.MaskRatio"},
		{func(o *Options) { o.Paradigm, o.Generative.MaskRatio = "generative", -0.5 }, "Generative.MaskRatio"},
		{func(o *Options) { o.Paradigm, o.Hybrid.Lambda = "hybrid", -3 }, "Hybrid.Lambda"},
		{func(o *Options) { o.WarmupSteps = -1 }, "WarmupSteps"},
	} {
		o := tinyOptions("contrastive", "gps", 3)
		c.set(&o)
		_, err := Train(context.Background(), testBackend(t), toyCity(20, 1), o)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v", c.want, err)
		}
	}
}

// snapshot reads every file of dir (recursively) into a map.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if info.IsDir() {
			out[rel+"/"] = ""
			return nil
		}
		b, err := os.ReadFile(p)
		out[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameDir(t *testing.T, before, after map[string]string) {
	t.Helper()
	for k, v := range before {
		if w, ok := after[k]; !ok || w != v {
			t.Errorf("%s changed by a failed resume", k)
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			t.Errorf("%s written by a failed resume", k)
		}
	}
}

// A resumed run refuses settings that differ from the checkpoint's (naming
// old and new values) unless they are listed in Options.Change, which logs
// the change; a failed resume leaves the directory as it was.
func TestResumeRefusesChangedSettings(t *testing.T) {
	be := testBackend(t)
	ds := toyCity(40, 1)
	dir := t.TempDir()
	opt := tinyOptions("contrastive", "gps", 4)
	opt.CheckpointDir, opt.CheckpointEvery = dir, 2
	if _, err := Train(context.Background(), be, ds, opt); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	for _, c := range []struct {
		set  func(*Options)
		want string
	}{
		{func(o *Options) { o.LearningRate = 0.5 }, "lr: the checkpoint's run has 0.003, now 0.5"},
		{func(o *Options) { o.Contrastive.Temperature = 5 }, "temperature: the checkpoint's run has 0.1, now 5"},
		{func(o *Options) { o.BatchSize = 8 }, "batch"},
		{func(o *Options) { o.Seed = 9 }, "seed"},
		{func(o *Options) { o.Contrastive.Queue = 16 }, "queue"},
		{func(o *Options) { _ = o.Encoder.Set("dim=16") }, "set"},
		{func(o *Options) { o.Data = "elsewhere" }, "data"},
		{func(o *Options) { o.Steps = 9 }, "Extend"},
		{func(o *Options) { o.Encoder.Dim = 16; o.Change = []string{"set"} }, "cannot change"},
	} {
		o := opt
		o.Steps = 6
		c.set(&o)
		_, err := Train(context.Background(), be, ds, o)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want %q: err %v", c.want, err)
		}
		sameDir(t, before, snapshot(t, dir))
	}
	// Asked for: the change is applied, reported and logged.
	o := opt
	o.LearningRate, o.Change = 1e-3, []string{"lr"}
	o.Steps = 4 // a finished run: the new rate starts a new phase, to its end
	if _, err := Train(context.Background(), be, ds, o); err != nil {
		t.Fatal(err)
	}
	o.Steps, o.Extend, o.LearningRate = 6, true, 2e-3
	o.Change = []string{"lr"}
	res, err := Train(context.Background(), be, ds, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != 1 || res.Changes[0] != (Change{Setting: "lr", From: "0.001", To: "0.002", Step: 4}) {
		t.Fatalf("changes %+v", res.Changes)
	}
	md, _, err := tfm.ReadMeta(dir)
	if err != nil || md.Run == nil || md.Run.Settings["lr"] != "0.002" {
		t.Fatalf("recorded settings %+v, %v", md.Run, err)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, MetricsFile))
	if !strings.Contains(string(raw), `"changes":[{"setting":"lr","from":"0.001","to":"0.002","step":4}]`) {
		t.Fatalf("change not in the metrics log:\n%s", raw)
	}
}

// Extending a finished run is explicit and starts a new schedule phase; an
// interrupted run resumed with the same steps continues its phase.
func TestResumeExtendSchedule(t *testing.T) {
	be := testBackend(t)
	ds := toyCity(40, 1)
	dir := t.TempDir()
	opt := tinyOptions("contrastive", "gps", 6)
	opt.CheckpointDir, opt.CheckpointEvery = dir, 3
	res, err := Train(context.Background(), be, ds, opt)
	if err != nil {
		t.Fatal(err)
	}
	lr := opt.LearningRate
	if res.Schedule != (tfm.Phase{Start: 0, End: 6, Warmup: 5, LR: lr, MinLR: lr / 10}) {
		t.Fatalf("schedule %+v", res.Schedule)
	}
	opt.Steps = 10
	if _, err := Train(context.Background(), be, ds, opt); err == nil || !strings.Contains(err.Error(), "Extend") {
		t.Fatalf("a longer horizon without Extend: %v", err)
	}
	opt.Extend = true
	res, err = Train(context.Background(), be, ds, opt)
	if err != nil {
		t.Fatal(err)
	}
	if res.Schedule != (tfm.Phase{Start: 6, End: 10, Warmup: 0, LR: lr, MinLR: lr / 10}) || !res.Extended || res.Steps != 10 {
		t.Fatalf("extended: schedule %+v extended %v steps %d", res.Schedule, res.Extended, res.Steps)
	}
	md, _, _ := tfm.ReadMeta(dir)
	if len(md.Run.Schedule) != 2 {
		t.Fatalf("recorded schedule %+v", md.Run.Schedule)
	}
	log := readLog(t, dir)
	if log[6].Phase == nil || *log[6].Phase != res.Schedule || log[0].Phase == nil || log[1].Phase != nil {
		t.Fatalf("phases not logged at their first step: %+v %+v %+v", log[0].Phase, log[1].Phase, log[6].Phase)
	}
	// A 4-step phase warms up over at most a fifth of its steps (none): it
	// starts at the peak and decays.
	if log[5].LR != lr || log[6].LR != lr || !(log[7].LR < log[6].LR) {
		t.Fatalf("lr at steps 6, 7, 8: %v %v %v (the new phase starts at its peak and decays)", log[5].LR, log[6].LR, log[7].LR)
	}
}

// A garbage line inside metrics.jsonl is refused with file:line; a torn last
// line (a crash mid-write) is dropped with a warning.
func TestResumeGarbageMetricsLine(t *testing.T) {
	be := testBackend(t)
	ds := toyCity(40, 1)
	dir := t.TempDir()
	opt := tinyOptions("contrastive", "gps", 4)
	opt.CheckpointDir, opt.CheckpointEvery = dir, 2
	if _, err := Train(context.Background(), be, ds, opt); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, MetricsFile)
	raw, _ := os.ReadFile(path)
	lines := strings.SplitAfter(string(raw), "\n")
	torn := strings.Join(lines[:4], "") + `{"step":5,"lo`
	if err := os.WriteFile(path, []byte(torn), 0o644); err != nil {
		t.Fatal(err)
	}
	opt.Steps, opt.Extend = 5, true
	var warn strings.Builder
	opt.Progress = &warn
	if _, err := Train(context.Background(), be, ds, opt); err != nil {
		t.Fatalf("torn last line: %v", err)
	}
	if !strings.Contains(warn.String(), "metrics.jsonl:5: dropped a torn last line") {
		t.Errorf("no warning for the torn line: %q", warn.String())
	}
	raw, _ = os.ReadFile(path)
	lines = strings.SplitAfter(string(raw), "\n")
	bad := lines[0] + "garbage\n" + strings.Join(lines[1:], "")
	if err := os.WriteFile(path, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	opt.Steps, opt.Progress = 6, nil
	_, err := Train(context.Background(), be, ds, opt)
	if err == nil || !strings.Contains(err.Error(), "metrics.jsonl:2:") {
		t.Fatalf("garbage line: %v", err)
	}
}

// A directory holding checkpoints but no tfm.json is refused before
// anything is written.
func TestResumeWithoutMetaRefused(t *testing.T) {
	be := testBackend(t)
	ds := toyCity(40, 1)
	dir := t.TempDir()
	opt := tinyOptions("contrastive", "gps", 2)
	opt.CheckpointDir, opt.CheckpointEvery = dir, 1
	if _, err := Train(context.Background(), be, ds, opt); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, tfm.MetaFile)); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	_ = opt.Encoder.Set("dim=16")
	opt.Steps = 4
	_, err := Train(context.Background(), be, ds, opt)
	if err == nil || !strings.Contains(err.Error(), "no tfm.json") {
		t.Fatalf("err %v", err)
	}
	sameDir(t, before, snapshot(t, dir))
}

// Two runs with one seed and the same options log identical losses.
func TestTrainDeterministic(t *testing.T) {
	be := testBackend(t)
	ds := toyCity(40, 1)
	var logs [2][]StepMetrics
	for i := range logs {
		opt := tinyOptions("contrastive", "gps", 5)
		opt.CheckpointDir = t.TempDir()
		if _, err := Train(context.Background(), be, ds, opt); err != nil {
			t.Fatal(err)
		}
		logs[i] = readLog(t, opt.CheckpointDir)
	}
	for i := range logs[0] {
		if logs[0][i].Loss != logs[1][i].Loss || logs[0][i].LR != logs[1][i].LR {
			t.Fatalf("step %d: loss %v vs %v", i+1, logs[0][i].Loss, logs[1][i].Loss)
		}
	}
}
