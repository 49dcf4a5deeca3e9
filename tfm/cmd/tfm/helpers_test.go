package main

import (
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"
)

// capture runs `tfm NAME ARGS` and returns its stdout (read while the
// command runs, so large outputs cannot block the pipe).
func capture(t *testing.T, name string, args ...string) (string, error) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = w
	done := make(chan []byte)
	go func() { b, _ := io.ReadAll(r); done <- b }()
	runErr := commands[name].run(args)
	w.Close()
	os.Stdout = old
	return string(<-done), runErr
}

// lastJSON decodes the last stdout line of a --json run as an object.
func lastJSON(t *testing.T, out string) map[string]any {
	t.Helper()
	var got map[string]any
	lastJSONInto(t, out, &got)
	return got
}

// lastJSONInto decodes the last stdout line of a --json run into v.
func lastJSONInto(t *testing.T, out string, v any) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), v); err != nil {
		t.Fatalf("last stdout line is not JSON: %v: %q", err, out)
	}
}
