// Package sample finds the shared real-data samples for tests: walking up
// from the working directory to the folder with go.mod, then
// ../shared/datasets/NAME. The data is never copied into the repository.
package sample

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the sample folder for name (e.g. "geolife") and whether it exists.
func Dir(name string) (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(dir, "..", "shared", "datasets", name)
			fi, err := os.Stat(p)
			return p, err == nil && fi.IsDir()
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// GeoLife returns the GeoLife sample folder or skips the test with a message.
func GeoLife(t testing.TB) string {
	t.Helper()
	p, ok := Dir("geolife")
	if !ok {
		t.Skip("GeoLife sample not found at ../shared/datasets/geolife (relative to the module root); skipping real-data test")
	}
	return p
}
