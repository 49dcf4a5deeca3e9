package notebook

import (
	"encoding/json"
	"fmt"
	"html"
	"regexp"
	"strings"
)

// Problem is one failure found in an executed notebook.
type Problem struct {
	Notebook string
	Cell     int    // 0-based index in the notebook's cells
	CodeCell int    // 1-based number among code cells
	Reason   string // e.g. `panic: boom`, `error output: ERROR: failed to run "go build"…`
	Source   string // first line of the cell, to find it
}

func (p Problem) String() string {
	return fmt.Sprintf("%s: cell %d (code cell %d, %q): %s", p.Notebook, p.Cell+1, p.CodeCell, p.Source, p.Reason)
}

// exitLine is what GoNB (internal/jpyexec) writes to stderr after a
// cell's program, or one of its shell commands, ended badly: the text of
// Go's exec.ExitError, a non-zero "exit status N" or "signal: NAME", on a
// line of its own (after "^C" on an interrupt). It ends the cell's stderr
// for the Go program; a failed `!command` is followed by the rest of the
// cell, which GoNB still runs.
var exitLine = regexp.MustCompile(`^(exit status [1-9][0-9]*|signal: (` + signalNames + `)( \(core dumped\))?)$`)

// signalNames are the texts of the signals a cell's program dies of
// (syscall.Signal.String on Linux).
const signalNames = `killed|interrupt|terminated|aborted|segmentation fault|bus error|floating point exception|` +
	`illegal instruction|quit|hangup|broken pipe|trace/breakpoint trap|user defined signal [12]|alarm clock|` +
	`CPU time limit exceeded|file size limit exceeded`

// contextLine marks the lines that tell why a failed cell failed: a
// panic, a fatal runtime error, a failed test. They are reported with the
// exit line, never on their own: a program that prints them and ends well
// did not fail.
var contextLine = regexp.MustCompile(`^(panic: |fatal error: |--- FAIL)`)

// unknownCommand is GoNB's message for a mistyped %command (internal/specialcmd).
var unknownCommand = regexp.MustCompile(`^"%[^"\s]*" unknown or not implemented yet\.`)

// Inspect returns every problem in an executed notebook's outputs: error
// outputs, GoNB's exit line in a cell's stderr, the whole line (with the
// panic or FAIL line that explains it), and GoNB's unknown-command message.
func Inspect(nb *Notebook) []Problem {
	var out []Problem
	for i, c := range nb.Cells {
		if c.CellType != "code" {
			continue
		}
		add := func(reason string) {
			out = append(out, Problem{Notebook: nb.Path, Cell: i, CodeCell: nb.CodeCellNumber(i), Reason: reason, Source: describeCell(string(c.Source))})
		}
		var context string
		for _, o := range c.Outputs {
			switch o.OutputType {
			case "error":
				msg := o.EName + ": " + o.EValue
				if d := compileDetails(o, c); d != "" {
					msg += "\n" + d
				}
				add("error output: " + strings.TrimSpace(msg))
			case "stream":
				for _, l := range strings.Split(string(o.Text), "\n") {
					l = strings.TrimRight(l, "\r ")
					switch {
					case context == "" && contextLine.MatchString(l):
						context = l
					case o.Name != "stderr":
					case unknownCommand.MatchString(l):
						add(l)
					case exitLine.MatchString(l):
						if context != "" {
							l += " (" + context + ")"
							context = ""
						}
						add(l)
					}
				}
			}
		}
	}
	return out
}

var htmlTag = regexp.MustCompile(`<[^>]*>`)

// compileDetails digs the compiler messages out of GoNB's HTML error display
// (sent with the error output), so the report shows the real cause, e.g.
// "Cell[7]: Line 2: declared and not used: x".
func compileDetails(_ Output, c Cell) string {
	var lines []string
	for _, o := range c.Outputs {
		raw, ok := o.Data["text/html"]
		if !ok {
			continue
		}
		var t Text
		if json.Unmarshal(raw, &t) != nil {
			continue
		}
		where := ""
		for _, l := range strings.Split(string(t), "\n") {
			switch {
			case strings.Contains(l, `class="gonb-cell-line-info"`):
				where = strings.TrimSpace(html.UnescapeString(htmlTag.ReplaceAllString(l, "")))
			case strings.Contains(l, `class="gonb-err-location"`):
				msg := strings.TrimSpace(html.UnescapeString(htmlTag.ReplaceAllString(l, "")))
				if k := strings.Index(msg, ": "); k >= 0 && strings.Contains(msg[:k], ".go:") {
					msg = strings.TrimSpace(msg[k+2:])
				}
				if where != "" {
					msg = where + ": " + msg
				}
				lines = append(lines, "    "+msg)
				where = ""
			default: // `go get` / `go mod` failures are plain text lines starting with "go: "
				if msg := strings.TrimSpace(html.UnescapeString(htmlTag.ReplaceAllString(l, ""))); strings.HasPrefix(msg, "go: ") {
					lines = append(lines, "    "+msg)
				}
			}
		}
	}
	if len(lines) > 12 {
		lines = append(lines[:12], "    …")
	}
	return strings.Join(lines, "\n")
}

// describeCell is the first line of a cell that is not a GoNB command ("%%", "!…"), to help find it.
func describeCell(src string) string {
	for _, l := range strings.Split(src, "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "%") && !strings.HasPrefix(l, "!") {
			if len(l) > 60 {
				l = l[:57] + "..."
			}
			return l
		}
	}
	return firstLine(src)
}
