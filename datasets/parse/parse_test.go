package parse

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestFloatMatchesStrconv(t *testing.T) {
	for _, s := range []string{"0", "-0", "1", "40.003152", "116.343778", "-8.618643", "41.141412", "0.000123",
		"123456789012345678901", "1e5", "-1.5E-3", "39746.1937962963", "+7", "00012.50", "NaN", "Inf", "-inf",
		"1.7976931348623157e308", "4.9e-324", "0.1", "0.30000000000000004", "9007199254740993"} {
		want, werr := strconv.ParseFloat(s, 64)
		got, gerr := Float([]byte(s))
		if (werr != nil) != (gerr != nil) {
			t.Errorf("Float(%q) err=%v, strconv err=%v", s, gerr, werr)
			continue
		}
		if !(got == want || math.IsNaN(got) && math.IsNaN(want)) || math.Signbit(got) != math.Signbit(want) {
			t.Errorf("Float(%q)=%v, strconv=%v", s, got, want)
		}
	}
	for _, s := range []string{"", "-", ".", "1.2.3", "abc", "1,5", "--1", "1e"} {
		if _, err := Float([]byte(s)); err == nil {
			t.Errorf("Float(%q) accepted", s)
		}
	}
}

func TestTime(t *testing.T) {
	want := time.Date(2008, 10, 25, 4, 39, 4, 0, time.UTC)
	for _, s := range []string{"2008-10-25T04:39:04Z", "2008-10-25 04:39:04", "2008/10/25 04:39:04", "1224909544",
		"2008-10-25T12:39:04+08:00", "1224909544.0", "2008-10-25T04:39:04.000Z"} {
		got, err := Time([]byte(s))
		if err != nil || !got.Equal(want) {
			t.Errorf("Time(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "yesterday", "2008-13-25 04:39:04", "2008-02-30 00:00:00", "2008-10-25 25:00:00", "1e300"} {
		if _, err := Time([]byte(s)); err == nil {
			t.Errorf("Time(%q) accepted", s)
		}
	}
}

func TestDaysFromCivil(t *testing.T) {
	for d := time.Date(1890, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2110; d = d.AddDate(0, 0, 7) {
		if got := DaysFromCivil(int64(d.Year()), int64(d.Month()), int64(d.Day())); got*86400 != d.Unix() {
			t.Fatalf("%v: %d", d, got)
		}
	}
}

func TestSplitQuoted(t *testing.T) {
	f, ok := SplitQuoted(nil, []byte(`"1","C","",12,"[[-8.6,41.1],[-8.5,41.2]]","say ""hi"""`))
	if !ok || len(f) != 6 || string(f[2]) != "" || string(f[4]) != "[[-8.6,41.1],[-8.5,41.2]]" || string(f[5]) != `say "hi"` {
		t.Fatalf("got %q ok=%v", f, ok)
	}
	if _, ok := SplitQuoted(nil, []byte(`"open,1`)); ok {
		t.Fatal("unterminated quote accepted")
	}
}

func TestLinesLong(t *testing.T) {
	long := strings.Repeat("x", 600<<10)
	l := NewLines(strings.NewReader("a\r\n" + long + "\nlast"))
	var got []string
	for l.Next() {
		got = append(got, string(l.Bytes()))
	}
	if l.Err() != nil || len(got) != 3 || got[0] != "a" || got[1] != long || got[2] != "last" || l.N() != 3 {
		t.Fatalf("lines: %d err=%v", len(got), l.Err())
	}
}

func TestReport(t *testing.T) {
	e := Errorf("f.csv", 3, "lat", "95", "latitude outside [-90, 90]")
	if e.Error() != `f.csv:3: field lat: value "95": latitude outside [-90, 90]` {
		t.Fatal(e.Error())
	}
	var strict *Report
	if strict.Bad(e) == nil {
		t.Fatal("nil report must be strict")
	}
	r := &Report{SkipBad: true}
	if r.Bad(e) != nil || r.SkippedRows != 1 || r.ByField["lat"] != 1 || len(r.Examples) != 1 {
		t.Fatalf("%+v", r)
	}
}

func BenchmarkFloat(b *testing.B) {
	s := []byte("116.343778")
	for b.Loop() {
		Float(s)
	}
}
