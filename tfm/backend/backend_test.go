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

// forgetStarted makes New start afresh, as in a new process.
func forgetStarted(t *testing.T) {
	t.Helper()
	reset := func() {
		started.Lock()
		defer started.Unlock()
		for _, b := range started.backends {
			b.Finalize()
		}
		started.backends = nil
	}
	reset()
	t.Cleanup(reset)
}

func TestRequestedGoRuns(t *testing.T) {
	forgetStarted(t)
	t.Setenv(EnvVar, "go")
	var log strings.Builder
	Logger = &log
	defer func() { Logger = io.Discard }()
	b, err := New()
	if err != nil {
		t.Fatal(err)
	}
	got := graph.MustExecOnce(b, func(x *graph.Node) *graph.Node { return graph.ReduceAllSum(graph.Mul(x, x)) }, []float32{1, 2, 3})
	if v := got.Value().(float32); v != 14 {
		t.Errorf("sum of squares = %v, want 14", v)
	}
	if !strings.HasPrefix(log.String(), "tfm backend: go (SimpleGo") || strings.Count(log.String(), "\n") != 1 {
		t.Errorf("report = %q, want one line naming go", log.String())
	}
}

// A chapter that trains seven models calls New seven times: one backend, one line.
func TestNewStartsOncePerProcess(t *testing.T) {
	forgetStarted(t)
	t.Setenv(EnvVar, "go")
	var log strings.Builder
	Logger = &log
	defer func() { Logger = io.Discard }()
	first, err := New()
	if err != nil {
		t.Fatal(err)
	}
	second, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if first != second {
		t.Error("two calls to New started two backends")
	}
	if third := MustNew(); third != first {
		t.Error("MustNew started another backend")
	}
	if n := strings.Count(log.String(), "tfm backend:"); n != 1 {
		t.Errorf("the backend line was printed %d times, want once:\n%s", n, log.String())
	}

	// Something finalized the shared backend: the next call starts a fresh one, still silently.
	first.Finalize()
	fresh, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if fresh == first || fresh.IsFinalized() {
		t.Error("New returned the finalized backend")
	}
	if n := strings.Count(log.String(), "tfm backend:"); n != 1 {
		t.Errorf("restarting printed the line again:\n%s", log.String())
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

// In a GoNB session every cell is a new process: the line is printed by the
// first cell that starts the backend, not by every cell.
func TestNewPrintsOncePerNotebookSession(t *testing.T) {
	t.Setenv(EnvVar, "go")
	t.Setenv("GONB_TMP_DIR", t.TempDir())
	var log strings.Builder
	Logger = &log
	defer func() { Logger = io.Discard }()
	for cell := range 3 {
		forgetStarted(t) // a new process per cell
		if _, err := New(); err != nil {
			t.Fatalf("cell %d: %v", cell, err)
		}
	}
	if n := strings.Count(log.String(), "tfm backend:"); n != 1 {
		t.Errorf("three cells printed the backend line %d times, want once:\n%s", n, log.String())
	}
}
