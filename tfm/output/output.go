// Package output writes the files that commands produce at a path the
// user gave, safely: never over a file that is already there unless asked
// to (--force), and atomically (a temporary file in the same folder,
// synced, then renamed), so a reader, or a crash, sees the old file or the
// new one, never half of one.
package output

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// ErrExists is what refusing to replace a file wraps (errors.Is).
var ErrExists = errors.New("already exists")

// existsError names the file that is in the way.
type existsError struct{ path string }

func (e *existsError) Error() string {
	return fmt.Sprintf("%s already exists: not replacing it (use --force to replace it)", e.path)
}

func (e *existsError) Unwrap() error { return ErrExists }

// CheckFile returns an error naming path when it exists, unless force:
// for a command to refuse before its work rather than after.
func CheckFile(path string, force bool) error {
	if force {
		return nil
	}
	if _, err := os.Lstat(path); err == nil {
		return &existsError{path}
	}
	return nil
}

// File is a file being written: its bytes go to a temporary file next to
// the target until Commit.
type File struct {
	tmp   *os.File
	path  string
	force bool
	done  bool
}

// Create starts writing path (its folder is created if needed). Without
// force it fails at once when path exists, and Commit fails if it appeared
// meanwhile.
func Create(path string, force bool) (*File, error) {
	if !force {
		if _, err := os.Lstat(path); err == nil {
			return nil, &existsError{path}
		}
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, err
	}
	return &File{tmp: tmp, path: path, force: force}, nil
}

// Name is the target path.
func (f *File) Name() string { return f.path }

// Write writes to the temporary file.
func (f *File) Write(p []byte) (int, error) { return f.tmp.Write(p) }

// Commit syncs the temporary file and moves it to the target path; with
// force it replaces what is there, else it fails with ErrExists.
func (f *File) Commit() error {
	if f.done {
		return errors.New("output: " + f.path + " already committed or aborted")
	}
	f.done = true
	tmp := f.tmp.Name()
	defer os.Remove(tmp) // a no-op once renamed
	if err := f.tmp.Chmod(0o644); err != nil {
		f.tmp.Close()
		return err
	}
	if err := f.tmp.Sync(); err != nil {
		f.tmp.Close()
		return err
	}
	if err := f.tmp.Close(); err != nil {
		return err
	}
	if f.force {
		if err := os.Rename(tmp, f.path); err != nil {
			return err
		}
	} else if err := os.Link(tmp, f.path); err != nil { // a link never replaces
		if os.IsExist(err) {
			return &existsError{f.path}
		}
		// no hard links here: check, then rename
		if _, serr := os.Lstat(f.path); serr == nil {
			return &existsError{f.path}
		}
		if err := os.Rename(tmp, f.path); err != nil {
			return err
		}
	}
	if d, err := os.Open(filepath.Dir(f.path)); err == nil { // make the rename durable
		d.Sync()
		d.Close()
	}
	return nil
}

// Abort drops the temporary file; the target is left as it was. It is a
// no-op after Commit, so `defer f.Abort()` is safe.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.tmp.Close()
	os.Remove(f.tmp.Name())
}

// WriteWith writes path with write (through a buffer) and commits it; on
// any error the target is left as it was.
func WriteWith(path string, force bool, write func(w io.Writer) error) error {
	f, err := Create(path, force)
	if err != nil {
		return err
	}
	defer f.Abort()
	bw := bufio.NewWriterSize(f, 1<<16)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Commit()
}

// WriteFile writes data to path (see WriteWith).
func WriteFile(path string, data []byte, force bool) error {
	return WriteWith(path, force, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}
