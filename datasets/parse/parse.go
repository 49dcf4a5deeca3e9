// Package parse holds what every trajectory loader shares: an error type
// that names file, line and field; a Report that counts rows skipped under
// --skip-bad; and allocation-free parsers for decimal numbers and
// timestamps, fast enough to read over a million GPS points per second.
package parse

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

// Error is a bad row, value or file. Its text reads
// "FILE:LINE: field FIELD: value "V": reason" (parts that are unknown are left out).
type Error struct {
	File  string
	Line  int    // 1-based; 0 when the error concerns the whole file
	Field string // column or attribute name; "" when the row as a whole is bad
	Value string // the offending text (shortened)
	Err   error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Field != "" {
		fmt.Fprintf(&b, "field %s: ", e.Field)
	}
	if e.Value != "" {
		fmt.Fprintf(&b, "value %q: ", e.Value)
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an *Error; value is shortened to 40 bytes.
func Errorf(file string, line int, field, value, format string, args ...any) *Error {
	if len(value) > 40 {
		value = value[:37] + "..."
	}
	return &Error{File: file, Line: line, Field: field, Value: value, Err: fmt.Errorf(format, args...)}
}

// FileError is an Error about a whole file; an *fs.PathError is unwrapped
// so the path is not repeated ("x.plt: no such file or directory").
func FileError(path string, err error) *Error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &Error{File: path, Err: err}
}

// Report is both the bad-row policy and its outcome. With SkipBad false
// (or a nil *Report) the first bad row is an error; with SkipBad true bad
// rows (and bad files) are skipped and counted, never silently.
type Report struct {
	SkipBad bool

	Files        int            // files read
	Rows         int            // data rows (or points) read, good or bad
	SkippedRows  int            // rows dropped as bad
	SkippedFiles int            // files dropped as a whole (empty, unreadable, no points)
	ByField      map[string]int // skipped rows per field ("row" for short/long rows)
	Examples     []string       // the first few skip reasons, for the user to see
	NumWarnings  int            // suspicious but loaded input (a last line without newline)
	Warnings     []string       // the first few warnings
}

// Warn records a warning about input that was loaded but may be wrong
// (a nil *Report drops it).
func (r *Report) Warn(err *Error) {
	if r == nil {
		return
	}
	r.NumWarnings++
	if len(r.Warnings) < maxExamples {
		r.Warnings = append(r.Warnings, err.Error())
	}
}

// maxExamples bounds Report.Examples.
const maxExamples = 5

// Bad applies the policy to a bad row: it returns err when rows may not be
// skipped, else counts the row and returns nil.
func (r *Report) Bad(err *Error) error {
	if r == nil || !r.SkipBad {
		return err
	}
	r.SkippedRows++
	r.note(err)
	return nil
}

// BadFile applies the policy to a bad file (missing, empty, unreadable).
func (r *Report) BadFile(err *Error) error {
	if r == nil || !r.SkipBad {
		return err
	}
	r.SkippedFiles++
	r.note(err)
	return nil
}

func (r *Report) note(err *Error) {
	field := err.Field
	if field == "" {
		field = "row"
	}
	if r.ByField == nil {
		r.ByField = map[string]int{}
	}
	r.ByField[field]++
	if len(r.Examples) < maxExamples {
		r.Examples = append(r.Examples, err.Error())
	}
}

// Row counts one data row read (call it for good and bad rows alike).
func (r *Report) Row() {
	if r != nil {
		r.Rows++
	}
}

// File counts one file read.
func (r *Report) File() {
	if r != nil {
		r.Files++
	}
}

// String summarises the report on one line, e.g.
// "3 files, 1200 rows, skipped 2 rows (lat: 1, time: 1), 0 files".
func (r *Report) String() string {
	if r == nil {
		return "no report"
	}
	s := fmt.Sprintf("%d files, %d rows, skipped %d rows", r.Files, r.Rows, r.SkippedRows)
	if len(r.ByField) > 0 {
		keys := make([]string, 0, len(r.ByField))
		for k := range r.ByField {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%s: %d", k, r.ByField[k])
		}
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	return s + fmt.Sprintf(" and %d files", r.SkippedFiles)
}
