package notebook

import (
	"bytes"
	"errors"
	"fmt"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
)

// MirrorMarker starts the first line of a cell mirrored into a Go file.
const MirrorMarker = "//tfm:mirror "

// Mirror is a notebook cell and the repository file that must hold the same code.
type Mirror struct {
	Notebook string // notebook path
	Cell     int    // 0-based cell index
	CodeCell int    // 1-based number among code cells
	File     string // path relative to the repository root, as written in the marker
	Code     string // the cell without its marker line
}

func (m Mirror) String() string {
	return fmt.Sprintf("%s cell %d (code cell %d) <-> %s", m.Notebook, m.Cell+1, m.CodeCell, m.File)
}

// Mirrors lists the mirrored cells of a notebook.
func Mirrors(nb *Notebook) ([]Mirror, error) {
	var out []Mirror
	for i, c := range nb.Cells {
		if c.CellType != "code" {
			continue
		}
		src := strings.TrimLeft(string(c.Source), " \t\r\n")
		if !strings.HasPrefix(src, MirrorMarker) {
			continue
		}
		first, rest, _ := strings.Cut(src, "\n")
		file := strings.TrimSpace(strings.TrimPrefix(first, MirrorMarker))
		m := Mirror{Notebook: nb.Path, Cell: i, CodeCell: nb.CodeCellNumber(i), File: file, Code: rest}
		switch {
		case file == "" || !strings.HasSuffix(file, ".go"):
			return nil, fmt.Errorf("%s: marker %q names no .go file", m, first)
		case filepath.IsAbs(file) || strings.HasPrefix(filepath.Clean(file), ".."):
			return nil, fmt.Errorf("%s: mirror path must be relative to the repository root", m)
		}
		for _, l := range strings.Split(rest, "\n") {
			if t := strings.TrimSpace(l); strings.HasPrefix(t, "%") || strings.HasPrefix(t, "!") {
				return nil, fmt.Errorf("%s: a mirrored cell holds only Go declarations, not GoNB command %q", m, t)
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// normalize gofmts a sequence of Go declarations (an import block and
// declarations, no package clause).
func normalize(code string) (string, error) {
	b, err := format.Source([]byte(strings.TrimSpace(code) + "\n"))
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

// splitGoFile splits a Go file into its header (leading comments, build
// constraints and the package clause) and its body (everything after).
func splitGoFile(path string, src []byte) (header, body string, err error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.PackageClauseOnly|parser.ParseComments)
	if err != nil {
		return "", "", err
	}
	end := int(f.Name.End()) - 1 // token.Pos is 1-based
	// Keep a trailing comment on the package line with the header.
	if nl := bytes.IndexByte(src[end:], '\n'); nl >= 0 {
		end += nl + 1
	} else {
		end = len(src)
	}
	return string(src[:end]), string(src[end:]), nil
}

// Mismatch is a mirrored cell that differs from its file.
type Mismatch struct {
	Mirror
	Reason string // "file missing", "differs at line N: …", …
}

func (m Mismatch) String() string { return m.Mirror.String() + ": " + m.Reason }

// Compare checks one mirror against its file under root.
func Compare(root string, m Mirror) *Mismatch {
	path := filepath.Join(root, m.File)
	src, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return &Mismatch{m, "file missing (run `tfm notebooks sync --write`)"}
		}
		return &Mismatch{m, err.Error()}
	}
	cell, err := normalize(m.Code)
	if err != nil {
		return &Mismatch{m, "cell is not valid Go declarations: " + err.Error()}
	}
	_, body, err := splitGoFile(path, src)
	if err != nil {
		return &Mismatch{m, err.Error()}
	}
	file, err := normalize(body)
	if err != nil {
		return &Mismatch{m, "file does not parse: " + err.Error()}
	}
	if cell == file {
		return nil
	}
	cl, fl := strings.Split(cell, "\n"), strings.Split(file, "\n")
	for i := 0; i < max(len(cl), len(fl)); i++ {
		var a, b string
		if i < len(cl) {
			a = cl[i]
		}
		if i < len(fl) {
			b = fl[i]
		}
		if a != b {
			return &Mismatch{m, fmt.Sprintf("differs at line %d after gofmt:\n    cell: %s\n    file: %s", i+1, a, b)}
		}
	}
	return &Mismatch{m, "differs"}
}

// Check compares every mirrored cell of the notebooks with its file.
func Check(root string, notebooks []string) ([]Mismatch, error) {
	mirrors, err := collect(notebooks)
	if err != nil {
		return nil, err
	}
	var out []Mismatch
	for _, m := range mirrors {
		if mm := Compare(root, m); mm != nil {
			out = append(out, *mm)
		}
	}
	return out, nil
}

// collect gathers mirrors and rejects two cells claiming one file.
func collect(notebooks []string) ([]Mirror, error) {
	var all []Mirror
	owner := map[string]Mirror{}
	for _, p := range notebooks {
		nb, err := Read(p)
		if err != nil {
			return nil, err
		}
		ms, err := Mirrors(nb)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			key := filepath.Clean(m.File)
			if o, dup := owner[key]; dup {
				return nil, fmt.Errorf("%s and %s mirror the same file", o, m)
			}
			owner[key] = m
		}
		all = append(all, ms...)
	}
	return all, nil
}

// Write copies every mirrored cell that differs into its file (cell -> file,
// never the reverse), keeping the file's header (comments, package clause) or,
// for a new file, writing one with the package named after the folder.
// It returns the files it changed.
func Write(root string, notebooks []string) ([]string, error) {
	mirrors, err := collect(notebooks)
	if err != nil {
		return nil, err
	}
	var changed []string
	for _, m := range mirrors {
		if Compare(root, m) == nil {
			continue
		}
		code, err := normalize(m.Code)
		if err != nil {
			return changed, fmt.Errorf("%s: cell is not valid Go declarations: %w", m, err)
		}
		path := filepath.Join(root, m.File)
		header := fmt.Sprintf("// Code mirrored from %s (code cell %d); edit it there, then run `tfm notebooks sync --write`.\n\npackage %s\n",
			relTo(root, m.Notebook), m.CodeCell, filepath.Base(filepath.Dir(path)))
		if src, err := os.ReadFile(path); err == nil {
			if h, _, err := splitGoFile(path, src); err == nil {
				header = h
			}
		}
		out, err := format.Source([]byte(header + "\n" + code + "\n"))
		if err != nil {
			return changed, fmt.Errorf("%s: %w", m, err)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return changed, err
		}
		if err := os.WriteFile(path, out, 0o644); err != nil {
			return changed, err
		}
		changed = append(changed, m.File)
	}
	return changed, nil
}

func relTo(root, p string) string {
	ar, err1 := filepath.Abs(root)
	ap, err2 := filepath.Abs(p)
	if err1 == nil && err2 == nil {
		if r, err := filepath.Rel(ar, ap); err == nil {
			return filepath.ToSlash(r)
		}
	}
	return p
}

// RepoRoot walks up from dir to the folder holding go.mod.
func RepoRoot(dir string) (string, error) {
	d, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("no go.mod above %s", dir)
		}
		d = parent
	}
}

// CourseNotebooks lists notebooks/*.ipynb under root, sorted.
func CourseNotebooks(root string) ([]string, error) {
	return filepath.Glob(filepath.Join(root, "notebooks", "*.ipynb"))
}
