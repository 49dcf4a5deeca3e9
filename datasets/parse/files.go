package parse

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ListFiles returns the files of dir whose extension is ext (case-insensitive,
// e.g. ".gpx"), in name order.
func ListFiles(dir, ext string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, FileError(dir, err)
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() && strings.EqualFold(filepath.Ext(e.Name()), ext) {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	return files, nil
}

// OpenAndRead opens path, counts it in rep and decodes it with read.
func OpenAndRead[T any](path string, rep *Report, read func(r io.Reader) (T, error)) (T, error) {
	f, err := os.Open(path)
	if err != nil {
		var zero T
		return zero, FileError(path, err)
	}
	defer f.Close()
	rep.File()
	return read(f)
}

// SkipFile is the --skip-bad policy for a file that failed to load with err:
// it returns nil when the file is skipped (and counted), else err as an
// *Error naming the file.
func (r *Report) SkipFile(path string, err error) error {
	var pe *Error
	if !errors.As(err, &pe) {
		pe = FileError(path, err)
	}
	return r.BadFile(pe)
}
