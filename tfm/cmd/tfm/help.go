package main

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// help is the --help text of one (sub)command: what it does in one
// sentence, its usage line(s), one example command, optional notes; the
// flags follow.
type help struct {
	About   string // one sentence, ending in "."
	Usage   string // "tfm data synth --seed S --out DIR [--json]"; several lines allowed
	Example string // a command that works as written
	Notes   string // optional paragraph after the example
}

// write prints h (without the flags).
func (h help) write(w io.Writer) {
	fmt.Fprintf(w, "%s\n\nUsage:\n", h.About)
	for _, l := range strings.Split(h.Usage, "\n") {
		fmt.Fprintf(w, "  %s\n", l)
	}
	fmt.Fprintf(w, "\nExample:\n  %s\n", h.Example)
	if h.Notes != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimRight(h.Notes, "\n"))
	}
}

// setHelp makes fs's --help print h, then the flags.
func setHelp(fs *flag.FlagSet, h help) {
	fs.Usage = func() {
		h.write(fs.Output())
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintf(fs.Output(), "\nFlags:\n")
			fs.PrintDefaults()
		}
	}
}

// editDistance is the optimal-string-alignment distance between a and b
// (insertions, deletions, substitutions and swaps of neighbours, in runes):
// "gsp" is one edit from "gps".
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// closest is the name in names nearest to s: a case-insensitive match, a
// unique prefix, or the nearest by edit distance when that distance is at
// most a third of the longer name (at least 1, at most 3); "" when none
// is close.
func closest(s string, names []string) string {
	ls := strings.ToLower(strings.TrimSpace(s))
	if ls == "" {
		return ""
	}
	var prefixed []string
	for _, n := range names {
		if strings.ToLower(n) == ls {
			return n
		}
		if strings.HasPrefix(strings.ToLower(n), ls) {
			prefixed = append(prefixed, n)
		}
	}
	if len(prefixed) == 1 {
		return prefixed[0]
	}
	best, bestD := "", 1<<30
	for _, n := range names {
		d := editDistance(ls, strings.ToLower(n))
		limit := min(3, max(1, max(len(ls), len(n))/3))
		if d <= limit && d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

// didYouMean is ` (did you mean "x"?)` for the name closest to s, or "".
func didYouMean(s string, names []string) string {
	if c := closest(s, names); c != "" && c != s {
		return fmt.Sprintf(" (did you mean %q?)", c)
	}
	return ""
}

// unknownName is the error for a name s that is none of names: what was
// asked, the suggestion, and the valid names.
func unknownName(what, s string, names []string) error {
	return fmt.Errorf("unknown %s %q%s; want one of %s", what, s, didYouMean(s, names), strings.Join(names, ", "))
}

// checkList checks every comma-separated item of list against names.
func checkList(flagName, list string, names []string) error {
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if !slices.Contains(names, item) {
			return fmt.Errorf("--%s %q: %q is not one of %s%s", flagName, list, item, strings.Join(names, ", "), didYouMean(item, names))
		}
	}
	return nil
}
