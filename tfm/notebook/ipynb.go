// Package notebook runs the course's GoNB notebooks headless and fails loudly,
// and keeps "mirrored" cells in sync with the tested Go files they copy.
//
// Running: Run executes each notebook with `jupyter nbconvert --execute` on
// the TFM CPU kernel, writes the executed notebook and its HTML, then inspects
// every output, because nbconvert reports success when a Go cell panics, exits
// or a %test fails (GoNB only prints "exit status N"). See Inspect.
//
// Mirrors: a code cell whose first line is `//tfm:mirror tfm/pkg/file.go`
// must equal that file after gofmt, ignoring the file's package clause and the
// comments before it (Write copies cell -> file). A cell whose first line is
// `//tfm:mirror tfm/pkg/file.go:Name,Type.Method,…` must hold exactly those
// top-level declarations of the file, each with its doc comment, in that order
// and nothing else (Write copies file -> cell). See ParseMarker, Check and Write.
//
// Notebooks read quick mode with Quick and Size.
package notebook

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// Notebook is the part of the .ipynb (nbformat 4) format the runner needs.
type Notebook struct {
	Path  string `json:"-"`
	Cells []Cell `json:"cells"`
	// Metadata and format fields are kept verbatim for writing back.
	Metadata      json.RawMessage `json:"metadata,omitempty"`
	NBFormat      int             `json:"nbformat"`
	NBFormatMinor int             `json:"nbformat_minor"`
}

// Cell is one notebook cell.
type Cell struct {
	CellType string          `json:"cell_type"`
	Source   Text            `json:"source"`
	Outputs  []Output        `json:"outputs,omitempty"`
	Raw      json.RawMessage `json:"-"`
}

// Output is one output of an executed code cell.
type Output struct {
	OutputType string                     `json:"output_type"` // stream, display_data, execute_result, error
	Name       string                     `json:"name,omitempty"`
	Text       Text                       `json:"text,omitempty"`
	Data       map[string]json.RawMessage `json:"data,omitempty"`
	EName      string                     `json:"ename,omitempty"`
	EValue     string                     `json:"evalue,omitempty"`
	Traceback  []string                   `json:"traceback,omitempty"`
}

// Text is a multi-line string stored in .ipynb either as a string or a list of lines.
type Text string

// UnmarshalJSON accepts both forms.
func (t *Text) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*t = Text(s)
		return nil
	}
	var lines []string
	if err := json.Unmarshal(b, &lines); err != nil {
		return fmt.Errorf("want a string or a list of strings: %w", err)
	}
	*t = Text(strings.Join(lines, ""))
	return nil
}

// Read parses a notebook file; errors name the file.
func Read(path string) (*Notebook, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	nb, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	nb.Path = path
	return nb, nil
}

// Parse parses notebook JSON.
func Parse(b []byte) (*Notebook, error) {
	var nb Notebook
	if err := json.Unmarshal(b, &nb); err != nil {
		return nil, fmt.Errorf("not a notebook (.ipynb JSON): %w", err)
	}
	if nb.NBFormat != 4 {
		return nil, fmt.Errorf("nbformat %d, want 4", nb.NBFormat)
	}
	var raw struct {
		Cells []json.RawMessage `json:"cells"`
	}
	if err := json.Unmarshal(b, &raw); err == nil && len(raw.Cells) == len(nb.Cells) {
		for i := range nb.Cells {
			nb.Cells[i].Raw = raw.Cells[i]
		}
	}
	return &nb, nil
}

// CodeCellNumber returns the 1-based number of cell i among code cells (what a
// reader counts in the notebook), or 0 if cell i is not a code cell.
func (nb *Notebook) CodeCellNumber(i int) int {
	if i < 0 || i >= len(nb.Cells) || nb.Cells[i].CellType != "code" {
		return 0
	}
	n := 0
	for k := 0; k <= i; k++ {
		if nb.Cells[k].CellType == "code" {
			n++
		}
	}
	return n
}

// firstLine is the first non-empty line of s, trimmed.
func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}
