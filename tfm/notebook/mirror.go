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

// MirrorMarker starts the first line of a mirrored cell. Two forms:
//
//	//tfm:mirror tfm/pkg/file.go                      the whole file (cell -> file)
//	//tfm:mirror tfm/pkg/file.go:Func,Type.Method,Var  those declarations (file -> cell)
//
// See ParseMarker.
const MirrorMarker = "//tfm:mirror "

// Mirror is a notebook cell and the repository file that must hold the same code:
// the whole file, or (Decls set) the named top-level declarations of it.
type Mirror struct {
	Notebook string   // notebook path
	Cell     int      // 0-based cell index
	CodeCell int      // 1-based number among code cells
	File     string   // path relative to the repository root, as written in the marker
	Decls    []string // declarations named in the marker, in order ("F", "T.M", "T", "V"); nil: the whole file
	Code     string   // the cell without its marker line
}

func (m Mirror) String() string {
	target := m.File
	if len(m.Decls) > 0 {
		target += ":" + strings.Join(m.Decls, ",")
	}
	return fmt.Sprintf("%s cell %d (code cell %d) <-> %s", m.Notebook, m.Cell+1, m.CodeCell, target)
}

// ParseMarker parses the first line of a mirrored cell: `//tfm:mirror PATH.go`
// (the cell is the whole file) or `//tfm:mirror PATH.go:NAME,NAME,…` (the cell
// is exactly those top-level declarations of the file, in that order). A NAME
// is a func, a type, a var or a const ("NTXent", "Options", "DefaultTemperature";
// a name of a var/const/type group selects the whole group) or a method
// written Type.Method (pointer or value receiver). PATH is relative to the
// repository root. decls is nil for a whole-file marker.
func ParseMarker(line string) (file string, decls []string, err error) {
	line = strings.TrimSpace(line)
	if !strings.HasPrefix(line+" ", MirrorMarker) {
		return "", nil, fmt.Errorf("%q is not a mirror marker (%q)", line, strings.TrimSpace(MirrorMarker))
	}
	target := strings.TrimSpace(strings.TrimPrefix(line+" ", MirrorMarker))
	file, list, named := strings.Cut(target, ":")
	file = strings.TrimSpace(file)
	switch {
	case file == "" || !strings.HasSuffix(file, ".go") || strings.ContainsAny(file, " \t"):
		return "", nil, fmt.Errorf("marker %q names no .go file", line)
	case filepath.IsAbs(file) || strings.HasPrefix(file, "/") || strings.HasPrefix(filepath.Clean(file), ".."):
		return "", nil, fmt.Errorf("marker %q: mirror path must be relative to the repository root", line)
	}
	if !named {
		return file, nil, nil
	}
	seen := map[string]bool{}
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(n)
		if err := checkDeclName(n); err != nil {
			return "", nil, fmt.Errorf("marker %q: %w", line, err)
		}
		if seen[n] {
			return "", nil, fmt.Errorf("marker %q names %s twice", line, n)
		}
		seen[n] = true
		decls = append(decls, n)
	}
	return file, decls, nil
}

// checkDeclName accepts what a declaration marker may name: an identifier or Type.Method.
func checkDeclName(n string) error {
	if n == "" {
		return fmt.Errorf("empty declaration name (want PATH.go:Name,Type.Method,…)")
	}
	parts := strings.Split(n, ".")
	if len(parts) > 2 {
		return fmt.Errorf("declaration name %q: want Name or Type.Method", n)
	}
	for _, p := range parts {
		if !token.IsIdentifier(p) {
			return fmt.Errorf("declaration name %q: %q is not a Go identifier", n, p)
		}
	}
	switch last := parts[len(parts)-1]; {
	case last == "_":
		return fmt.Errorf("declaration name %q: a blank declaration cannot be named", n)
	case len(parts) == 1 && (n == "init" || n == "main"):
		return fmt.Errorf("declaration name %q: GoNB treats func %s specially (and a file may have several init); mirror the code it calls instead", n, n)
	}
	return nil
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
		m := Mirror{Notebook: nb.Path, Cell: i, CodeCell: nb.CodeCellNumber(i), Code: rest,
			File: strings.TrimSpace(strings.TrimPrefix(first, MirrorMarker))} // as written, for errors
		file, decls, err := ParseMarker(first)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m, err)
		}
		m.File, m.Decls = file, decls
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
	Reason string // "file missing", "differs at line N: …", "NTXent differs from the file at line N …", …
	Decl   string // declaration mirrors: the declaration at fault (differs, missing, not named), if one is
}

func (m Mismatch) String() string { return m.Mirror.String() + ": " + m.Reason }

// Compare checks one mirror against its file under root.
func Compare(root string, m Mirror) *Mismatch {
	if len(m.Decls) > 0 {
		return compareDecls(root, m)
	}
	path := filepath.Join(root, m.File)
	src, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return &Mismatch{Mirror: m, Reason: "file missing (run `tfm notebooks sync --write`)"}
		}
		return &Mismatch{Mirror: m, Reason: err.Error()}
	}
	cell, err := normalize(m.Code)
	if err != nil {
		return &Mismatch{Mirror: m, Reason: "cell is not valid Go declarations: " + err.Error()}
	}
	_, body, err := splitGoFile(path, src)
	if err != nil {
		return &Mismatch{Mirror: m, Reason: err.Error()}
	}
	file, err := normalize(body)
	if err != nil {
		return &Mismatch{Mirror: m, Reason: "file does not parse: " + err.Error()}
	}
	if cell == file {
		return nil
	}
	if line, a, b, ok := firstDiff(cell, file); ok {
		return &Mismatch{Mirror: m, Reason: fmt.Sprintf("differs at line %d after gofmt:\n    cell: %s\n    file: %s", line, a, b)}
	}
	return &Mismatch{Mirror: m, Reason: "differs"}
}

// firstDiff finds the first line (1-based) where cell and file differ.
func firstDiff(cell, file string) (line int, a, b string, ok bool) {
	cl, fl := strings.Split(cell, "\n"), strings.Split(file, "\n")
	for i := 0; i < max(len(cl), len(fl)); i++ {
		a, b = "", ""
		if i < len(cl) {
			a = cl[i]
		}
		if i < len(fl) {
			b = fl[i]
		}
		if a != b {
			return i + 1, a, b, true
		}
	}
	return 0, "", "", false
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

// collect gathers mirrors and rejects two cells claiming one whole file
// (declaration mirrors only read their file, so several may name one).
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
			if len(m.Decls) > 0 {
				continue
			}
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

// Write brings every mirror that differs back in sync and returns the files it
// changed (repository files, then notebooks).
//
// A whole-file mirror is copied cell -> file, keeping the file's header
// (comments, package clause) or, for a new file, writing one with the package
// named after the folder. A declaration mirror is copied file -> cell: the
// cell is rewritten to the marker line followed by the named declarations of
// the file, gofmt-ed, in the marker's order (whole-file mirrors are written
// first, so a cell may mirror declarations of a file another cell mirrors whole).
func Write(root string, notebooks []string) ([]string, error) {
	mirrors, err := collect(notebooks)
	if err != nil {
		return nil, err
	}
	var changed []string
	byNotebook := map[string][]Mirror{}
	var order []string
	for _, m := range mirrors {
		if len(m.Decls) > 0 {
			if byNotebook[m.Notebook] == nil {
				order = append(order, m.Notebook)
			}
			byNotebook[m.Notebook] = append(byNotebook[m.Notebook], m)
			continue
		}
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
	for _, p := range order {
		wrote, err := writeDeclCells(root, p, byNotebook[p])
		if err != nil {
			return changed, err
		}
		if wrote {
			changed = append(changed, p)
		}
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
