package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func readRepoFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The README's make-target table lists exactly the Makefile's targets.
func TestReadmeListsEveryMakeTarget(t *testing.T) {
	var inMakefile []string
	for _, m := range regexp.MustCompile(`(?m)^([a-z][a-z0-9-]*):([^=]|$)`).FindAllStringSubmatch(readRepoFile(t, "Makefile"), -1) {
		if !slices.Contains(inMakefile, m[1]) {
			inMakefile = append(inMakefile, m[1])
		}
	}
	var inReadme []string
	for _, m := range regexp.MustCompile("(?m)^\\| `make ([a-z0-9-]+)` \\|").FindAllStringSubmatch(readRepoFile(t, "README.md"), -1) {
		inReadme = append(inReadme, m[1])
	}
	slices.Sort(inMakefile)
	slices.Sort(inReadme)
	if !slices.Equal(inMakefile, inReadme) {
		t.Errorf("Makefile targets %v, README's make-target table %v", inMakefile, inReadme)
	}
}

// Every README code block with a `go run`/`go test` command sets the
// tool chain first, so it works pasted into a fresh shell.
func TestReadmeGoCommandsSetToolchain(t *testing.T) {
	blocks := regexp.MustCompile("(?s)```bash\n(.*?)```").FindAllStringSubmatch(readRepoFile(t, "README.md"), -1)
	if len(blocks) == 0 {
		t.Fatal("no bash blocks in README.md")
	}
	for _, b := range blocks {
		body := b[1]
		i := strings.Index(body, "go run ")
		if j := strings.Index(body, "go test "); j >= 0 && (i < 0 || j < i) {
			i = j
		}
		if i < 0 {
			continue
		}
		if e := strings.Index(body, "export GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd"); e < 0 || e > i {
			t.Errorf("README block runs go without the export line first:\n%s", body)
		}
	}
}
