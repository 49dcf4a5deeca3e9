package parse

import (
	"errors"
	"math"
	"time"
	"unsafe"
)

// Date parses "YYYY-MM-DD" or "YYYY/MM/DD" and returns days since 1970-01-01.
func Date(b []byte) (days int64, err error) {
	if len(b) != 10 || (b[4] != '-' && b[4] != '/') || b[7] != b[4] {
		return 0, ErrSyntax
	}
	y, ok1 := digits(b[0:4])
	m, ok2 := digits(b[5:7])
	d, ok3 := digits(b[8:10])
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, ErrSyntax
	}
	return DaysFromCivil(y, m, d), nil
}

// Clock parses "HH:MM:SS" (also "H:MM:SS") and returns seconds since midnight.
func Clock(b []byte) (int64, error) {
	if len(b) == 7 { // H:MM:SS
		if b[1] != ':' || b[4] != ':' {
			return 0, ErrSyntax
		}
		h, ok1 := digits(b[0:1])
		m, ok2 := digits(b[2:4])
		s, ok3 := digits(b[5:7])
		if !ok1 || !ok2 || !ok3 || m > 59 || s > 60 {
			return 0, ErrSyntax
		}
		return h*3600 + m*60 + s, nil
	}
	if len(b) != 8 || b[2] != ':' || b[5] != ':' {
		return 0, ErrSyntax
	}
	h, ok1 := digits(b[0:2])
	m, ok2 := digits(b[3:5])
	s, ok3 := digits(b[6:8])
	if !ok1 || !ok2 || !ok3 || h > 23 || m > 59 || s > 60 {
		return 0, ErrSyntax
	}
	return h*3600 + m*60 + s, nil
}

// DaysFromCivil converts a proleptic Gregorian date to days since the Unix
// epoch (Howard Hinnant's algorithm).
func DaysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func daysIn(y, m int64) int64 {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func digits(b []byte) (int64, bool) {
	var v int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	return v, true
}

// DateTime parses "YYYY-MM-DD HH:MM:SS" (or with 'T' or '/' separators) as UTC.
func DateTime(b []byte) (time.Time, error) {
	if len(b) != 19 || (b[10] != ' ' && b[10] != 'T') {
		return time.Time{}, ErrSyntax
	}
	d, err := Date(b[:10])
	if err != nil {
		return time.Time{}, err
	}
	s, err := Clock(b[11:])
	if err != nil {
		return time.Time{}, err
	}
	return time.Unix(d*86400+s, 0).UTC(), nil
}

var errTimeFormat = errors.New("not a time: want RFC 3339 (2008-10-25T04:39:04Z), 'YYYY-MM-DD HH:MM:SS' (UTC) or unix seconds")

// Time parses the time formats the loaders accept: RFC 3339 with or without
// fractional seconds and zone, "YYYY-MM-DD HH:MM:SS" (UTC, also with '/'),
// or unix seconds (integer or decimal). The result is in UTC.
func Time(b []byte) (time.Time, error) {
	if len(b) == 0 {
		return time.Time{}, errTimeFormat
	}
	if len(b) == 19 {
		if t, err := DateTime(b); err == nil {
			return t, nil
		}
	}
	if len(b) == 20 && (b[19] == 'Z' || b[19] == 'z') {
		if t, err := DateTime(b[:19]); err == nil {
			return t, nil
		}
	}
	if b[0] == '-' || (b[0] >= '0' && b[0] <= '9') && (len(b) < 5 || b[4] != '-' && b[4] != '/') {
		f, err := Float(b)
		if err == nil && Finite(f) && math.Abs(f) < 1e11 {
			sec, frac := math.Modf(f)
			return time.Unix(int64(sec), int64(math.Round(frac*1e9))).UTC(), nil
		}
		return time.Time{}, errTimeFormat
	}
	s := unsafe.String(unsafe.SliceData(b), len(b))
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999", "2006/01/02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errTimeFormat
}
