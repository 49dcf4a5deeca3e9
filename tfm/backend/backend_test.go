package backend

import (
	"io"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
)

func TestDefaultIsGoWithoutXLA(t *testing.T) {
	t.Setenv(EnvVar, "")
	if XLACompiledIn() {
		t.Skip("built with -tags xla")
	}
	c, err := Choose()
	if err != nil {
		t.Fatal(err)
	}
	if c.Config != "go" {
		t.Fatalf("Choose() = %q, want go", c.Config)
	}
	if !strings.Contains(c.String(), "SimpleGo") || strings.Contains(c.String(), "\n") {
		t.Errorf("one-line description = %q", c.String())
	}
}

func TestRequestedGoRuns(t *testing.T) {
	t.Setenv(EnvVar, "go")
	var log strings.Builder
	Logger = &log
	defer func() { Logger = io.Discard }()
	b, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Finalize()
	got := graph.MustExecOnce(b, func(x *graph.Node) *graph.Node { return graph.ReduceAllSum(graph.Mul(x, x)) }, []float32{1, 2, 3})
	if v := got.Value().(float32); v != 14 {
		t.Errorf("sum of squares = %v, want 14", v)
	}
	if !strings.HasPrefix(log.String(), "tfm backend: go (SimpleGo") || strings.Count(log.String(), "\n") != 1 {
		t.Errorf("report = %q, want one line naming go", log.String())
	}
}

func TestRequestedUnavailableBackendIsClearError(t *testing.T) {
	for _, cfg := range []string{"xla:cuda", "nosuch"} {
		if cfg == "xla:cuda" && XLACompiledIn() {
			if _, ok := FindPJRTPlugin("cuda"); ok {
				continue
			}
		}
		t.Setenv(EnvVar, cfg)
		_, err := New()
		if err == nil {
			t.Fatalf("%s: New() succeeded, want an error", cfg)
		}
		if !strings.Contains(err.Error(), cfg) {
			t.Errorf("%s: error %q does not name the backend", cfg, err)
		}
	}
}

func TestFindPJRTPluginHonoursEnv(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PJRT_PLUGIN_LIBRARY_PATH", dir)
	if _, ok := FindPJRTPlugin("tfmtest"); ok {
		t.Fatal("found a plugin in an empty folder")
	}
	if err := writeFile(dir + "/pjrt_c_api_tfmtest_plugin.so"); err != nil {
		t.Fatal(err)
	}
	if p, ok := FindPJRTPlugin("tfmtest"); !ok || !strings.HasPrefix(p, dir) {
		t.Fatalf("FindPJRTPlugin = %q, %v", p, ok)
	}
}

func TestXLACompiledInWithoutPluginChoosesGo(t *testing.T) {
	if !XLACompiledIn() {
		t.Skip("needs -tags xla")
	}
	t.Setenv(EnvVar, "")
	t.Setenv("HOME", t.TempDir())
	t.Setenv("PJRT_PLUGIN_LIBRARY_PATH", t.TempDir())
	t.Setenv("LD_LIBRARY_PATH", "")
	if _, ok := FindPJRTPlugin("cpu"); ok {
		t.Skip("a system-wide PJRT CPU plugin is installed")
	}
	c, err := Choose()
	if err != nil || c.Config != "go" || !strings.Contains(c.Reason, "no PJRT plugin") {
		t.Fatalf("Choose() = %+v, %v; want go because no plugin is installed", c, err)
	}
}
