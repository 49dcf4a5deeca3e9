package notebook

import (
	"bytes"
	"fmt"
	"os"
	"strings"
)

// StandardFirstCell is the first code cell of every course notebook (see notebooks/README.md): it makes
// the notebook build against this checkout's module, with every dependency at the version the
// repository's go.mod pins (the require line puts them in GoNB's go.mod, so `go get` never looks one up).
const StandardFirstCell = `!*rm -f go.work && go work init && go work use . "${GONB_DIR}/.." && go mod edit -require=github.com/tfm-course/course@v0.0.0
%goworkfix`

// oldWorkUse is the workspace line of the first version of the standard cell, which lacked the
// require: a cell importing a dependency directly (e.g. gonbui) then made `go get` query the module
// proxy, which fails where the proxy withholds that module's version list.
const oldWorkUse = `go work use . "${GONB_DIR}/.."`

const pinSuffix = ` && go mod edit -require=github.com/tfm-course/course@v0.0.0`

// FirstCellWarnings names the notebooks whose first code cell is not the standard one.
func FirstCellWarnings(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		nb, err := Read(p)
		if err != nil {
			return nil, err
		}
		first := ""
		for _, c := range nb.Cells {
			if c.CellType == "code" {
				first = string(c.Source)
				break
			}
		}
		switch {
		case !strings.Contains(first, "go work use"):
			out = append(out, fmt.Sprintf("%s: the first code cell is not the standard workspace cell (notebooks/README.md)", p))
		case strings.Contains(first, oldWorkUse) && !strings.Contains(first, oldWorkUse+pinSuffix):
			out = append(out, fmt.Sprintf("%s: the first code cell lacks the version pin (`%s`); run `tfm notebooks sync --write`", p, strings.TrimPrefix(pinSuffix, " && ")))
		}
	}
	return out, nil
}

// FixFirstCells adds the version pin to old-style standard first cells, editing the
// notebook files in place (only that line). It returns the notebooks it changed.
func FixFirstCells(paths []string) ([]string, error) {
	// The line as it appears JSON-encoded in the .ipynb.
	oldJSON := []byte(strings.ReplaceAll(oldWorkUse, `"`, `\"`))
	newJSON := []byte(strings.ReplaceAll(oldWorkUse+pinSuffix, `"`, `\"`))
	var changed []string
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return changed, err
		}
		i := bytes.Index(b, oldJSON)
		if i < 0 || bytes.HasPrefix(b[i:], newJSON) {
			continue
		}
		out := append(append(append([]byte{}, b[:i]...), newJSON...), b[i+len(oldJSON):]...)
		if _, err := Parse(out); err != nil {
			return changed, fmt.Errorf("%s: fixing the first cell would break the notebook: %w", p, err)
		}
		if err := os.WriteFile(p, out, 0o644); err != nil {
			return changed, err
		}
		changed = append(changed, p)
	}
	return changed, nil
}
