package output

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
)

// Manifest is the file in which a Dir records what it wrote.
const Manifest = ".tfm-output.json"

// Dir is a folder that a command fills with files of known names. It
// records what it wrote (name and SHA-256) in Manifest, so that running
// the command again into the same folder replaces its own earlier,
// unchanged files without --force, while any other file of the same name,
// the user's, or one of ours that was edited since, is refused.
type Dir struct {
	path  string
	force bool
	mu    sync.Mutex
	own   map[string]string // name -> hex SHA-256 of what we wrote
}

// OpenDir opens the folder path (created on the first write) for writing
// with force (replace anything).
func OpenDir(path string, force bool) (*Dir, error) {
	if fi, err := os.Stat(path); err == nil && !fi.IsDir() {
		return nil, fmt.Errorf("%s is not a folder", path)
	}
	d := &Dir{path: path, force: force, own: map[string]string{}}
	b, err := os.ReadFile(filepath.Join(path, Manifest))
	if err == nil {
		var m struct {
			Files map[string]string `json:"files"`
		}
		if json.Unmarshal(b, &m) == nil && m.Files != nil {
			d.own = m.Files
		}
	}
	return d, nil
}

// Path is the folder.
func (d *Dir) Path() string { return d.path }

// Check returns an error naming the first of names that may not be
// written: it exists and is neither our own unchanged output nor replaced
// with force. Call it before a long computation, to refuse before it.
func (d *Dir) Check(names ...string) error {
	for _, n := range names {
		if _, err := d.replace(n); err != nil {
			return err
		}
	}
	return nil
}

// replace reports whether name may be written over (it exists), or an
// error when it may not be written at all.
func (d *Dir) replace(name string) (bool, error) {
	p := filepath.Join(d.path, name)
	if _, err := os.Lstat(p); os.IsNotExist(err) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	if d.force {
		return true, nil
	}
	d.mu.Lock()
	want, ok := d.own[name]
	d.mu.Unlock()
	if ok {
		if got, err := FileSHA256(p); err == nil && got == want {
			return true, nil
		}
	}
	return false, &existsError{p}
}

// FileSHA256 is the hex SHA-256 of the file at p.
func FileSHA256(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// WriteWith writes the file name of the folder with write (see the
// package's WriteWith) and records it in the manifest.
func (d *Dir) WriteWith(name string, write func(w io.Writer) error) error {
	over, err := d.replace(name)
	if err != nil {
		return err
	}
	var h hash.Hash = sha256.New()
	if err := WriteWith(filepath.Join(d.path, name), over, func(w io.Writer) error {
		return write(io.MultiWriter(w, h))
	}); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.own[name] = hex.EncodeToString(h.Sum(nil))
	return d.saveLocked()
}

// WriteFile writes data as the file name of the folder.
func (d *Dir) WriteFile(name string, data []byte) error {
	return d.WriteWith(name, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// Adopt records a file that something else (an external tool) wrote into
// the folder as ours, as it is now.
func (d *Dir) Adopt(name string) error {
	h, err := FileSHA256(filepath.Join(d.path, name))
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.own[name] = h
	return d.saveLocked()
}

func (d *Dir) saveLocked() error {
	names := make([]string, 0, len(d.own))
	for n := range d.own {
		names = append(names, n)
	}
	sort.Strings(names)
	b, err := json.MarshalIndent(struct {
		Note  string            `json:"note"`
		Files map[string]string `json:"files"`
	}{"files tfm wrote here (SHA-256): a rerun may replace them while unchanged; any other file needs --force", d.own}, "", " ")
	if err != nil {
		return err
	}
	return WriteFile(filepath.Join(d.path, Manifest), append(b, '\n'), true)
}
