package gps

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/tfm-course/course/tfm/modality"
)

// fileFormat is the JSON a Featurizer is saved as.
type fileFormat struct {
	Kind     string            `json:"kind"` // "gps-featurizer"
	Stats    Stats             `json:"stats"`
	Sampling modality.Sampling `json:"sampling"`
	Clip     float64           `json:"clip"`
}

const fileKind = "gps-featurizer"

// Write writes the Featurizer as JSON.
func (f *Featurizer) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(fileFormat{Kind: fileKind, Stats: f.Stats, Sampling: f.Sampling, Clip: f.Clip})
}

// Save writes the Featurizer as JSON to path.
func (f *Featurizer) Save(path string) error {
	return modality.SaveFile("gps", path, f.Write)
}

// Read reads a Featurizer written by Write and checks its statistics; name
// is used in errors.
func Read(r io.Reader, name string) (*Featurizer, error) {
	var ff fileFormat
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ff); err != nil {
		return nil, fmt.Errorf("gps: %s: %w", name, err)
	}
	if ff.Kind != fileKind {
		return nil, fmt.Errorf("gps: %s: kind %q, want %q", name, ff.Kind, fileKind)
	}
	f := &Featurizer{Stats: ff.Stats, Sampling: ff.Sampling, Clip: ff.Clip}
	if err := f.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return f, nil
}

// Load reads a Featurizer saved with Save.
func Load(path string) (*Featurizer, error) {
	return modality.LoadFile("gps", path, Read)
}
