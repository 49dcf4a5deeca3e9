package notebook

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// The files in testdata/executed are real outputs of `tfm notebooks run` on the fixtures.
func TestInspectExecutedFixtures(t *testing.T) {
	cases := []struct {
		name     string
		codeCell int      // 0: must pass
		want     []string // substrings of the problems
	}{
		{"good", 0, nil},
		{"panic", 2, []string{"panic: assignment to entry in nil map", "exit status 2"}},
		{"failtest", 1, []string{"--- FAIL: TestAdd", "exit status 1"}},
		{"compile", 2, []string{"error output", `cannot use "fast"`}},
		{"goget", 1, []string{"go get", "go: module github.com/janpfeifer/gonb/gonbui", "403"}},
	}
	for _, c := range cases {
		nb, err := Read(filepath.Join("testdata", "executed", c.name+".ipynb"))
		if err != nil {
			t.Fatal(err)
		}
		probs := Inspect(nb)
		if c.codeCell == 0 {
			if len(probs) > 0 {
				t.Errorf("%s: unexpected problems %v", c.name, probs)
			}
			continue
		}
		if len(probs) == 0 {
			t.Fatalf("%s: no problem found", c.name)
		}
		var all []string
		for _, p := range probs {
			if p.CodeCell != c.codeCell {
				t.Errorf("%s: problem in code cell %d, want %d: %s", c.name, p.CodeCell, c.codeCell, p)
			}
			all = append(all, p.String())
		}
		joined := strings.Join(all, "\n")
		for _, w := range c.want {
			if !strings.Contains(joined, w) {
				t.Errorf("%s: problems lack %q:\n%s", c.name, w, joined)
			}
		}
		if !strings.Contains(joined, c.name+".ipynb: cell ") {
			t.Errorf("%s: problems do not name notebook and cell:\n%s", c.name, joined)
		}
	}
}

func streamNotebook(t *testing.T, texts ...string) *Notebook {
	t.Helper()
	nb := map[string]any{"nbformat": 4, "nbformat_minor": 5, "metadata": map[string]any{}}
	var cells []any
	for _, s := range texts {
		cells = append(cells, map[string]any{
			"cell_type": "code", "source": []string{"%%\n", "work()"},
			"outputs": []any{map[string]any{"output_type": "stream", "name": "stderr", "text": s}},
		})
	}
	nb["cells"] = cells
	b, _ := json.Marshal(nb)
	parsed, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	parsed.Path = "x.ipynb"
	return parsed
}

func streamNotebookOn(t *testing.T, stream string, texts ...string) *Notebook {
	t.Helper()
	nb := streamNotebook(t, texts...)
	for i := range nb.Cells {
		nb.Cells[i].Outputs[0].Name = stream
	}
	return nb
}

// A cell fails on GoNB's exit line in its stderr (a non-zero "exit status
// N" or "signal: NAME" alone on a line, which GoNB writes after the cell's
// program or a shell command ended badly), or on GoNB's unknown-command message; the
// panic or FAIL lines before it are reported with it. Text that merely
// looks like those lines is not a failure.
func TestInspectStreamPatterns(t *testing.T) {
	bad := []struct{ text, want string }{
		{"exit status 3\n", "exit status 3"},   // os.Exit(3), log.Fatal
		{"signal: killed\n", "signal: killed"}, // OOM, timeout kill
		{"=== RUN TestX\n--- FAIL: TestX (0.01s)\nFAIL\nexit status 1\n", "exit status 1 (--- FAIL: TestX (0.01s))"}, // failed test
		{"panic: runtime error: index\n\ngoroutine 1 [running]:\nmain.main()\nexit status 2\n", "exit status 2 (panic: runtime error: index)"},
		{"fatal error: all goroutines are asleep - deadlock!\nexit status 2\n", "fatal error: all goroutines"},
		{"^C\nsignal: interrupt\n", "signal: interrupt"},
		{"\"%foo\" unknown or not implemented yet.", "unknown or not implemented"}, // GoNB typo'd command
		{"exit status 1\nthe Go code after a failed !command\n", "exit status 1"},  // GoNB runs on after a failed shell command
		{"signal: segmentation fault (core dumped)\n", "signal: segmentation fault"},
	}
	for _, c := range bad {
		probs := Inspect(streamNotebookOn(t, "stderr", c.text))
		if len(probs) != 1 || !strings.Contains(probs[0].Reason, c.want) {
			t.Errorf("%q: problems %v, want one with %q", c.text, probs, c.want)
		}
	}
	good := []string{"exit status 0\n", "loss fell: 2.1 -> 0.4\n", "PASS\n", "no panic: here\n", "tfm backend: go (SimpleGo, pure Go): default\n",
		"exit status 2 is what go vet returns on findings\n",      // starts like GoNB's line, is not it
		"panic: a word in a log line\n", "--- FAIL is a prefix\n", // the program ended well
		"signal: the word\nmore\n", "\"%x\" unknown or not implemented yet, said the doc\n"}
	for _, s := range good {
		if probs := Inspect(streamNotebookOn(t, "stderr", s)); len(probs) != 0 {
			t.Errorf("%q: unexpected problems %v", s, probs)
		}
	}
	for _, s := range []string{"exit status 2\n", "signal: killed\n"} { // on stdout it is the program's own text
		if probs := Inspect(streamNotebookOn(t, "stdout", s)); len(probs) != 0 {
			t.Errorf("stdout %q: unexpected problems %v", s, probs)
		}
	}
}

func TestParseErrors(t *testing.T) {
	if _, err := Parse([]byte("{")); err == nil {
		t.Error("broken JSON accepted")
	}
	if _, err := Parse([]byte(`{"nbformat": 3, "cells": []}`)); err == nil || !strings.Contains(err.Error(), "nbformat 3") {
		t.Errorf("nbformat 3: err = %v", err)
	}
	if _, err := Read("testdata/nope.ipynb"); err == nil {
		t.Error("missing file accepted")
	}
}

func TestQuickAndSize(t *testing.T) {
	t.Setenv(QuickEnv, "")
	if Quick() || Size(100, 5) != 100 {
		t.Error("quick without TFM_QUICK")
	}
	t.Setenv(QuickEnv, "1")
	if !Quick() || Size(100, 5) != 5 || Size("full", "quick") != "quick" {
		t.Error("not quick with TFM_QUICK=1")
	}
}
