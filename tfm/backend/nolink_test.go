package backend

import (
	"os/exec"
	"strings"
	"testing"
)

// Without the xla tag neither this package nor the CLI may link go-xla (whose
// auto-installer downloads a PJRT plugin) or GoMLX's backends/default.
func TestDefaultBuildDoesNotLinkXLA(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	if XLACompiledIn() {
		t.Skip("built with -tags xla")
	}
	out, err := exec.Command("go", "list", "-e", "-deps",
		"github.com/tfm-course/course/tfm/backend", "github.com/tfm-course/course/tfm/cmd/tfm").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, "github.com/gomlx/go-xla") || p == "github.com/gomlx/gomlx/backends/default" {
			t.Errorf("the default build links %s", p)
		}
	}
}
