package notebook

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFirstCellMigration(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "01_old.ipynb")
	must(t, os.WriteFile(old, []byte(notebookJSON("!*rm -f go.work && go work init && go work use . \"${GONB_DIR}/..\"\n%goworkfix", "%%\nfmt.Println(1)")), 0o644))
	cur := filepath.Join(dir, "02_new.ipynb")
	must(t, os.WriteFile(cur, []byte(notebookJSON(StandardFirstCell, "%%\nfmt.Println(1)")), 0o644))
	none := filepath.Join(dir, "03_none.ipynb")
	must(t, os.WriteFile(none, []byte(notebookJSON("%%\nfmt.Println(1)")), 0o644))

	w, err := FirstCellWarnings([]string{old, cur, none})
	if err != nil {
		t.Fatal(err)
	}
	if len(w) != 2 || !strings.Contains(w[0], "01_old") || !strings.Contains(w[1], "03_none") {
		t.Fatalf("warnings = %q", w)
	}
	changed, err := FixFirstCells([]string{old, cur, none})
	if err != nil || len(changed) != 1 || changed[0] != old {
		t.Fatalf("FixFirstCells = %v, %v", changed, err)
	}
	nb, err := Read(old)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(nb.Cells[1].Source); got != StandardFirstCell {
		t.Errorf("fixed cell = %q, want the standard cell", got)
	}
	if again, _ := FixFirstCells([]string{old}); len(again) != 0 {
		t.Errorf("second fix changed %v", again)
	}
}
