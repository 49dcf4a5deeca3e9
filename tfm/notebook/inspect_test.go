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

func TestInspectStreamPatterns(t *testing.T) {
	bad := []string{
		"exit status 3\n",               // os.Exit(3), log.Fatal
		"signal: killed\n",              // OOM, timeout kill
		"--- FAIL: TestX (0.01s)\n",     // failed test
		"panic: runtime error: index\n", // panic
		"fatal error: all goroutines are asleep - deadlock!\n",
		"\"%foo\" unknown or not implemented yet.\n", // GoNB typo'd command
	}
	for _, s := range bad {
		if probs := Inspect(streamNotebook(t, s)); len(probs) != 1 {
			t.Errorf("%q: %d problems, want 1", s, len(probs))
		}
	}
	good := []string{"exit status 0\n", "loss fell: 2.1 -> 0.4\n", "PASS\n", "no panic: here\n", "tfm backend: go (SimpleGo, pure Go): default\n"}
	for _, s := range good {
		if probs := Inspect(streamNotebook(t, s)); len(probs) != 0 {
			t.Errorf("%q: unexpected problems %v", s, probs)
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
