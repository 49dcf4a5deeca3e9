// Package docker holds the course's Dockerfile; its test checks the file without a Docker engine.
package docker

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// instruction is one Dockerfile instruction with its continuation lines joined.
type instruction struct {
	Line int
	Cmd  string // upper-case: FROM, RUN, COPY, …
	Args string
}

func parseDockerfile(t *testing.T, path string) []instruction {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []instruction
	var cur *instruction
	for i, l := range strings.Split(string(b), "\n") {
		trimmed := strings.TrimSpace(l)
		if cur == nil && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if cur == nil {
			cmd, args, _ := strings.Cut(trimmed, " ")
			cur = &instruction{Line: i + 1, Cmd: strings.ToUpper(cmd), Args: ""}
			trimmed = args
		} else if strings.HasPrefix(trimmed, "#") {
			continue
		}
		cont := strings.HasSuffix(trimmed, "\\")
		cur.Args += " " + strings.TrimSuffix(trimmed, "\\")
		if !cont {
			cur.Args = strings.TrimSpace(cur.Args)
			out = append(out, *cur)
			cur = nil
		}
	}
	if cur != nil {
		t.Fatalf("%s:%d: instruction ends with a line continuation", path, cur.Line)
	}
	return out
}

var knownInstructions = map[string]bool{"FROM": true, "ARG": true, "ENV": true, "RUN": true, "COPY": true, "ADD": true,
	"WORKDIR": true, "EXPOSE": true, "CMD": true, "ENTRYPOINT": true, "USER": true, "LABEL": true, "SHELL": true, "VOLUME": true}

func TestDockerfile(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	ins := parseDockerfile(t, "Dockerfile")
	if len(ins) == 0 || ins[0].Cmd != "FROM" {
		t.Fatal("Dockerfile must start with FROM")
	}
	var copies int
	var runs strings.Builder
	for _, in := range ins {
		if !knownInstructions[in.Cmd] {
			t.Errorf("Dockerfile:%d: unknown instruction %q", in.Line, in.Cmd)
		}
		switch in.Cmd {
		case "FROM":
			img := strings.Fields(in.Args)[0]
			if !strings.Contains(img, ":") || strings.HasSuffix(img, ":latest") {
				t.Errorf("Dockerfile:%d: base image %q is not pinned to a version tag", in.Line, img)
			}
		case "COPY", "ADD":
			fields := strings.Fields(in.Args)
			var srcs []string
			for _, f := range fields[:len(fields)-1] {
				if strings.HasPrefix(f, "--") {
					if strings.HasPrefix(f, "--from") {
						srcs = nil
						break
					}
					continue
				}
				srcs = append(srcs, f)
			}
			for _, s := range srcs {
				copies++
				if strings.Contains(s, "://") {
					t.Errorf("Dockerfile:%d: %s from a URL %q (download in a pinned RUN step instead)", in.Line, in.Cmd, s)
					continue
				}
				if _, err := os.Stat(filepath.Join(root, s)); err != nil {
					t.Errorf("Dockerfile:%d: %s source %q does not exist in the build context (the repository root)", in.Line, in.Cmd, s)
				}
			}
		case "RUN":
			runs.WriteString(in.Args + "\n")
		case "ARG":
			name, v, ok := strings.Cut(in.Args, "=")
			if !ok || v == "" {
				t.Errorf("Dockerfile:%d: ARG %s has no default", in.Line, name)
			}
			// A plugin "latest" at build time is a different image each week: pin it.
			if strings.Contains(name, "VERSION") && (v == "latest" || !regexp.MustCompile(`^\d+(\.\d+)+$`).MatchString(v)) {
				t.Errorf("Dockerfile:%d: ARG %s=%s is not pinned to a version number", in.Line, name, v)
			}
		}
	}
	if copies == 0 {
		t.Error("Dockerfile copies nothing")
	}
	for _, want := range []string{"kernels/install.sh", "jupyter-notebook", "jupyter-nbconvert", "-cpu", "-cuda"} {
		if !strings.Contains(runs.String(), want) {
			t.Errorf("no RUN step mentions %q", want)
		}
	}
	// The Go version in the image must match the one the project requires.
	if m := regexp.MustCompile(`ARG GO_VERSION=(\S+)`).FindStringSubmatch(mustRead(t, "Dockerfile")); m == nil || m[1] != "1.27.3" {
		t.Errorf("GO_VERSION = %v, want 1.27.3 (GOTOOLCHAIN=go1.27.3)", m)
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
