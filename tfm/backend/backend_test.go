package backend

import (
	"io"
	"strings"
	"testing"

	"github.com/gomlx/compute"
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

// forgetStarted makes New report afresh, as in a new process.
func forgetStarted(t *testing.T) {
	t.Helper()
	reset := func() {
		announced.Lock()
		defer announced.Unlock()
		announced.configs = nil
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

// A chapter that trains seven models calls New seven times: seven working
// backends of their own, one line.
func TestNewReportsOncePerProcess(t *testing.T) {
	forgetStarted(t)
	t.Setenv(EnvVar, "go")
	t.Setenv("GONB_TMP_DIR", "")
	var log strings.Builder
	Logger = &log
	defer func() { Logger = io.Discard }()
	first, err := New()
	if err != nil {
		t.Fatal(err)
	}
	second := MustNew()
	if first == second {
		t.Error("New returned a backend it had handed out before (trainings would share its state)")
	}
	for _, b := range []compute.Backend{first, second} {
		got := graph.MustExecOnce(b, func(x *graph.Node) *graph.Node { return graph.ReduceAllSum(x) }, []float32{1, 2})
		if v := got.Value().(float32); v != 3 {
			t.Errorf("sum = %v, want 3", v)
		}
	}
	if n := strings.Count(log.String(), "tfm backend:"); n != 1 {
		t.Errorf("the backend line was printed %d times, want once:\n%s", n, log.String())
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
