package parse

import (
	"bufio"
	"bytes"
	"io"
)

// bom is the UTF-8 byte order mark some editors put before the first line.
var bom = []byte("\ufeff")

// TrimBOM drops a leading UTF-8 byte order mark.
func TrimBOM(b []byte) []byte { return bytes.TrimPrefix(b, bom) }

// SkipBOM returns r without a leading UTF-8 byte order mark, for decoders
// (JSON, CSV, XML) that read a whole stream.
func SkipBOM(r io.Reader) io.Reader {
	br := bufio.NewReader(r)
	if b, err := br.Peek(len(bom)); err == nil && bytes.Equal(b, bom) {
		br.Discard(len(bom))
	}
	return br
}

// TrimEOL drops a trailing "\n" or "\r\n".
func TrimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b
}

// Split splits line at sep into dst (reused) without allocating when dst
// has room; fields are sub-slices of line.
func Split(dst [][]byte, line []byte, sep byte) [][]byte {
	dst = dst[:0]
	for {
		i := bytes.IndexByte(line, sep)
		if i < 0 {
			return append(dst, line)
		}
		dst = append(dst, line[:i])
		line = line[i+1:]
	}
}

// SplitQuoted splits a CSV line at commas, honouring double-quoted fields
// (a doubled quote inside one stands for a quote). Fields are returned
// unquoted; a quoted field with "" escapes is unescaped into a new slice.
// ok is false for an unterminated quote.
func SplitQuoted(dst [][]byte, line []byte) (fields [][]byte, ok bool) {
	return SplitQuotedSep(dst, line, ',')
}

// SplitQuotedSep is SplitQuoted with the separator sep. A quote inside an
// unquoted field is kept as text; text after a closing quote before the
// next separator makes ok false.
func SplitQuotedSep(dst [][]byte, line []byte, sep byte) (fields [][]byte, ok bool) {
	dst = dst[:0]
	for {
		if len(line) > 0 && line[0] == '"' {
			// quoted field
			j := 1
			escaped := false
			for {
				k := bytes.IndexByte(line[j:], '"')
				if k < 0 {
					return dst, false
				}
				j += k
				if j+1 < len(line) && line[j+1] == '"' {
					escaped = true
					j += 2
					continue
				}
				break
			}
			f := line[1:j]
			if escaped {
				f = bytes.ReplaceAll(f, []byte(`""`), []byte(`"`))
			}
			dst = append(dst, f)
			rest := line[j+1:]
			if len(rest) == 0 {
				return dst, true
			}
			if rest[0] != sep {
				return dst, false
			}
			line = rest[1:]
			continue
		}
		i := bytes.IndexByte(line, sep)
		if i < 0 {
			return append(dst, line), true
		}
		dst = append(dst, line[:i])
		line = line[i+1:]
	}
}
