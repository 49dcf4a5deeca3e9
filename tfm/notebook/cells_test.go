package notebook

import (
	"strings"
	"testing"
)

// RewriteSources changes only the sources edit rewrites, in the style of
// each (a list of lines or one string), and leaves the rest byte for byte.
func TestRewriteSources(t *testing.T) {
	nb := `{
 "cells": [
  {
   "cell_type": "markdown",
   "metadata": {},
   "source": [
    "# Title\n",
    "old"
   ]
  },
  {"cell_type": "markdown", "metadata": {}, "source": "one string"},
  {"cell_type": "code", "metadata": {}, "outputs": [], "source": ["x := 1"]}
 ],
 "metadata": {},
 "nbformat": 4,
 "nbformat_minor": 5
}
`
	out, changed, err := RewriteSources([]byte(nb), func(i int, c Cell) (string, bool) {
		if c.CellType != "markdown" {
			return "", false
		}
		return strings.ReplaceAll(string(c.Source), "old", "new\nlines") + map[int]string{1: " too"}[i], true
	})
	if err != nil || !changed {
		t.Fatalf("changed %v, err %v", changed, err)
	}
	want := strings.Replace(nb, "    \"old\"\n", "    \"new\\n\",\n    \"lines\"\n", 1)
	want = strings.Replace(want, `"source": "one string"`, `"source": "one string too"`, 1)
	if string(out) != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	same, changed, err := RewriteSources(out, func(int, Cell) (string, bool) { return "", false })
	if err != nil || changed || string(same) != string(out) {
		t.Errorf("a no-op rewrite changed the notebook (%v, %v)", changed, err)
	}
	if _, _, err := RewriteSources([]byte("{}"), nil); err == nil {
		t.Error("not a notebook accepted")
	}
}
