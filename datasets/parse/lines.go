package parse

import (
	"bufio"
	"errors"
	"io"
)

// Lines reads a stream line by line with a reusable buffer. Lines longer
// than the buffer (Porto's polylines reach tens of kilobytes) are
// assembled into a growing side buffer, so any length works.
type Lines struct {
	r    *bufio.Reader
	long []byte
	line []byte
	n    int
	err  error
}

// NewLines wraps r with a 256 KiB buffer.
func NewLines(r io.Reader) *Lines {
	return &Lines{r: bufio.NewReaderSize(r, 256<<10)}
}

// Next advances to the next line; it returns false at EOF or on an error
// (see Err). A final line without "\n" is returned too.
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
	l.line = TrimEOL(b)
	return true
}

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
