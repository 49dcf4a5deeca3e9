package main

import (
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

// stderrOf runs c with args and returns what it wrote on stderr.
func stderrOf(t *testing.T, c *command, args ...string) (string, error) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stderr
	os.Stderr = w
	done := make(chan []byte)
	go func() { b, _ := io.ReadAll(r); done <- b }()
	runErr := c.run(args)
	w.Close()
	os.Stderr = old
	return string(<-done), runErr
}

// Every command and sub-subcommand's --help opens with one sentence of
// what it does and shows an example command of its own.
func TestEveryHelpHasSentenceAndExample(t *testing.T) {
	type entry struct {
		path string
		c    *command
	}
	var all []entry
	for _, n := range commandNames() {
		c := commands[n]
		all = append(all, entry{n, c})
		for _, sc := range c.Subs {
			all = append(all, entry{n + " " + sc.Name, sc})
		}
	}
	if len(all) < 15 {
		t.Fatalf("only %d commands registered", len(all))
	}
	for _, e := range all {
		out, err := stderrOf(t, e.c, "--help")
		if !errors.Is(err, errHelp) {
			t.Errorf("tfm %s --help: err %v, want flag.ErrHelp", e.path, err)
		}
		lines := strings.Split(out, "\n")
		first := lines[0]
		if !strings.HasSuffix(first, ".") || strings.HasPrefix(first, "Usage") || first[:1] != strings.ToUpper(first[:1]) {
			t.Errorf("tfm %s --help opens with %q, want one sentence of what it does", e.path, first)
		}
		var example string
		for i, l := range lines {
			if l == "Example:" && i+1 < len(lines) {
				example = strings.TrimSpace(lines[i+1])
			}
		}
		if !strings.HasPrefix(example, "tfm "+e.path) && !strings.Contains(example, "&& tfm "+e.path) {
			t.Errorf("tfm %s --help: example %q, want a `tfm %s …` command\n%s", e.path, example, e.path, out)
		}
		if len(e.c.Subs) == 0 && !strings.Contains(out, "Flags:") {
			t.Errorf("tfm %s --help lists no flags:\n%s", e.path, out)
		}
	}
}

func TestDidYouMean(t *testing.T) {
	names := []string{"gps", "grid", "image", "road", "text"}
	for in, want := range map[string]string{"gsp": "gps", "txt": "text", "GPS": "gps", "imag": "image", "roda": "road", "xyz": "", "satellite": ""} {
		if got := closest(in, names); got != want {
			t.Errorf("closest(%q) = %q, want %q", in, got, want)
		}
	}
	if got := closest("contrastiv", []string{"contrastive", "generative", "hybrid", "causal"}); got != "contrastive" {
		t.Errorf("closest(contrastiv) = %q", got)
	}
	if d := editDistance("kitten", "sitting"); d != 3 {
		t.Errorf("editDistance(kitten, sitting) = %d", d)
	}
}

// Names are checked with a suggestion everywhere: enum flags, the
// modality list, subcommands, experiments.
func TestUnknownNamesSuggest(t *testing.T) {
	for _, c := range []struct {
		cmd  string
		args []string
		want string
	}{
		{"pretrain", []string{"--modality", "gsp"}, `did you mean "gps"?`},
		{"pretrain", []string{"--modality", "gps,txt"}, `did you mean "text"?`},
		{"pretrain", []string{"--paradigm", "hybrd"}, `did you mean "hybrid"?`},
		{"pretrain", []string{"--masking", "spam"}, `did you mean "span"?`},
		{"eval", []string{"--task", "clasify"}, `did you mean "classify"?`},
		{"pretrain", []string{"--augment", "crop,jiter"}, `did you mean "jitter"?`},
		{"pretrain", []string{"--set", "layer=2"}, `did you mean "layers"?`},
		{"data", []string{"synt"}, `did you mean "synth"?`},
		{"notebooks", []string{"rnu"}, `did you mean "run"?`},
		{"experiment", []string{"hybrid-swep"}, `did you mean "hybrid-sweep"?`},
		{"distance", []string{"pdist", "--metric", "frechét", "--format", "synthetic"}, `did you mean "frechet"?`},
	} {
		_, err := stderrOf(t, commands[c.cmd], c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("tfm %s %v: error %v, want it to contain %s", c.cmd, c.args, err, c.want)
		}
	}
}
