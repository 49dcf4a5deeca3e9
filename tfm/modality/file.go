package modality

import (
	"fmt"
	"io"
	"os"
)

// SaveFile creates path and fills it with write, the Save of every saved
// modality state (statistics, vocabularies); pkg prefixes errors.
func SaveFile(pkg, path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("%s: save: %w", pkg, err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("%s: save %s: %w", pkg, path, err)
	}
	return f.Close()
}

// LoadFile opens path and decodes it with read, which names path in its
// errors; pkg prefixes the error of a file that cannot be opened.
func LoadFile[T any](pkg, path string, read func(r io.Reader, name string) (T, error)) (T, error) {
	f, err := os.Open(path)
	if err != nil {
		var zero T
		return zero, fmt.Errorf("%s: load: %w", pkg, err)
	}
	defer f.Close()
	return read(f, path)
}
