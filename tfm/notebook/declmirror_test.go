package notebook

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseMarker(t *testing.T) {
	good := []struct {
		line  string
		file  string
		decls []string
	}{
		{"//tfm:mirror tfm/pretrain/losses.go", "tfm/pretrain/losses.go", nil},
		{"//tfm:mirror tfm/pretrain/losses.go:NTXent", "tfm/pretrain/losses.go", []string{"NTXent"}},
		{"//tfm:mirror tfm/pretrain/balance.go:GradNorm,GradNorm.Balance,DWA", "tfm/pretrain/balance.go", []string{"GradNorm", "GradNorm.Balance", "DWA"}},
		{"  //tfm:mirror  tfm/x/x.go:A, B.c ,δ  ", "tfm/x/x.go", []string{"A", "B.c", "δ"}},
	}
	for _, g := range good {
		file, decls, err := ParseMarker(g.line)
		if err != nil || file != g.file || !reflect.DeepEqual(decls, g.decls) {
			t.Errorf("ParseMarker(%q) = %q, %q, %v; want %q, %q", g.line, file, decls, err, g.file, g.decls)
		}
	}
	bad := map[string]string{ // marker -> part of the error
		"//tfm:mirror":                      "no .go file",
		"//tfm:mirror tfm/x/":               "no .go file",
		"//tfm:mirror tfm/x/notes.md:F":     "no .go file",
		"//tfm:mirror tfm/x/x.go.txt":       "no .go file",
		"//tfm:mirror /abs/x.go:F":          "relative to the repository root",
		"//tfm:mirror ../x.go:F":            "relative to the repository root",
		"//tfm:mirror tfm/x/x.go:":          "empty declaration name",
		"//tfm:mirror tfm/x/x.go:F,,G":      "empty declaration name",
		"//tfm:mirror tfm/x/x.go:1F":        `"1F" is not a Go identifier`,
		"//tfm:mirror tfm/x/x.go:F()":       "not a Go identifier",
		"//tfm:mirror tfm/x/x.go:(*T).M":    "not a Go identifier",
		"//tfm:mirror tfm/x/x.go:a.b.c":     "Type.Method",
		"//tfm:mirror tfm/x/x.go:F,F":       "twice",
		"//tfm:mirror tfm/x/x.go:init":      "GoNB",
		"//tfm:mirror tfm/x/x.go:_":         "blank",
		"//tfm:mirrorx tfm/x/x.go":          "not a mirror marker",
		"// tfm:mirror tfm/x/x.go:Function": "not a mirror marker",
	}
	for line, want := range bad {
		if _, _, err := ParseMarker(line); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseMarker(%q): err = %v, want one saying %q", line, err, want)
		}
	}
}

// A file with more than the notebook mirrors: an import, a header, other declarations.
const shapesFile = `// Package demo has shapes.
package demo

import (
	"fmt"
	"math"
)

// Kind of a shape.
type Kind int

const (
	Circle Kind = iota // round
	Square             // four sides
)

// Shape is a circle or a square.
type Shape struct {
	Kind Kind
	Size float64
}

// Area of s.
func (s Shape) Area() float64 {
	if s.Kind == Circle {
		return math.Pi * s.Size * s.Size
	}
	return s.Size * s.Size
}

// Counter counts shapes.
type Counter struct{ n map[Kind]int }

// Add counts s.
func (c *Counter) Add(s Shape) {
	if c.n == nil {
		c.n = map[Kind]int{}
	}
	c.n[s.Kind]++ // one more
}

// Count of kind k.
func (c *Counter) Count(k Kind) int { return c.n[k] }

var (
	// Unit shapes.
	UnitCircle = Shape{Circle, 1}
	UnitSquare = Shape{Square, 1}
)

// Describe is not mirrored.
func Describe(s Shape) string { return fmt.Sprint(s) }

// Set is generic.
type Set[T comparable] map[T]bool

// Has reports whether v is in s.
func (s *Set[T]) Has(v T) bool { return (*s)[v] }
`

// The cell: formatted differently (gofmt-equal), only the named declarations, in the marker's order.
const shapesCell = `//tfm:mirror tfm/demo/demo.go:Counter,Counter.Add,Counter.Count,UnitSquare,Set.Has
// Counter counts shapes.
type Counter struct{ n map[Kind]int }

// Add counts s.
func (c *Counter) Add(s Shape) {
    if c.n == nil { c.n = map[Kind]int{} }
    c.n[s.Kind]++   // one more
}

// Count of kind k.
func (c *Counter) Count(k Kind) int { return c.n[k] }

var (
	// Unit shapes.
	UnitCircle = Shape{Circle, 1}
	UnitSquare = Shape{Square, 1}
)

// Has reports whether v is in s.
func (s *Set[T]) Has(v T) bool { return (*s)[v] }`

func TestDeclMirrorCheckPassesOnInSyncCell(t *testing.T) {
	root, nb := writeMirrorRepo(t, shapesCell, shapesFile)
	mm, err := Check(root, []string{nb})
	if err != nil || len(mm) != 0 {
		t.Fatalf("Check = %v, %v; want in sync", mm, err)
	}
	n, _ := Read(nb)
	ms, err := Mirrors(n)
	if err != nil || len(ms) != 1 {
		t.Fatal(ms, err)
	}
	if want := []string{"Counter", "Counter.Add", "Counter.Count", "UnitSquare", "Set.Has"}; !reflect.DeepEqual(ms[0].Decls, want) {
		t.Errorf("Decls = %q, want %q", ms[0].Decls, want)
	}
	if s := ms[0].String(); !strings.HasSuffix(s, "<-> tfm/demo/demo.go:Counter,Counter.Add,Counter.Count,UnitSquare,Set.Has") {
		t.Errorf("String() = %q", s)
	}
}

func TestDeclMirrorGroupsAndValueMethods(t *testing.T) {
	cell := `//tfm:mirror tfm/demo/demo.go:Square,Shape,Shape.Area
const (
	Circle Kind = iota // round
	Square             // four sides
)

// Shape is a circle or a square.
type Shape struct {
	Kind Kind
	Size float64
}

// Area of s.
func (s Shape) Area() float64 {
	if s.Kind == Circle {
		return math.Pi * s.Size * s.Size
	}
	return s.Size * s.Size
}
`
	root, nb := writeMirrorRepo(t, cell, shapesFile)
	if mm, err := Check(root, []string{nb}); err != nil || len(mm) != 0 {
		t.Fatalf("Check = %v, %v; want in sync (Square selects its const group)", mm, err)
	}
	// Naming two members of one group selects it once.
	root, nb = writeMirrorRepo(t, strings.Replace(cell, ":Square,", ":Square,Circle,", 1), shapesFile)
	if mm, err := Check(root, []string{nb}); err != nil || len(mm) != 0 {
		t.Fatalf("Check = %v, %v; want in sync", mm, err)
	}
}

// mismatchOf runs Check on one cell and returns its only mismatch.
func mismatchOf(t *testing.T, cell, file string) Mismatch {
	t.Helper()
	root, nb := writeMirrorRepo(t, cell, file)
	mm, err := Check(root, []string{nb})
	if err != nil {
		t.Fatal(err)
	}
	if len(mm) != 1 {
		t.Fatalf("Check found %d mismatches, want 1: %v", len(mm), mm)
	}
	return mm[0]
}

func TestDeclMirrorCheckNamesTheDeclaration(t *testing.T) {
	cases := []struct {
		name, cell, decl string
		want             []string // in the message
	}{
		{"edited method body", strings.Replace(shapesCell, "c.n[s.Kind]++", "c.n[s.Kind] += 2", 1), "Counter.Add",
			[]string{"Counter.Add differs from the file at line", "c.n[s.Kind] += 2", "c.n[s.Kind]++"}},
		{"edited doc comment", strings.Replace(shapesCell, "// Count of kind k.", "// Count of k.", 1), "Counter.Count",
			[]string{"Counter.Count differs", "line 1"}},
		{"var group cut down", strings.Replace(shapesCell, "\tUnitCircle = Shape{Circle, 1}\n", "", 1), "UnitSquare",
			[]string{"UnitSquare differs"}},
		{"unknown declaration", strings.Replace(shapesCell, ",Set.Has", ",Set.Has,Triangle", 1), "Triangle",
			[]string{"Triangle is not a top-level declaration of tfm/demo/demo.go"}},
		{"method on the wrong type", strings.Replace(shapesCell, ":Counter,", ":Counter,Shape.Add,", 1), "Shape.Add",
			[]string{"Shape.Add is not a top-level declaration"}},
		{"not named", strings.Replace(shapesCell, ",Counter.Count,", ",", 1), "Counter.Count",
			[]string{"Counter.Count is in the cell but not named in the marker"}},
		{"extra declaration", shapesCell + "\n\nfunc helper() {}\n", "helper",
			[]string{"helper is in the cell but not named"}},
		{"missing from the cell", strings.Replace(shapesCell, ":Counter,", ":Counter,Describe,", 1), "Describe",
			[]string{"Describe is missing from the cell"}},
		{"twice", shapesCell + "\n\n// Count of kind k.\nfunc (c *Counter) Count(k Kind) int { return c.n[k] }\n", "Counter.Count",
			[]string{"in the cell twice"}},
		{"order", strings.Replace(shapesCell, ":Counter,Counter.Add,", ":Counter.Add,Counter,", 1), "",
			[]string{"not in the marker's order (Counter.Add, Counter, Counter.Count"}},
		{"import in the cell", strings.Replace(shapesCell, "\n// Counter counts", "\nimport \"math\"\n\n// Counter counts", 1), "",
			[]string{"holds an import", "import cell"}},
		{"stray comment", shapesCell + "\n\n// TODO: more shapes\n", "",
			[]string{"comment outside the named declarations: // TODO: more shapes"}},
		{"not Go", shapesCell + "\nx := 1\n", "", []string{"not valid Go declarations"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := mismatchOf(t, c.cell, shapesFile)
			if m.Decl != c.decl {
				t.Errorf("Decl = %q, want %q (%s)", m.Decl, c.decl, m)
			}
			msg := m.String()
			for _, w := range append([]string{"01_demo.ipynb cell 2 (code cell 1)", "tfm/demo/demo.go:"}, c.want...) {
				if !strings.Contains(msg, w) {
					t.Errorf("mismatch %q does not say %q", msg, w)
				}
			}
		})
	}
	m := mismatchOf(t, shapesCell, "")
	if !strings.Contains(m.Reason, "file missing") {
		t.Errorf("no file: %s", m)
	}
}

func TestDeclMirrorRejectsGoNBCommands(t *testing.T) {
	for name, cell := range map[string]string{
		"%%":       shapesCell + "\n%%\nfmt.Println(UnitSquare)\n",
		"%test":    shapesCell + "\n%test\n",
		"!shell":   shapesCell + "\n!ls\n",
		"bad name": strings.Replace(shapesCell, ":Counter,", ":Counter,a.b.c,", 1),
	} {
		root, nb := writeMirrorRepo(t, cell, shapesFile)
		if _, err := Check(root, []string{nb}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// nbformatJSON writes a notebook as Jupyter does (indent 1, source as a list of lines).
func nbformatJSON(t *testing.T, cells ...string) []byte {
	t.Helper()
	type cell struct {
		CellType       string   `json:"cell_type"`
		ExecutionCount *int     `json:"execution_count,omitempty"`
		Metadata       struct{} `json:"metadata"`
		Outputs        []string `json:"outputs"`
		Source         []string `json:"source"`
	}
	var nb struct {
		Cells         []cell            `json:"cells"`
		Metadata      map[string]string `json:"metadata"`
		NBFormat      int               `json:"nbformat"`
		NBFormatMinor int               `json:"nbformat_minor"`
	}
	nb.NBFormat, nb.NBFormatMinor, nb.Metadata = 4, 5, map[string]string{"note": "<kept> & \"quoted\""}
	for i, c := range cells {
		kind := "code"
		if i == 0 {
			kind = "markdown"
		}
		var lines []string
		for rest := c; rest != ""; {
			l, tail, found := strings.Cut(rest, "\n")
			if found {
				l += "\n"
			}
			lines = append(lines, l)
			rest = tail
		}
		nb.Cells = append(nb.Cells, cell{CellType: kind, Outputs: []string{}, Source: lines})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	must(t, enc.Encode(nb))
	return buf.Bytes()
}

func TestDeclMirrorWriteCopiesFileToCell(t *testing.T) {
	root, _ := writeMirrorRepo(t, "", shapesFile)
	nb := filepath.Join(root, "notebooks", "02_shapes.ipynb")
	other := "%%\nfmt.Println(\"<τ & co>\")" // must stay byte for byte
	edited := strings.Replace(shapesCell, "c.n[s.Kind]++", "c.n[s.Kind] += 2", 1)
	edited = strings.Replace(edited, "// Count of kind k.\n", "", 1)
	must(t, os.WriteFile(nb, nbformatJSON(t, "# Shapes", "import \"math\"", edited, other), 0o644))

	mm, err := Check(root, []string{nb})
	if err != nil || len(mm) != 1 || mm[0].Decl != "Counter.Add" {
		t.Fatalf("Check = %v, %v; want Counter.Add to differ", mm, err)
	}
	changed, err := Write(root, []string{nb})
	if err != nil || len(changed) != 1 || changed[0] != nb {
		t.Fatalf("Write = %v, %v; want the notebook rewritten", changed, err)
	}
	if mm, err := Check(root, []string{nb}); err != nil || len(mm) != 0 {
		t.Fatalf("after Write: %v, %v", mm, err)
	}
	// The cell is the file's declarations gofmt-ed, and the rest of the notebook is unchanged.
	wantCell := `//tfm:mirror tfm/demo/demo.go:Counter,Counter.Add,Counter.Count,UnitSquare,Set.Has
// Counter counts shapes.
type Counter struct{ n map[Kind]int }

// Add counts s.
func (c *Counter) Add(s Shape) {
	if c.n == nil {
		c.n = map[Kind]int{}
	}
	c.n[s.Kind]++ // one more
}

// Count of kind k.
func (c *Counter) Count(k Kind) int { return c.n[k] }

var (
	// Unit shapes.
	UnitCircle = Shape{Circle, 1}
	UnitSquare = Shape{Square, 1}
)

// Has reports whether v is in s.
func (s *Set[T]) Has(v T) bool { return (*s)[v] }`
	got, _ := os.ReadFile(nb)
	if want := nbformatJSON(t, "# Shapes", "import \"math\"", wantCell, other); !bytes.Equal(got, want) {
		t.Errorf("rewritten notebook:\n%s\nwant:\n%s", got, want)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "tfm", "demo", "demo.go")); string(b) != shapesFile {
		t.Error("Write changed the file of a declaration mirror")
	}
	if again, err := Write(root, []string{nb}); err != nil || len(again) != 0 {
		t.Errorf("second Write = %v, %v", again, err)
	}
}

func TestDeclMirrorWriteSingleStringSource(t *testing.T) {
	// writeMirrorRepo stores the source as one JSON string.
	root, nb := writeMirrorRepo(t, strings.Replace(shapesCell, "c.n[s.Kind]++", "c.n[s.Kind]--", 1), shapesFile)
	if _, err := Write(root, []string{nb}); err != nil {
		t.Fatal(err)
	}
	if mm, err := Check(root, []string{nb}); err != nil || len(mm) != 0 {
		t.Fatalf("after Write: %v, %v", mm, err)
	}
	n, _ := Read(nb)
	if src := string(n.Cells[1].Source); !strings.HasPrefix(src, "//tfm:mirror tfm/demo/demo.go:Counter,") || !strings.Contains(src, "c.n[s.Kind]++ // one more") {
		t.Errorf("cell after Write:\n%s", src)
	}
}

func TestDeclMirrorWriteFailsOnUnknownDeclaration(t *testing.T) {
	root, nb := writeMirrorRepo(t, strings.Replace(shapesCell, ",Set.Has", ",Set.Has,Triangle", 1), shapesFile)
	before, _ := os.ReadFile(nb)
	if _, err := Write(root, []string{nb}); err == nil || !strings.Contains(err.Error(), "Triangle is not a top-level declaration") {
		t.Fatalf("Write: err = %v, want one naming Triangle", err)
	}
	if after, _ := os.ReadFile(nb); !bytes.Equal(before, after) {
		t.Error("a failed Write changed the notebook")
	}
}

// A notebook may mirror a file whole (cell -> file) and declarations of it in other cells (file -> cell);
// several cells may mirror declarations of one file.
func TestDeclAndWholeFileMirrorsOfOneFile(t *testing.T) {
	whole := "//tfm:mirror tfm/demo/demo.go\n// Twice doubles.\nfunc Twice(v int) int { return 2 * v }\n\n// Half halves.\nfunc Half(v int) int { return v / 2 }\n"
	root, _ := writeMirrorRepo(t, "", "")
	nb := filepath.Join(root, "notebooks", "03_two.ipynb")
	must(t, os.WriteFile(nb, []byte(notebookJSON(whole, "//tfm:mirror tfm/demo/demo.go:Half\nfunc Half(v int) int { return v / 3 }", "//tfm:mirror tfm/demo/demo.go:Twice\n")), 0o644))
	if _, err := Write(root, []string{nb}); err != nil {
		t.Fatal(err)
	}
	if mm, err := Check(root, []string{nb}); err != nil || len(mm) != 0 {
		t.Fatalf("after Write: %v, %v", mm, err)
	}
	n, _ := Read(nb)
	if got := string(n.Cells[3].Source); got != "//tfm:mirror tfm/demo/demo.go:Twice\n// Twice doubles.\nfunc Twice(v int) int { return 2 * v }" {
		t.Errorf("declaration cell = %q", got)
	}
}

// The fixture testdata/declmirror.ipynb mirrors declarations of testdata/declmirror/shapes.go
// (types, a const group, value and pointer methods, a var group, a generic func) and uses them
// from a %% cell: it is in sync, and GoNB runs it.
func TestDeclMirrorFixture(t *testing.T) {
	root, err := RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	mm, err := Check(root, []string{"testdata/declmirror.ipynb"})
	if err != nil || len(mm) != 0 {
		t.Fatalf("Check = %v, %v", mm, err)
	}
	requireToolchain(t)
	res, err := Run(context.Background(), []string{"testdata/declmirror.ipynb"}, Options{OutDir: t.TempDir(), NoHTML: true, Log: &strings.Builder{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := Summarize(res); err != nil {
		t.Fatalf("GoNB rejected the declaration mirrors:\n%v", err)
	}
	nb, err := Read(res[0].Executed)
	if err != nil {
		t.Fatal(err)
	}
	if s := allText(nb); !strings.Contains(s, "declaration mirrors ok: 2 circles") {
		t.Errorf("executed fixture lacks its output:\n%s", s)
	}
}
