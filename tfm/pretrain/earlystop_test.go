package pretrain

import (
	"context"
	"strings"
	"testing"
)

func TestEarlyStopStopsBeforeSteps(t *testing.T) {
	opt := tinyOptions("generative", "gps", 200)
	opt.LearningRate = 3e-2 // noisy: the validation loss soon stops improving
	opt.EarlyStop = EarlyStop{Every: 2, Patience: 2, ValFrac: 0.2}
	opt.CheckpointDir = t.TempDir()
	res, err := Train(context.Background(), testBackend(t), toyCity(80, 1), opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("stopped at %d, best step %d val %.4f", res.Steps, res.BestStep, res.ValLoss)
	if !res.EarlyStopped || res.Steps >= 200 || res.BestStep <= 0 || res.Steps-res.BestStep != 2*2 || res.ValLoss <= 0 {
		t.Fatalf("early stopped %v at step %d, best %d (%g)", res.EarlyStopped, res.Steps, res.BestStep, res.ValLoss)
	}
	if res.FLOPs != float64(res.Steps)*res.StepFLOPs {
		t.Errorf("flops %g after %d steps of %g", res.FLOPs, res.Steps, res.StepFLOPs)
	}
	for _, sm := range readLog(t, opt.CheckpointDir) {
		if (sm.ValLoss != nil) != (sm.Step%2 == 0) {
			t.Errorf("step %d: val_loss %v", sm.Step, sm.ValLoss)
		}
		if sm.Step == res.BestStep && *sm.ValLoss != res.ValLoss {
			t.Errorf("best step's val_loss %v, result %v", *sm.ValLoss, res.ValLoss)
		}
	}
}

func TestParseEarlyStop(t *testing.T) {
	e, err := ParseEarlyStop("every=50,patience=4,val=0.2")
	if err != nil || e != (EarlyStop{Every: 50, Patience: 4, ValFrac: 0.2}) || e.String() != "every=50,patience=4,val=0.2" {
		t.Fatalf("%+v %v", e, err)
	}
	if e, err := ParseEarlyStop("every=10"); err != nil || e.Patience != 3 || e.ValFrac != 0.1 {
		t.Errorf("defaults: %+v %v", e, err)
	}
	for spec, want := range map[string]string{"every=0": "every ≥ 1", "every=5,val=1": "ValFrac", "every=5,patience=0": "Patience",
		"every=5,colour=red": "unknown key", "every": "key=value"} {
		if _, err := ParseEarlyStop(spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", spec, err, want)
		}
	}
}

// Every paradigm has a validation loss that runs without touching the training state.
func TestValidationLossEachParadigm(t *testing.T) {
	be := testBackend(t)
	ds := toyCity(60, 1)
	for _, c := range []struct {
		paradigm string
		queue    int
	}{{"contrastive", 0}, {"contrastive", 16}, {"hybrid", 0}, {"causal", 0}} {
		opt := tinyOptions(c.paradigm, "gps", 4)
		opt.Contrastive.Queue = c.queue
		opt.EarlyStop = EarlyStop{Every: 2, Patience: 5, ValFrac: 0.25}
		res, err := Train(context.Background(), be, ds, opt)
		if err != nil {
			t.Fatalf("%s (queue %d): %v", c.paradigm, c.queue, err)
		}
		if res.BestStep == 0 || res.ValLoss <= 0 || res.EarlyStopped || res.Steps != 4 {
			t.Errorf("%s (queue %d): best step %d val %g stopped %v at %d", c.paradigm, c.queue, res.BestStep, res.ValLoss, res.EarlyStopped, res.Steps)
		}
	}
}
