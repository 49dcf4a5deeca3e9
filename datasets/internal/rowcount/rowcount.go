// Package rowcount splits a loader's input into lines on its own, without
// the loaders' code, so their fuzz targets can check the accounting of
// --skip-bad: every data row in is either loaded or counted as skipped.
package rowcount

import "bytes"

// Lines splits b at "\n" as a line reader would: a final line without
// "\n" counts, one trailing "\r" is dropped from each line, and a UTF-8
// byte order mark before the first line is dropped.
func Lines(b []byte) [][]byte {
	if len(b) == 0 {
		return nil
	}
	lines := bytes.Split(b, []byte("\n"))
	if len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	for i, l := range lines {
		lines[i] = bytes.TrimSuffix(l, []byte("\r"))
	}
	if len(lines) > 0 {
		lines[0] = bytes.TrimPrefix(lines[0], []byte("\ufeff"))
	}
	return lines
}

// Blank reports whether l is empty or white space.
func Blank(l []byte) bool { return len(bytes.TrimSpace(l)) == 0 }

// Count is the number of lines of b after the first skip ones for which
// keep is true.
func Count(b []byte, skip int, keep func([]byte) bool) int {
	n := 0
	for i, l := range Lines(b) {
		if i >= skip && keep(l) {
			n++
		}
	}
	return n
}

// NotBlank is keep for loaders that pass over blank lines.
func NotBlank(l []byte) bool { return !Blank(l) }
