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

// failureLine matches output lines that mean a Go cell failed even though
// nbconvert saw no error: a panic, a non-zero exit (os.Exit, log.Fatal, a
// failed %test), a signal, a failed test, or an unknown GoNB command.
var failureLine = regexp.MustCompile(`^(panic: |fatal error: |exit status [1-9][0-9]*|signal: |--- FAIL|FAIL\s*$|.*unknown or not implemented)`)

// Inspect returns every problem in an executed notebook's outputs.
func Inspect(nb *Notebook) []Problem {
	var out []Problem
	for i, c := range nb.Cells {
		if c.CellType != "code" {
			continue
		}
		add := func(reason string) {
			out = append(out, Problem{Notebook: nb.Path, Cell: i, CodeCell: nb.CodeCellNumber(i), Reason: reason, Source: describeCell(string(c.Source))})
		}
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
					if failureLine.MatchString(l) {
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
