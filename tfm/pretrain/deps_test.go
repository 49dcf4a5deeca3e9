package pretrain

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Pre-training reads modalities by name (tfm/modality's registry) and data
// as trajectories plus an opaque map (Options.Map): it must not depend on
// the data sets, the synthetic city or the road network. Only tests (and the
// programs that choose the data) import those.
func TestNoDataDependencies(t *testing.T) {
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := exec.LookPath(goTool); err != nil {
		if goTool, err = exec.LookPath("go"); err != nil {
			t.Skipf("the go tool is not available (%v): cannot list the dependencies", err)
		}
	}
	out, err := exec.Command(goTool, "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps . failed (%v): %s", err, out)
	}
	deps := map[string]bool{}
	for _, p := range strings.Fields(string(out)) {
		deps[p] = true
	}
	if !deps["github.com/tfm-course/course/tfm/pretrain"] {
		t.Fatalf("go list -deps . does not list tfm/pretrain itself:\n%s", out)
	}
	for _, p := range []string{
		"github.com/tfm-course/course/datasets",
		"github.com/tfm-course/course/datasets/synth",
		"github.com/tfm-course/course/tfm/roadnet",
	} {
		if deps[p] {
			t.Errorf("tfm/pretrain depends on %s (go list -deps); it must reach data and maps only through Options", p)
		}
	}
}
