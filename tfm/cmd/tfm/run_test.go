package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/pretrain"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// tfmBinary builds the CLI once per test process (TFM_TEST_BINARY: use
// that binary instead, e.g. an older build to see a test fail).
func tfmBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		if b := os.Getenv("TFM_TEST_BINARY"); b != "" {
			binPath = b
			return
		}
		dir, err := os.MkdirTemp("", "tfm-bin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "tfm")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			t.Logf("%s", out)
			binErr = err
		}
	})
	if binErr != nil {
		t.Fatalf("go build: %v", binErr)
	}
	return binPath
}

// tinyRun is a pre-training run small enough to take a second or two.
var tinyRun = []string{"pretrain", "--data", "synthetic:seed=1,trajectories=40", "--set", "layers=1;dim=16;heads=2;ffn=32;maxlen=16",
	"--batch", "8", "--diagnose", "0"}

// stepLines reads metrics.jsonl: step, loss, terms, lr and the counted
// FLOPs of each line (not the wall time, CPU seconds or energy).
func stepLines(t *testing.T, dir string) []pretrain.StepMetrics {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, pretrain.MetricsFile))
	if err != nil {
		return nil
	}
	var out []pretrain.StepMetrics
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		var sm pretrain.StepMetrics
		if json.Unmarshal(sc.Bytes(), &sm) == nil {
			sm.Seconds, sm.CPUSeconds, sm.EnergyJoules = 0, 0, 0
			out = append(out, sm)
		}
	}
	return out
}

func sameLosses(t *testing.T, got, want []pretrain.StepMetrics) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("metrics log has %d lines, the uninterrupted run's %d", len(got), len(want))
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("line %d: %+v, uninterrupted %+v", i+1, got[i], want[i])
		}
	}
}

// The fault-injection test: a pre-training run is killed with SIGKILL at
// ten seeded points and resumed each time; after every kill the checkpoint
// on disk loads, and the finished run's metrics log and weights equal an
// uninterrupted run's exactly.
func TestPretrainKilledTenTimes(t *testing.T) {
	bin := tfmBinary(t)
	const steps = 40
	args := append(slices.Clone(tinyRun), "--steps", "40", "--every", "1", "--quiet", "--json")
	ref := t.TempDir()
	if out, err := exec.Command(bin, append(args, "--checkpoint", ref)...).CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted run: %v\n%s", err, out)
	}
	want := stepLines(t, ref)

	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(19, 1))
	kills := rng.Perm(steps - 2)[:10]
	slices.Sort(kills)
	for i, k := range kills {
		k++ // kill once the log reaches step k (1 … steps-2)
		cmd := exec.Command(bin, append(args, "--checkpoint", dir)...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		deadline := time.After(30 * time.Second)
	wait:
		for {
			select {
			case err := <-done:
				t.Fatalf("kill %d: the run ended before step %d: %v", i, k, err)
			case <-deadline:
				t.Fatalf("kill %d: no step %d in 30 s", i, k)
			case <-time.After(time.Millisecond):
				if n := len(stepLines(t, dir)); n >= k {
					break wait
				}
			}
		}
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-done
		if has, _ := tfm.HasCheckpoint(dir); has {
			if _, err := tfm.Load(dir); err != nil {
				t.Fatalf("kill %d at step ≥ %d: checkpoint unreadable: %v", i, k, err)
			}
		}
		if _, ok, err := tfm.ReadMeta(dir); err != nil || !ok {
			t.Fatalf("kill %d: %s unreadable: %v", i, tfm.MetaFile, err)
		}
	}
	out, err := exec.Command(bin, append(args, "--checkpoint", dir)...).Output()
	if err != nil {
		t.Fatalf("final resume: %v", err)
	}
	var res pretrain.Result
	lastJSONInto(t, string(out), &res)
	if res.Steps != steps || res.StartStep == 0 {
		t.Fatalf("final resume: %+v", res)
	}
	sameLosses(t, stepLines(t, dir), want)
	a, err := tfm.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := tfm.Load(ref)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for v := range b.Store.IterVariables() {
		if strings.HasPrefix(v.Path(), "/metrics/") {
			continue // the train loop's moving averages (per-process names), not the model
		}
		w := a.Store.GetVariable(v.Path())
		if w == nil || !reflect.DeepEqual(w.MustValue().Value(), v.MustValue().Value()) {
			t.Fatalf("variable %s differs from the uninterrupted run's", v.Path())
		}
		n++
	}
	if n == 0 {
		t.Fatal("no variables compared")
	}
}

// An interrupted run is not a finished one: SIGINT exits non-zero with and
// without --json (which still prints "interrupted": true), and without
// --checkpoint says that nothing was saved.
func TestPretrainInterruptExitsNonZero(t *testing.T) {
	bin := tfmBinary(t)
	for _, c := range []struct {
		name string
		ckpt bool
		json bool
		say  string
	}{
		{"json+checkpoint", true, true, "checkpoint saved in"},
		{"text+checkpoint", true, false, "checkpoint saved in"},
		{"json, no checkpoint", false, true, "nothing was saved"},
	} {
		args := append(slices.Clone(tinyRun), "--steps", "100000", "--every", "1000")
		dir := t.TempDir()
		if c.ckpt {
			args = append(args, "--checkpoint", dir)
		}
		if c.json {
			args = append(args, "--json")
		}
		cmd := exec.Command(bin, args...)
		var stdout, stderr syncBuffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for !strings.Contains(stderr.String(), "loss=") && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		_ = cmd.Process.Signal(os.Interrupt)
		err := cmd.Wait()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() == 0 {
			t.Errorf("%s: exit %v, want non-zero", c.name, err)
		}
		if !strings.Contains(stderr.String(), c.say) {
			t.Errorf("%s: stderr does not say %q: %q", c.name, c.say, stderr.String())
		}
		if c.json {
			got := lastJSON(t, stdout.String())
			if got["interrupted"] != true {
				t.Errorf("%s: JSON %v lacks interrupted: true", c.name, got)
			}
		}
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
