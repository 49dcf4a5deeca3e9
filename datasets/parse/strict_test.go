package parse

import (
	"errors"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Go syntax that strconv accepts is not a plain decimal number in a data file.
func TestFloatRejectsGoSyntax(t *testing.T) {
	for _, s := range []string{"1_16", "0x1p4", "0x10", "37.", "-37.", "1.e5", "1e5.", "1e+", "+-1", "1__0", "0b1", "inf1", "1e5_0", " 1", "1 "} {
		if v, err := Float([]byte(s)); err == nil {
			t.Errorf("Float(%q) = %v, want an error", s, v)
		}
	}
	for _, s := range []string{".5", "-.5", "5", "5.0", "1e5", "1E-5", "+1.5e+3", "NaN", "-Inf", "+inf", "Infinity", "12345678901234567890.5"} {
		if _, err := Float([]byte(s)); err != nil {
			t.Errorf("Float(%q): %v", s, err)
		}
	}
}

func TestTrimBOM(t *testing.T) {
	if got := string(TrimBOM([]byte("\ufeffa,b"))); got != "a,b" {
		t.Fatalf("TrimBOM = %q", got)
	}
	b, _ := io.ReadAll(SkipBOM(strings.NewReader("\ufeff{}")))
	if string(b) != "{}" {
		t.Fatalf("SkipBOM = %q", b)
	}
	b, _ = io.ReadAll(SkipBOM(strings.NewReader("{}")))
	if string(b) != "{}" {
		t.Fatalf("SkipBOM without BOM = %q", b)
	}
	l := NewLines(strings.NewReader("\ufeffh\nx"))
	l.Next()
	if string(l.Bytes()) != "h" {
		t.Fatalf("Lines kept the BOM: %q", l.Bytes())
	}
}

// A final line without its newline may be a file cut short: it is
// reported as a warning naming file and line.
func TestLastLineWithoutNewline(t *testing.T) {
	for _, c := range []struct {
		text string
		warn bool
	}{{"a\nb\n", false}, {"a\nb", true}, {"a\r\nb\r\n", false}, {"", false}, {"a\n\n", false}} {
		l := NewLines(strings.NewReader(c.text))
		for l.Next() {
		}
		rep := &Report{}
		CheckLastLine(l, "f.txt", rep)
		if got := len(rep.Warnings) > 0; got != c.warn {
			t.Errorf("%q: warned %v, want %v", c.text, got, c.warn)
		}
		if c.warn && (rep.NumWarnings != 1 || !strings.HasPrefix(rep.Warnings[0], "f.txt:2: ")) {
			t.Errorf("%q: warning %q (%d)", c.text, rep.Warnings, rep.NumWarnings)
		}
	}
	var nilRep *Report
	nilRep.Warn(Errorf("f", 1, "", "", "x")) // a nil report drops warnings without panicking
}

// plainRE is the number syntax Float accepts, written independently.
var plainRE = regexp.MustCompile(`^[+-]?(((\d+(\.\d+)?)|\.\d+)([eE][+-]?\d+)?|(?i:nan|inf|infinity))$`)

func FuzzFloat(f *testing.F) {
	for _, s := range []string{"39.91248", "3", "37.", "1_16", "0x1p4", "-8.618643", ".5", "1e-3", "NaN", "-Inf", "1e400", "00012.50", "9007199254740993"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Float([]byte(s))
		want, werr := strconv.ParseFloat(s, 64)
		plain := plainRE.MatchString(s)
		switch {
		case err == nil && !plain:
			t.Fatalf("Float(%q) = %v: not a plain decimal", s, got)
		case err == nil && (werr != nil || !(got == want || math.IsNaN(got) && math.IsNaN(want))):
			t.Fatalf("Float(%q) = %v, strconv %v, %v", s, got, want, werr)
		case err != nil && plain && !errors.Is(werr, strconv.ErrRange):
			t.Fatalf("Float(%q) rejected a plain decimal: %v", s, err)
		}
	})
}
