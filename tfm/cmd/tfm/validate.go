package main

import (
	"flag"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// A flagRule is the valid range of one numeric flag (or the values of an
// enum flag): every subcommand checks its flags with validateFlags right
// after parsing, so an out-of-range value is refused with the flag's name
// and range before any work starts.
type flagRule struct {
	name string
	want string             // the valid range, in words: "> 0", "in (0, 1)"
	ok   func(float64) bool // nil for an enum
	enum []string
	// parse, for a spec NAME[:key=value,…] whose NAME is one of enum,
	// checks the rest.
	parse func(string) error
}

func above(name string, lo float64) flagRule {
	return flagRule{name: name, want: fmt.Sprintf("> %g", lo), ok: func(v float64) bool { return v > lo }}
}

func atLeast(name string, lo float64) flagRule {
	return flagRule{name: name, want: fmt.Sprintf("≥ %g", lo), ok: func(v float64) bool { return v >= lo }}
}

// between is [lo, hi] with the ends open where told.
func between(name string, lo, hi float64, loOpen, hiOpen bool) flagRule {
	l, h := "[", "]"
	if loOpen {
		l = "("
	}
	if hiOpen {
		h = ")"
	}
	return flagRule{name: name, want: fmt.Sprintf("in %s%g, %g%s", l, lo, hi, h), ok: func(v float64) bool {
		return (v > lo || !loOpen && v == lo) && (v < hi || !hiOpen && v == hi)
	}}
}

// orDefault also accepts a sentinel value meaning "the default".
func orDefault(r flagRule, sentinel float64) flagRule {
	ok := r.ok
	r.want = fmt.Sprintf("%s, or %g for the default", r.want, sentinel)
	r.ok = func(v float64) bool { return v == sentinel || ok(v) }
	return r
}

func oneOf(name string, values ...string) flagRule {
	return flagRule{name: name, want: "one of " + strings.Join(values, ", "), enum: values}
}

// orEmpty also accepts "" (the flag's default: off).
func orEmpty(r flagRule) flagRule {
	r.want += `, or "" (off)`
	r.enum = append(slices.Clone(r.enum), "")
	return r
}

// specOf is a NAME[:key=value,…] flag: NAME one of values, the whole spec
// accepted by parse.
func specOf(name string, values []string, parse func(string) error) flagRule {
	r := oneOf(name, values...)
	r.parse = parse
	return r
}

// parsed is a flag whose whole value parse accepts (a key=value,… spec
// without a NAME).
func parsed(name string, parse func(string) error) flagRule {
	return flagRule{name: name, parse: parse}
}

// validateFlags checks the parsed flags of fs against the rules; the error
// names every flag out of range, its value and the valid range.
func validateFlags(fs *flag.FlagSet, rules ...flagRule) error {
	var bad []string
	for _, r := range rules {
		f := fs.Lookup(r.name)
		if f == nil {
			panic("validateFlags: no flag --" + r.name + " in " + fs.Name())
		}
		s := f.Value.String()
		if r.parse != nil && r.enum == nil {
			if err := r.parse(s); err != nil {
				bad = append(bad, fmt.Sprintf("--%s %q: %v", r.name, s, err))
			}
			continue
		}
		if r.parse != nil {
			name, _, _ := strings.Cut(s, ":")
			if !slices.Contains(r.enum, name) {
				bad = append(bad, fmt.Sprintf("--%s %q: want %s%s", r.name, s, r.want, didYouMean(name, r.enum)))
			} else if err := r.parse(s); err != nil {
				bad = append(bad, fmt.Sprintf("--%s %q: %v", r.name, s, err))
			}
			continue
		}
		if r.enum != nil {
			if !slices.Contains(r.enum, s) {
				bad = append(bad, fmt.Sprintf("--%s %q: want %s%s", r.name, s, r.want, didYouMean(s, r.enum)))
			}
			continue
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || !r.ok(v) {
			bad = append(bad, fmt.Sprintf("--%s %s: want %s", r.name, s, r.want))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%s", strings.Join(bad, "; "))
	}
	return nil
}

// explicitFlags are the flags given on the command line (not defaults).
func explicitFlags(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}
