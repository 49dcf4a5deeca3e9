package experiment

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tfm-course/course/tfm/notebook"
)

// Generated result blocks: the course's documents quote experiment results
// only through blocks generated from the committed results.json, so a
// table cannot drift from its results file (`tfm experiment tables`
// rewrites them, `--check` and TestCommittedBlocksAreGenerated fail on a
// stale one). A block is
//
//	<!-- tfm:results DIR KIND ARGS… -->…<!-- /tfm:results -->
//
// in README.md, tfm/**/README.md or a markdown cell of notebooks/*.ipynb,
// with DIR a results folder relative to the repository root
// (tfm/experiment/results/NAME, NAME a registered experiment) and KIND:
//
//	table TASK                     the task's table (Report.Table), then a line naming the
//	                               results file, the seeds, the run time and cores, and the
//	                               command that measures the results again
//	figure NAME                    the figure NAME.svg of DIR (Report.Figures), as a Markdown image
//	run                            inline: the command and its recorded run time
//	mean VARIANT TASK METRIC       inline: the mean over seeds ("0.815")
//	meansd VARIANT TASK METRIC     inline: mean ± sd ("0.815 ± 0.071")
//
// Arguments with spaces are double-quoted ("random masking"). A results
// folder not yet committed fills table, figure and run blocks with the
// command that will produce it; inline numbers need the results.
const (
	BlockOpen  = "<!-- tfm:results "
	BlockClose = "<!-- /tfm:results -->"
)

// ResultsRoot is where committed results live (relative to the repository
// root): ResultsRoot/NAME for experiment NAME.
const ResultsRoot = "tfm/experiment/results"

// Block is one generated block of a document.
type Block struct {
	File string // the document, relative to the repository root
	Cell int    // the notebook cell (0-based), -1 outside notebooks
	Line int    // the line of the opening marker (1-based, in the file or the cell)
	Spec string // the marker's text: DIR KIND ARGS…
	// Have is the block's content now, Want what its results generate.
	Have, Want string
	start, end int // Have's byte span in the file (or cell source)
}

// Stale reports whether the block differs from what its results generate.
func (b Block) Stale() bool { return b.Have != b.Want }

// Where is "FILE:LINE" or "FILE cell N line L".
func (b Block) Where() string {
	if b.Cell >= 0 {
		return fmt.Sprintf("%s cell %d line %d", b.File, b.Cell+1, b.Line)
	}
	return fmt.Sprintf("%s:%d", b.File, b.Line)
}

// DocFiles lists the documents under root that may hold blocks: README.md,
// every README.md under tfm/, notebooks/*.ipynb.
func DocFiles(root string) ([]string, error) {
	files := []string{"README.md"}
	err := filepath.WalkDir(filepath.Join(root, "tfm"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && d.Name() == "README.md" {
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	nbs, err := filepath.Glob(filepath.Join(root, "notebooks", "*.ipynb"))
	if err != nil {
		return nil, err
	}
	for _, p := range nbs {
		rel, _ := filepath.Rel(root, p)
		files = append(files, filepath.ToSlash(rel))
	}
	var out []string
	for _, f := range files {
		if _, err := os.Stat(filepath.Join(root, f)); err == nil {
			out = append(out, f)
		}
	}
	slices.Sort(out)
	return out, nil
}

// Blocks finds every block of the documents under root and generates
// each from its results (Block.Want).
func Blocks(root string) ([]Block, error) {
	g := &generator{root: root, reports: map[string]*Report{}}
	files, err := DocFiles(root)
	if err != nil {
		return nil, err
	}
	var all []Block
	for _, f := range files {
		bs, _, err := g.file(f, false)
		if err != nil {
			return all, err
		}
		all = append(all, bs...)
	}
	return all, nil
}

// RewriteBlocks rewrites every stale block of the documents under root
// (notebooks keep their JSON formatting, see notebook.RewriteSources) and
// returns all blocks (as they were) and the files it changed.
func RewriteBlocks(root string) (blocks []Block, changed []string, err error) {
	g := &generator{root: root, reports: map[string]*Report{}}
	files, err := DocFiles(root)
	if err != nil {
		return nil, nil, err
	}
	for _, f := range files {
		bs, wrote, err := g.file(f, true)
		blocks = append(blocks, bs...)
		if err != nil {
			return blocks, changed, err
		}
		if wrote {
			changed = append(changed, f)
		}
	}
	return blocks, changed, nil
}

// generator generates blocks, reading each results folder once.
type generator struct {
	root    string
	reports map[string]*Report // nil: not committed yet
}

// file finds (and with write, rewrites) the blocks of document f.
func (g *generator) file(f string, write bool) ([]Block, bool, error) {
	path := filepath.Join(g.root, f)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, false, err
	}
	if !strings.HasSuffix(f, ".ipynb") {
		bs, err := g.text(f, -1, string(b))
		if err != nil || !write || !anyStale(bs) {
			return bs, false, err
		}
		return bs, true, writeKeepingMode(path, []byte(apply(string(b), bs)))
	}
	nb, err := notebook.Parse(b)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", f, err)
	}
	var all []Block
	bycell := map[int][]Block{}
	for i, c := range nb.Cells {
		if c.CellType != "markdown" || !strings.Contains(string(c.Source), BlockOpen) {
			continue
		}
		bs, err := g.text(f, i, string(c.Source))
		if err != nil {
			return all, false, err
		}
		all = append(all, bs...)
		bycell[i] = bs
	}
	if !write || !anyStale(all) {
		return all, false, nil
	}
	out, changed, err := notebook.RewriteSources(b, func(i int, c notebook.Cell) (string, bool) {
		bs, ok := bycell[i]
		if !ok || !anyStale(bs) {
			return "", false
		}
		return apply(string(c.Source), bs), true
	})
	if err != nil {
		return all, false, fmt.Errorf("%s: %w", f, err)
	}
	if !changed {
		return all, false, nil
	}
	return all, true, writeKeepingMode(path, out)
}

func anyStale(bs []Block) bool {
	for _, b := range bs {
		if b.Stale() {
			return true
		}
	}
	return false
}

// apply replaces each block's content in s by what it should be.
func apply(s string, bs []Block) string {
	for i := len(bs) - 1; i >= 0; i-- {
		b := bs[i]
		s = s[:b.start] + b.Want + s[b.end:]
	}
	return s
}

func writeKeepingMode(path string, b []byte) error {
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	tmp := path + ".tfm-tmp"
	if err := os.WriteFile(tmp, b, mode); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// text finds and generates the blocks of s (a file's or a cell's text).
func (g *generator) text(file string, cell int, s string) ([]Block, error) {
	var out []Block
	where := func(off int) string {
		line := strings.Count(s[:off], "\n") + 1
		if cell >= 0 {
			return fmt.Sprintf("%s cell %d line %d", file, cell+1, line)
		}
		return fmt.Sprintf("%s:%d", file, line)
	}
	code := codeRanges(s)
	// find is the offset of the first sub in s from off outside code, or -1.
	find := func(sub string, off int) int {
		for {
			i := strings.Index(s[off:], sub)
			if i < 0 {
				return -1
			}
			if !inRanges(code, off+i) {
				return off + i
			}
			off += i + 1
		}
	}
	for off := 0; ; {
		i := find(BlockOpen, off)
		if j := find(BlockClose, off); j >= 0 && (i < 0 || j < i) {
			return out, fmt.Errorf("%s: %s without its opening marker", where(j), BlockClose)
		}
		if i < 0 {
			return out, nil
		}
		e := strings.Index(s[i:], "-->")
		if e < 0 {
			return out, fmt.Errorf("%s: unterminated %s marker", where(i), strings.TrimSpace(BlockOpen))
		}
		spec := strings.TrimSpace(s[i+len(BlockOpen) : i+e])
		start := i + e + len("-->")
		end := find(BlockClose, start)
		if n := find(BlockOpen, start); end < 0 || (n >= 0 && n < end) {
			return out, fmt.Errorf("%s: block %q has no %s", where(i), spec, BlockClose)
		}
		want, err := g.generate(file, spec)
		if err != nil {
			return out, fmt.Errorf("%s: %w", where(i), err)
		}
		out = append(out, Block{File: file, Cell: cell, Line: strings.Count(s[:i], "\n") + 1, Spec: spec,
			Have: s[start:end], Want: want, start: start, end: end})
		off = end + len(BlockClose)
	}
}

// codeRanges are the byte ranges of s that are Markdown code: fenced
// blocks (``` or ~~~ lines and what they enclose) and inline code spans
// (between matching runs of backticks on a line). Markers there are text
// about blocks (documentation), not blocks.
func codeRanges(s string) [][2]int {
	var out [][2]int
	fence, fenceStart := "", 0
	for off := 0; off < len(s); {
		end := strings.IndexByte(s[off:], '\n')
		if end < 0 {
			end = len(s)
		} else {
			end += off + 1
		}
		line := s[off:end]
		t := strings.TrimSpace(line)
		switch {
		case fence != "":
			if strings.HasPrefix(t, fence) {
				out = append(out, [2]int{fenceStart, end})
				fence = ""
			}
		case strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~"):
			fence, fenceStart = t[:3], off
		default:
			for i := 0; i < len(line); {
				if line[i] != '`' {
					i++
					continue
				}
				n := 1
				for i+n < len(line) && line[i+n] == '`' {
					n++
				}
				run := strings.Repeat("`", n)
				j := strings.Index(line[i+n:], run)
				if j < 0 {
					break
				}
				out = append(out, [2]int{off + i, off + i + n + j + n})
				i += n + j + n
			}
		}
		off = end
	}
	if fence != "" {
		out = append(out, [2]int{fenceStart, len(s)})
	}
	return out
}

func inRanges(rs [][2]int, i int) bool {
	for _, r := range rs {
		if i >= r[0] && i < r[1] {
			return true
		}
	}
	return false
}

// report reads (once) the results of dir; nil when not committed yet.
func (g *generator) report(dir string) (*Report, error) {
	if r, ok := g.reports[dir]; ok {
		return r, nil
	}
	clean := filepath.ToSlash(filepath.Clean(dir))
	name := filepath.Base(clean)
	if filepath.ToSlash(filepath.Dir(clean)) != ResultsRoot {
		return nil, fmt.Errorf("results folder %q: want %s/NAME", dir, ResultsRoot)
	}
	if _, ok := Experiments[name]; !ok {
		return nil, fmt.Errorf("results folder %q: %q is not an experiment%s (want one of %s)", dir, name, suggest(name, Names()), strings.Join(Names(), ", "))
	}
	var r *Report
	if _, err := os.Stat(filepath.Join(g.root, clean, ResultsFile)); err == nil {
		if r, err = ReadReport(filepath.Join(g.root, clean)); err != nil {
			return nil, err
		}
		if r.Name != name {
			return nil, fmt.Errorf("%s/%s holds experiment %q, not %q", clean, ResultsFile, r.Name, name)
		}
	}
	g.reports[dir] = r
	return r, nil
}

// generate is the content of the block spec in document file.
func (g *generator) generate(file, spec string) (string, error) {
	args, err := splitArgs(spec)
	if err != nil {
		return "", fmt.Errorf("block %q: %w", spec, err)
	}
	kinds := []string{"table", "figure", "run", "mean", "meansd"}
	if len(args) < 2 {
		return "", fmt.Errorf("block %q: want DIR KIND ARGS… (KIND one of %s)", spec, strings.Join(kinds, ", "))
	}
	dir, kind, rest := filepath.ToSlash(filepath.Clean(args[0])), args[1], args[2:]
	nargs := map[string]int{"table": 1, "figure": 1, "run": 0, "mean": 3, "meansd": 3}
	n, ok := nargs[kind]
	if !ok {
		return "", fmt.Errorf("block %q: unknown kind %q%s (want one of %s)", spec, kind, suggest(kind, kinds), strings.Join(kinds, ", "))
	}
	if len(rest) != n {
		return "", fmt.Errorf("block %q: %s takes %d arguments, got %d", spec, kind, n, len(rest))
	}
	r, err := g.report(dir)
	if err != nil {
		return "", err
	}
	name := filepath.Base(dir)
	if r == nil {
		cmd := "tfm experiment " + name + " --out " + dir
		switch kind {
		case "run":
			return fmt.Sprintf("`%s` (no committed results yet)", cmd), nil
		case "table", "figure":
			return fmt.Sprintf("\n\n_No committed results yet: `%s`, then `tfm experiment tables`._\n\n", cmd), nil
		}
		return "", fmt.Errorf("block %q: %s/%s is not committed (run `%s`)", spec, dir, ResultsFile, cmd)
	}
	switch kind {
	case "table":
		t := r.Table(rest[0])
		if t == "" {
			return "", fmt.Errorf("block %q: %s has no task %q (tasks: %s)", spec, dir, rest[0], strings.Join(r.TaskNames(), ", "))
		}
		return "\n\n" + t + "\n" + r.sourceNote(dir) + "\n\n", nil
	case "figure":
		figs := r.Figures()
		if _, ok := figs[rest[0]]; !ok {
			names := make([]string, 0, len(figs))
			for k := range figs {
				names = append(names, k)
			}
			slices.Sort(names)
			return "", fmt.Errorf("block %q: %s has no figure %q%s (figures: %s)", spec, dir, rest[0], suggest(rest[0], names), strings.Join(names, ", "))
		}
		rel, err := filepath.Rel(filepath.Dir(filepath.Join(g.root, file)), filepath.Join(g.root, dir, rest[0]+".svg"))
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("\n\n![%s: %s](%s)\n\n", name, strings.ReplaceAll(rest[0], "_", " "), filepath.ToSlash(rel)), nil
	case "run":
		return fmt.Sprintf("`%s` (%s)", r.command(dir), r.runTime()), nil
	}
	s, ok := r.Get(rest[0], rest[1], rest[2])
	if !ok {
		return "", fmt.Errorf("block %q: %s has no %s / %s / %s", spec, dir, rest[0], rest[1], rest[2])
	}
	if kind == "meansd" && len(s.Seeds) > 1 {
		return fmtNum(s.Mean) + " ± " + fmtNum(s.Std), nil
	}
	return fmtNum(s.Mean), nil
}

// command is the recorded command line, or the default run of the
// experiment into dir (what reproduces a full-size run).
func (r *Report) command(dir string) string {
	if r.Config.Command != "" {
		return r.Config.Command
	}
	return "tfm experiment " + r.Name + " --out " + dir
}

// runTime is "seeds 1, 2, 3; 5m37s on 2 cores".
func (r *Report) runTime() string {
	seeds := make([]string, len(r.Config.Seeds))
	for i, s := range r.Config.Seeds {
		seeds[i] = strconv.FormatInt(s, 10)
	}
	word := "seeds"
	if len(seeds) == 1 {
		word = "seed"
	}
	cores := ", cores not recorded"
	if r.Cores > 0 {
		cores = fmt.Sprintf(" on %d cores", r.Cores)
	}
	return fmt.Sprintf("%s %s; %s%s", word, strings.Join(seeds, ", "), r.Elapsed.Round(time.Second), cores)
}

// sourceNote is the line under a generated table.
func (r *Report) sourceNote(dir string) string {
	mode := ""
	if r.Config.Quick {
		mode = ", quick mode"
	}
	return fmt.Sprintf("_Mean ± sd over seeds, generated from `%s/%s` (%s%s) by `tfm experiment tables`; measured by `%s`._",
		dir, ResultsFile, r.runTime(), mode, r.command(dir))
}

// splitArgs splits a marker's text at spaces, keeping double-quoted
// arguments whole (strconv.Unquote rules inside the quotes).
func splitArgs(s string) ([]string, error) {
	var out []string
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		if s[0] != '"' {
			i := strings.IndexAny(s, " \t\n")
			if i < 0 {
				i = len(s)
			}
			out = append(out, s[:i])
			s = s[i:]
			continue
		}
		end := -1
		for i := 1; i < len(s); i++ {
			if s[i] == '\\' {
				i++
				continue
			}
			if s[i] == '"' {
				end = i
				break
			}
		}
		if end < 0 {
			return nil, fmt.Errorf("unterminated quote in %q", s)
		}
		a, err := strconv.Unquote(s[:end+1])
		if err != nil {
			return nil, fmt.Errorf("bad quoted argument %s: %w", s[:end+1], err)
		}
		out = append(out, a)
		s = s[end+1:]
	}
	return out, nil
}
