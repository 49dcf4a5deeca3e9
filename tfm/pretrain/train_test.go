package pretrain

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tfm-course/course/tfm/encoder"
	"github.com/tfm-course/course/tfm/modality"
	tfm "github.com/tfm-course/course/tfm/model"
)

func tinyOptions(paradigm, modality string, steps int) Options {
	o := DefaultOptions()
	o.Paradigm, o.Modality, o.Steps, o.BatchSize = paradigm, modality, steps, 16
	o.LearningRate, o.WarmupSteps = 3e-3, 5
	o.Encoder = encoder.DefaultConfig()
	if err := o.Encoder.Set("layers=1;dim=32;heads=2;ffn=64;maxlen=32"); err != nil {
		panic(err)
	}
	o.Contrastive.ProjDim = 32
	return o
}

func TestEachParadigmLowersLoss(t *testing.T) {
	be := testBackend(t)
	ds := toyCity(120, 1)
	for _, c := range []struct{ paradigm, modality, balance string }{
		{"contrastive", "gps", ""},
		{"contrastive", "grid", "moco"},
		{"generative", "gps", ""},
		{"generative", "grid", ""},
		{"hybrid", "gps", "gradnorm"},
		{"hybrid", "grid", "dwa"},
		{"hybrid", "gps", "uncertainty"},
		{"causal", "gps", ""},
	} {
		opt := tinyOptions(c.paradigm, c.modality, 40)
		if c.balance == "moco" {
			opt.Contrastive.Queue = 64
		} else if c.balance != "" {
			opt.Hybrid.Balance = c.balance
		}
		res, err := Train(context.Background(), be, ds, opt)
		if err != nil {
			t.Fatalf("%s/%s: %v", c.paradigm, c.modality, err)
		}
		t.Logf("%s/%s %s: first %.4f last %.4f terms %v (%.1f steps/s)", c.paradigm, c.modality, c.balance,
			res.FirstLoss, res.LastLoss, res.Terms, res.StepsPerSecond)
		if !(res.LastLoss < res.FirstLoss) || res.Steps != 40 {
			t.Errorf("%s/%s: loss %.4f → %.4f after %d steps, want a decrease", c.paradigm, c.modality, res.FirstLoss, res.LastLoss, res.Steps)
		}
		if c.paradigm == "hybrid" && (res.Terms["w_gen"] <= 0 || res.Terms["w_con"] <= 0) {
			t.Errorf("hybrid weights not logged: %v", res.Terms)
		}
	}
}

const resumeSteps = 24

// The helper process trains until killed (see TestResumeAfterKill).
func TestHelperTrainUntilKilled(t *testing.T) {
	dir := os.Getenv("TFM_PRETRAIN_HELPER_DIR")
	if dir == "" {
		t.Skip("helper process only")
	}
	opt := tinyOptions("generative", "gps", resumeSteps)
	opt.CheckpointDir, opt.CheckpointEvery = dir, 5
	opt.OnStep = func(StepMetrics) { time.Sleep(100 * time.Millisecond) } // be killed mid-run
	_, err := Train(context.Background(), testBackend(t), toyCity(60, 2), opt)
	t.Fatalf("helper was not killed: %v", err)
}

func readLog(t *testing.T, dir string) []StepMetrics {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, MetricsFile))
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []StepMetrics
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var sm StepMetrics
		if json.Unmarshal(sc.Bytes(), &sm) == nil {
			out = append(out, sm)
		}
	}
	return out
}

// Kill a training process mid-run (SIGKILL: no chance to save), resume
// from its last checkpoint, and check the metrics log has every step once
// and the same losses as an uninterrupted run (determinism under the seed).
func TestResumeAfterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a subprocess")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperTrainUntilKilled$")
	cmd.Env = append(os.Environ(), "TFM_PRETRAIN_HELPER_DIR="+dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for len(readLog(t, dir)) < 13 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	logged := len(readLog(t, dir))
	if logged < 13 {
		t.Fatalf("helper logged only %d steps in 60 s", logged)
	}

	const total = resumeSteps
	be := testBackend(t)
	opt := tinyOptions("generative", "gps", total)
	opt.CheckpointDir, opt.CheckpointEvery = dir, 5
	res, err := Train(context.Background(), be, toyCity(60, 2), opt)
	if err != nil {
		t.Fatal(err)
	}
	if res.StartStep == 0 || res.StartStep%5 != 0 || res.StartStep > logged {
		t.Fatalf("resumed from step %d (killed after %d logged steps, checkpoints every 5)", res.StartStep, logged)
	}
	log := readLog(t, dir)
	if len(log) != total {
		t.Fatalf("metrics log has %d lines, want %d", len(log), total)
	}
	for i, sm := range log {
		if sm.Step != i+1 {
			t.Fatalf("log line %d is step %d: lost or repeated steps", i, sm.Step)
		}
	}

	// Same run without interruption.
	opt.CheckpointDir = t.TempDir()
	ref, err := Train(context.Background(), be, toyCity(60, 2), opt)
	if err != nil {
		t.Fatal(err)
	}
	for i, sm := range readLog(t, opt.CheckpointDir) {
		if sm.Loss != log[i].Loss { // exactly: batches, augmentations, optimiser state and schedule are restored
			t.Fatalf("step %d: loss %.6f resumed vs %.6f uninterrupted", sm.Step, log[i].Loss, sm.Loss)
		}
	}
	if ref.Steps != total || res.Steps != total {
		t.Fatalf("steps %d / %d, want %d", res.Steps, ref.Steps, total)
	}
}

func TestInterruptSavesCheckpoint(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	opt := tinyOptions("contrastive", "gps", 100)
	opt.CheckpointDir, opt.CheckpointEvery = dir, 1000
	opt.OnStep = func(sm StepMetrics) {
		if sm.Step == 7 {
			cancel()
		}
	}
	res, err := Train(ctx, testBackend(t), toyCity(40, 3), opt)
	if !errors.Is(err, ErrInterrupted) || res.Steps != 7 {
		t.Fatalf("Train = step %v, %v; want an interruption at step 7", res, err)
	}
	m, err := tfm.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	emb, err := m.Embed(toyCity(5, 9).Trajectories)
	if err != nil || emb.Rows != 5 || emb.Cols != 32 {
		t.Fatalf("Embed: %d×%d, %v", emb.Rows, emb.Cols, err)
	}
}

// MoCo: the key encoder mirrors every encoder variable, is not trained by
// the optimiser, and trails the query encoder (close, not equal).
func TestMoCoKeyEncoder(t *testing.T) {
	opt := tinyOptions("contrastive", "gps", 8)
	opt.Contrastive.Queue, opt.Contrastive.Momentum = 32, 0.9
	res, err := Train(context.Background(), testBackend(t), toyCity(40, 4), opt)
	if err != nil {
		t.Fatal(err)
	}
	store := res.Model.Store
	n := 0
	for v := range store.Scope("/" + KeyEncoderScope).IterVariables() {
		n++
		if v.Trainable {
			t.Fatalf("key variable %s is trainable", v.Name())
		}
		q := store.GetVariable(strings.Replace(v.Scope(), "/"+KeyEncoderScope, "/"+tfm.EncoderScope, 1) + "/" + v.Name())
		if q == nil {
			t.Fatalf("key variable %s/%s has no query twin", v.Scope(), v.Name())
		}
	}
	if n == 0 {
		t.Fatal("no key-encoder variables")
	}
}

// Continued pre-training: Options.Model is trained further in place (its
// fitted modality is kept), the checkpoint reloads to the trained weights,
// and a model of other modalities is refused.
func TestTrainGivenModel(t *testing.T) {
	be := testBackend(t)
	ds := toyCity(60, 5)
	opt := tinyOptions("generative", "gps", 30)
	m, err := tfm.Fit(be, opt.Encoder, 4, modality.Source{Trajectories: ds.Trajectories}, "gps")
	if err != nil {
		t.Fatal(err)
	}
	probe := toyCity(6, 10).Trajectories
	before, err := m.Embed(probe)
	if err != nil {
		t.Fatal(err)
	}
	gpsBefore := m.Primary().Modality
	opt.Model, opt.CheckpointDir = m, t.TempDir()
	res, err := Train(context.Background(), be, ds, opt)
	if err != nil {
		t.Fatal(err)
	}
	if res.Model != m || m.Primary().Modality != gpsBefore || m.Meta.Paradigm != "generative" {
		t.Fatalf("Train did not train the given model in place (got %p, want %p; paradigm %q)", res.Model, m, m.Meta.Paradigm)
	}
	if !(res.LastLoss < res.FirstLoss) || res.Steps != 30 {
		t.Errorf("continued pre-training: loss %.4f → %.4f after %d steps", res.FirstLoss, res.LastLoss, res.Steps)
	}
	after, err := m.Embed(probe)
	if err != nil {
		t.Fatal(err)
	}
	changed := false
	for i := range after.Data {
		changed = changed || after.Data[i] != before.Data[i]
	}
	if !changed {
		t.Fatal("training did not change the given model's embeddings")
	}
	loaded, err := tfm.LoadOn(be, opt.CheckpointDir)
	if err != nil {
		t.Fatal(err)
	}
	again, err := loaded.Embed(probe)
	if err != nil {
		t.Fatal(err)
	}
	for i := range after.Data {
		if d := after.Data[i] - again.Data[i]; d > 1e-4 || d < -1e-4 {
			t.Fatalf("reloaded checkpoint embeds %v, the trained model %v (value %d)", again.Data[i], after.Data[i], i)
		}
	}

	wrong := tinyOptions("generative", "grid", 5)
	wrong.Model = m
	if _, err := Train(context.Background(), be, ds, wrong); err == nil || !strings.Contains(err.Error(), "gps") {
		t.Errorf("training a gps model as grid: %v, want an error naming its modality", err)
	}
}
