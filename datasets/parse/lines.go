package parse

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// Lines reads a stream line by line with a reusable buffer. Lines longer
// than the buffer (Porto's polylines reach tens of kilobytes) are
// assembled into a growing side buffer, so any length works.
type Lines struct {
	r     *bufio.Reader
	long  []byte
	line  []byte
	n     int
	err   error
	noEOL bool // the current line ended at EOF without "\n"
}

// NewLines wraps r with a 256 KiB buffer.
func NewLines(r io.Reader) *Lines {
	return &Lines{r: bufio.NewReaderSize(r, 256<<10)}
}

// Next advances to the next line; it returns false at EOF or on an error
// (see Err). A final line without "\n" is returned too (see Unterminated);
// a UTF-8 byte order mark before the first line is dropped.
func (l *Lines) Next() bool {
	if l.err != nil {
		return false
	}
	b, err := l.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		l.long = append(l.long[:0], b...)
		for errors.Is(err, bufio.ErrBufferFull) {
			b, err = l.r.ReadSlice('\n')
			l.long = append(l.long, b...)
		}
		b = l.long
	}
	if err != nil && !errors.Is(err, io.EOF) {
		l.err = err
		return false
	}
	if len(b) == 0 && errors.Is(err, io.EOF) {
		l.err = io.EOF
		return false
	}
	if errors.Is(err, io.EOF) {
		l.err = io.EOF // return this last line, then stop
	}
	l.n++
	l.noEOL = len(b) == 0 || b[len(b)-1] != '\n'
	l.line = TrimEOL(b)
	if l.n == 1 {
		l.line = TrimBOM(l.line)
	}
	return true
}

// Unterminated reports whether the current line ended at the end of the
// stream without "\n" (see CheckLastLine).
func (l *Lines) Unterminated() bool { return l.noEOL }

// Bytes is the current line without its end-of-line; valid until Next.
func (l *Lines) Bytes() []byte { return l.line }

// N is the 1-based number of the current line.
func (l *Lines) N() int { return l.n }

// Err is the read error that stopped Next, nil at a clean EOF.
func (l *Lines) Err() error {
	if errors.Is(l.err, io.EOF) {
		return nil
	}
	return l.err
}

// CheckLastLine warns in rep, naming file and line, when the last line
// that l returned had no newline and was not blank: a file cut short
// there may end inside a number ("39.91248" cut to "3") that still
// parses. Call it after the Next loop.
func CheckLastLine(l *Lines, name string, rep *Report) {
	if l.n > 0 && l.noEOL && len(bytes.TrimSpace(l.line)) > 0 {
		rep.Warn(Errorf(name, l.n, "", "", "last line has no newline: if the file was cut short, its last value may be wrong"))
	}
}
