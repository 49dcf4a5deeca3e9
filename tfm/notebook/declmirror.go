package notebook

// Declaration mirrors: `//tfm:mirror tfm/pkg/file.go:Name,Type.Method,…`.
// The file is the source of truth; the cell must hold exactly the named
// top-level declarations (each with its doc comment), in the marker's order,
// and nothing else. Declarations are compared one by one after gofmt.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// goDecl is one top-level declaration of a Go source.
type goDecl struct {
	names []string // what a marker calls it: "F", "T.M", or every name a var/const/type group declares
	text  string   // gofmt-ed source: doc comment, declaration, a comment ending its last line
}

// declSource is a Go source split into its top-level declarations.
type declSource struct {
	decls   []goDecl // in source order, imports excluded
	imports bool     // the source has an import declaration
	stray   []string // comments outside every declaration (after the package clause), first line of each
}

// parseDecls parses a Go source (a file, or declarations after a package clause).
func parseDecls(name string, src []byte) (*declSource, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	tf := fset.File(f.Pos())
	var ds declSource
	var spans [][2]token.Pos
	for _, d := range f.Decls {
		start, end := d.Pos(), d.End()
		if doc := declDoc(d); doc != nil {
			start = doc.Pos()
		}
		endLine := tf.Line(end)
		for _, cg := range f.Comments {
			if cg.Pos() >= end && tf.Line(cg.Pos()) == endLine {
				end = cg.End()
			}
		}
		spans = append(spans, [2]token.Pos{start, end})
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT {
			ds.imports = true
			continue
		}
		text, err := normalize(string(src[tf.Offset(start):tf.Offset(end)]))
		if err != nil {
			return nil, err
		}
		ds.decls = append(ds.decls, goDecl{names: declNames(d), text: text})
	}
comments:
	for _, cg := range f.Comments {
		if cg.Pos() < f.Name.End() {
			continue
		}
		for _, sp := range spans {
			if cg.Pos() >= sp[0] && cg.End() <= sp[1] {
				continue comments
			}
		}
		ds.stray = append(ds.stray, strings.TrimSpace(firstLine(string(src[tf.Offset(cg.Pos()):tf.Offset(cg.End())]))))
	}
	return &ds, nil
}

func declDoc(d ast.Decl) *ast.CommentGroup {
	switch d := d.(type) {
	case *ast.FuncDecl:
		return d.Doc
	case *ast.GenDecl:
		return d.Doc
	}
	return nil
}

// declNames is what a marker may call a declaration.
func declNames(d ast.Decl) []string {
	switch d := d.(type) {
	case *ast.FuncDecl:
		if d.Recv != nil && len(d.Recv.List) == 1 {
			return []string{receiverType(d.Recv.List[0].Type) + "." + d.Name.Name}
		}
		return []string{d.Name.Name}
	case *ast.GenDecl:
		var names []string
		for _, s := range d.Specs {
			switch s := s.(type) {
			case *ast.TypeSpec:
				names = append(names, s.Name.Name)
			case *ast.ValueSpec:
				for _, n := range s.Names {
					if n.Name != "_" {
						names = append(names, n.Name)
					}
				}
			}
		}
		return names
	}
	return nil
}

// receiverType names the type of a method receiver: T, *T, T[K], *T[K, V] -> T.
func receiverType(e ast.Expr) string {
	for {
		switch t := e.(type) {
		case *ast.StarExpr:
			e = t.X
		case *ast.ParenExpr:
			e = t.X
		case *ast.IndexExpr:
			e = t.X
		case *ast.IndexListExpr:
			e = t.X
		case *ast.Ident:
			return t.Name
		default:
			return "?"
		}
	}
}

// selectedDecl is a declaration of the file a marker selects.
type selectedDecl struct {
	key string // the first marker name selecting it
	goDecl
}

// errNotDeclared is a marker name the file does not declare.
type errNotDeclared struct{ name, file string }

func (e *errNotDeclared) Error() string {
	return fmt.Sprintf("%s is not a top-level declaration of %s", e.name, e.file)
}

// selectDecls picks the declarations named by m from its file, in the marker's
// order (a group named twice appears once); index maps each name to its entry.
func selectDecls(root string, m Mirror) (sel []selectedDecl, index map[string]int, err error) {
	path := filepath.Join(root, m.File)
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	ds, err := parseDecls(path, src)
	if err != nil {
		return nil, nil, fmt.Errorf("file does not parse: %w", err)
	}
	byName := map[string]int{}
	for i, d := range ds.decls {
		for _, n := range d.names {
			if _, dup := byName[n]; !dup {
				byName[n] = i
			}
		}
	}
	index = map[string]int{}
	taken := map[int]int{} // file decl -> entry of sel
	for _, n := range m.Decls {
		i, ok := byName[n]
		if !ok {
			return nil, nil, &errNotDeclared{n, m.File}
		}
		if k, ok := taken[i]; ok {
			index[n] = k
			continue
		}
		taken[i] = len(sel)
		index[n] = len(sel)
		sel = append(sel, selectedDecl{key: n, goDecl: ds.decls[i]})
	}
	return sel, index, nil
}

// compareDecls checks a declaration mirror against its file.
func compareDecls(root string, m Mirror) *Mismatch {
	bad := func(decl, format string, args ...any) *Mismatch {
		return &Mismatch{Mirror: m, Decl: decl, Reason: fmt.Sprintf(format, args...)}
	}
	want, index, err := selectDecls(root, m)
	var nd *errNotDeclared
	switch {
	case errors.Is(err, os.ErrNotExist):
		return bad("", "file missing (a declaration mirror copies file -> cell: fix the marker)")
	case errors.As(err, &nd):
		return bad(nd.name, "%v (fix the marker or the file)", err)
	case err != nil:
		return bad("", "%v", err)
	}
	cell, err := parseDecls("cell", []byte("package cell\n"+m.Code))
	switch {
	case err != nil:
		return bad("", "cell is not valid Go declarations: %v", err)
	case cell.imports:
		return bad("", "the cell holds an import; a declaration mirror holds only the named declarations (imports go in the notebook's import cell)")
	case len(cell.stray) > 0:
		return bad("", "the cell holds a comment outside the named declarations: %s", cell.stray[0])
	}
	seen := make([]bool, len(want))
	last, ordered := -1, true
	for _, c := range cell.decls {
		i := -1
		for _, n := range c.names {
			if k, ok := index[n]; ok {
				i = k
				break
			}
		}
		if i < 0 {
			label := "a blank declaration"
			if len(c.names) > 0 {
				label = c.names[0]
			}
			return bad(label, "%s is in the cell but not named in the marker", label)
		}
		key := want[i].key
		if seen[i] {
			return bad(key, "%s is in the cell twice", key)
		}
		seen[i] = true
		if i < last {
			ordered = false
		}
		last = i
		if c.text != want[i].text {
			if line, a, b, ok := firstDiff(c.text, want[i].text); ok {
				return bad(key, "%s differs from the file at line %d of the declaration after gofmt:\n    cell: %s\n    file: %s", key, line, a, b)
			}
			return bad(key, "%s differs from the file", key)
		}
	}
	for i, w := range want {
		if !seen[i] {
			return bad(w.key, "%s is missing from the cell", w.key)
		}
	}
	if !ordered {
		return bad("", "the cell's declarations are not in the marker's order (%s)", strings.Join(m.Decls, ", "))
	}
	return nil
}

// declCellCode is what a declaration-mirrored cell must hold after its marker line.
func declCellCode(root string, m Mirror) (string, error) {
	sel, _, err := selectDecls(root, m)
	if err != nil {
		return "", fmt.Errorf("%s: %w", m, err)
	}
	texts := make([]string, len(sel))
	for i, d := range sel {
		texts[i] = d.text
	}
	return strings.Join(texts, "\n\n"), nil
}

// writeDeclCells rewrites the declaration-mirrored cells ms of notebook path
// that differ from their files (file -> cell), keeping each marker line and
// the rest of the .ipynb byte for byte. It reports whether it wrote the file.
func writeDeclCells(root, path string, ms []Mirror) (bool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return false, err
	}
	nb, err := Parse(b)
	if err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	spans, err := cellSourceSpans(b)
	if err != nil || len(spans) != len(nb.Cells) {
		return false, fmt.Errorf("%s: cannot locate the cells' sources in the JSON (%v)", path, err)
	}
	type edit struct {
		start, end int
		text       []byte
	}
	var edits []edit
	want := map[int]string{}
	for _, m := range ms {
		if Compare(root, m) == nil {
			continue
		}
		code, err := declCellCode(root, m)
		if err != nil {
			return false, err
		}
		src := strings.TrimLeft(string(nb.Cells[m.Cell].Source), " \t\r\n")
		marker, _, _ := strings.Cut(src, "\n")
		text := strings.TrimRight(marker, " \t\r") + "\n" + code
		sp := spans[m.Cell]
		if sp[0] < 0 {
			return false, fmt.Errorf("%s: cell has no source", m)
		}
		edits = append(edits, edit{sp[0], sp[1], encodeSource(b, sp[0], sp[1], text)})
		want[m.Cell] = text
	}
	if len(edits) == 0 {
		return false, nil
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].start > edits[j].start })
	out := append([]byte{}, b...)
	for _, e := range edits {
		out = append(out[:e.start:e.start], append(e.text, out[e.end:]...)...)
	}
	after, err := Parse(out)
	if err != nil {
		return false, fmt.Errorf("%s: rewriting mirrored cells would break the notebook: %w", path, err)
	}
	for i, text := range want {
		if string(after.Cells[i].Source) != text {
			return false, fmt.Errorf("%s: rewriting cell %d went wrong (nothing written)", path, i+1)
		}
	}
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	return true, os.WriteFile(path, out, mode)
}

// cellSourceSpans returns, for each cell of the notebook JSON b, the byte
// span of its "source" value ({-1, -1} when it has none).
func cellSourceSpans(b []byte) ([][2]int, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	expect := func(d json.Delim) error {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		if t != d {
			return fmt.Errorf("want %v, got %v", d, t)
		}
		return nil
	}
	if err := expect('{'); err != nil {
		return nil, err
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, err
		}
		if key != "cells" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, err
			}
			continue
		}
		if err := expect('['); err != nil {
			return nil, err
		}
		var spans [][2]int
		for dec.More() {
			if err := expect('{'); err != nil {
				return nil, err
			}
			span := [2]int{-1, -1}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				var v json.RawMessage
				if err := dec.Decode(&v); err != nil {
					return nil, err
				}
				if k == "source" {
					end := int(dec.InputOffset())
					if start := end - len(v); start < 0 || !bytes.Equal(b[start:end], v) {
						return nil, fmt.Errorf("source of cell %d not found at offset %d", len(spans)+1, end)
					}
					span = [2]int{end - len(v), end}
				}
			}
			if err := expect('}'); err != nil {
				return nil, err
			}
			spans = append(spans, span)
		}
		return spans, nil
	}
	return nil, fmt.Errorf("no cells")
}

// encodeSource encodes text as the JSON value replacing b[start:end], in the
// same style: a list of lines (nbformat's, one per line with the original's
// indentation) or a single string.
func encodeSource(b []byte, start, end int, text string) []byte {
	orig := b[start:end]
	if len(orig) == 0 || orig[0] != '[' {
		return jsonString(text)
	}
	var lines [][]byte
	for rest := text; rest != ""; {
		line, tail, found := strings.Cut(rest, "\n")
		if found {
			line += "\n"
		}
		lines = append(lines, jsonString(line))
		rest = tail
	}
	nl := bytes.IndexByte(orig, '\n')
	if nl < 0 { // [ "a\n", "b" ] on one line
		return append(append([]byte("["), bytes.Join(lines, []byte(", "))...), ']')
	}
	lineStart := bytes.LastIndexByte(b[:start], '\n') + 1
	outer := leadingSpace(b[lineStart:start])
	inner := leadingSpace(orig[nl+1:])
	if len(inner) == 0 || orig[nl+1+len(inner)] == ']' { // an empty list spread over lines
		inner = append(append([]byte{}, outer...), ' ')
	}
	var out bytes.Buffer
	out.WriteString("[\n")
	for i, l := range lines {
		out.Write(inner)
		out.Write(l)
		if i < len(lines)-1 {
			out.WriteByte(',')
		}
		out.WriteByte('\n')
	}
	out.Write(outer)
	out.WriteByte(']')
	return out.Bytes()
}

func leadingSpace(b []byte) []byte {
	n := 0
	for n < len(b) && (b[n] == ' ' || b[n] == '\t') {
		n++
	}
	return b[:n]
}

// jsonString encodes s as Jupyter does (no HTML escaping).
func jsonString(s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}
