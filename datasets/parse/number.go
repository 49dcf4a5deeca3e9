package parse

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"unsafe"
)

// ErrSyntax is returned for text that is not a number or time.
var ErrSyntax = errors.New("invalid syntax")

var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// Float parses a plain decimal number ("-8.618643", ".5", "1e-3", "NaN",
// "Inf") without allocating. Go syntax that strconv also accepts is
// rejected: underscores ("1_16"), hexadecimal ("0x1p4"), and a trailing
// dot ("37.", what a file cut inside a number leaves). Numbers with at
// most 15 significant digits and a small exponent take an exact fast path
// (Clinger's: one correctly rounded multiply or divide); anything else
// goes to strconv.ParseFloat, so the result always equals strconv's.
func Float(b []byte) (float64, error) {
	i, n := 0, len(b)
	if n == 0 {
		return 0, ErrSyntax
	}
	neg := false
	if b[0] == '-' || b[0] == '+' {
		neg = b[0] == '-'
		i++
	}
	var mant uint64
	digits, exp := 0, 0
	sawDigit, sawDot := false, false
	for ; i < n; i++ {
		c := b[i]
		switch {
		case c >= '0' && c <= '9':
			sawDigit = true
			if digits == 0 && c == '0' {
				if sawDot {
					exp--
				}
				continue
			}
			if digits >= 19 {
				return slowFloat(b)
			}
			mant = mant*10 + uint64(c-'0')
			digits++
			if sawDot {
				exp--
			}
		case c == '.' && !sawDot:
			sawDot = true
		default:
			return slowFloat(b)
		}
	}
	if !sawDigit || b[n-1] == '.' {
		return slowFloat(b)
	}
	if digits > 15 || exp < -22 || exp > 22 {
		return slowFloat(b)
	}
	f := float64(mant)
	if exp < 0 {
		f /= pow10[-exp]
	} else {
		f *= pow10[exp]
	}
	if neg {
		f = -f
	}
	return f, nil
}

func slowFloat(b []byte) (float64, error) {
	if !plainDecimal(b) {
		return 0, ErrSyntax
	}
	f, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(b), len(b)), 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange) {
			return f, errors.New("number out of range")
		}
		return 0, ErrSyntax
	}
	return f, nil
}

// Int parses a decimal integer without allocating.
func Int(b []byte) (int64, error) {
	if len(b) == 0 {
		return 0, ErrSyntax
	}
	i, neg := 0, false
	if b[0] == '-' || b[0] == '+' {
		neg = b[0] == '-'
		i++
		if len(b) == 1 {
			return 0, ErrSyntax
		}
	}
	if len(b)-i > 18 {
		v, err := strconv.ParseInt(string(b), 10, 64)
		if err != nil {
			return 0, ErrSyntax
		}
		return v, nil
	}
	var v int64
	for ; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, ErrSyntax
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, nil
}

// Finite reports whether f is neither NaN nor ±Inf.
func Finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// plainDecimal reports whether b is [+-] digits [. digits] [e [+-] digits]
// (the integer or the fraction part may be empty, not both; a dot must be
// followed by a digit) or [+-] NaN, Inf, Infinity in any case.
func plainDecimal(b []byte) bool {
	i, n := 0, len(b)
	if i < n && (b[i] == '+' || b[i] == '-') {
		i++
	}
	switch strings.ToLower(unsafe.String(unsafe.SliceData(b[i:]), n-i)) {
	case "nan", "inf", "infinity":
		return true
	}
	digits := func() int {
		k := i
		for i < n && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i - k
	}
	whole := digits()
	if i < n && b[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	} else if whole == 0 {
		return false
	}
	if i < n && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < n && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == n
}
