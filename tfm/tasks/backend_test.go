package tasks

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The probes, fine-tuning and experiments follow $GOMLX_BACKEND (tfm/backend's
// choice), not a hard-wired Go backend: a backend that cannot start here is
// refused with its name, in a child process (the shared backend starts once).
func TestDefaultBackendFollowsEnv(t *testing.T) {
	if os.Getenv("TFM_TASKS_CHILD") == "1" {
		x, _ := NewMatrix([][]float32{{0}, {1}, {2}, {3}})
		_, err := TrainRegressionProbe(x, []float64{0, 1, 2, 3}, LinearProbeConfig())
		t.Fatalf("probe fitted on an unavailable backend (err %v)", err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestDefaultBackendFollowsEnv$")
	cmd.Env = append(os.Environ(), "TFM_TASKS_CHILD=1", "GOMLX_BACKEND=xla:cuda", "PJRT_PLUGIN_LIBRARY_PATH="+t.TempDir())
	out, _ := cmd.CombinedOutput()
	if !strings.Contains(string(out), "xla") || !strings.Contains(string(out), "panic") {
		t.Fatalf("want a panic naming the xla backend, got:\n%s", out)
	}
	if got := DefaultBackend().Name(); got == "" {
		t.Fatal("no default backend")
	}
}
