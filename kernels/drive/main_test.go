package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseSettings(t *testing.T) {
	got, err := parseSettings("fixed@0.2, uncertainty")
	if err != nil || len(got) != 2 || got[0] != (setting{"fixed", 0.2}) || got[1] != (setting{"uncertainty", 0.5}) {
		t.Errorf("parseSettings = %v, %v", got, err)
	}
	for _, bad := range []string{"fixed@2", "fixed@x", "@0.3", ""} {
		if _, err := parseSettings(bad); err == nil {
			t.Errorf("parseSettings(%q): no error", bad)
		}
	}
}

func TestWriteNotebook(t *testing.T) {
	path := filepath.Join(t.TempDir(), "explorer.ipynb")
	if err := writeNotebook(path, "/repo", "tfm_go_cpu", 300); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	var nb struct {
		Metadata struct {
			Kernelspec struct{ Name string } `json:"kernelspec"`
		} `json:"metadata"`
		Cells []struct {
			Type   string `json:"cell_type"`
			Source string `json:"source"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(b, &nb); err != nil {
		t.Fatal(err)
	}
	if nb.Metadata.Kernelspec.Name != "tfm_go_cpu" || len(nb.Cells) != 3 {
		t.Fatalf("notebook %s", b)
	}
	if !strings.Contains(nb.Cells[1].Source, `go work use . "/repo"`) || !strings.Contains(nb.Cells[2].Source, "explore.Balancing(data.Dataset)") ||
		!strings.Contains(nb.Cells[2].Source, "trajectories=300") {
		t.Errorf("cells:\n%s\n%s", nb.Cells[1].Source, nb.Cells[2].Source)
	}
}
