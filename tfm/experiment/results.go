package experiment

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tfm-course/course/tfm/encoder"
	"github.com/tfm-course/course/tfm/tasks"
)

// ResultsFile is the machine-readable record Write saves beside the tables:
// the Report as JSON (configuration, every row, headline numbers).
// ReadReport reads it back, so tables and figures can be regenerated from
// it (`tfm experiment report DIR`), never copied by hand.
const ResultsFile = "results.json"

// reportJSON is what results.json holds: the report, its configuration
// without the task settings (the tables do not depend on them; they hold
// callbacks).
type reportJSON struct {
	Name   string
	Config struct {
		Seeds         []int64
		PretrainSteps int
		Encoder       encoder.Config
	}
	Rows       []Row
	Elapsed    time.Duration
	Confusions map[string]*tasks.ConfusionMatrix `json:",omitempty"`
	Headline   map[string]float64                `json:",omitempty"`
}

// JSON is the report as results.json holds it.
func (r *Report) JSON() ([]byte, error) {
	out := reportJSON{Name: r.Name, Rows: r.Rows, Elapsed: r.Elapsed, Confusions: r.Confusions, Headline: r.Headline}
	out.Config.Seeds, out.Config.PretrainSteps, out.Config.Encoder = r.Config.Seeds, r.Config.PretrainSteps, r.Config.Encoder
	b, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// ReadReport reads a results.json (a path to the file or to the folder
// holding it) written by Write.
func ReadReport(path string) (*Report, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		path = filepath.Join(path, ResultsFile)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var in reportJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if in.Name == "" || len(in.Rows) == 0 {
		return nil, fmt.Errorf("%s: not an experiment's results (no name or rows)", path)
	}
	r := &Report{Name: in.Name, Rows: in.Rows, Elapsed: in.Elapsed, Confusions: in.Confusions, Headline: in.Headline}
	r.Config.Seeds, r.Config.PretrainSteps, r.Config.Encoder = in.Config.Seeds, in.Config.PretrainSteps, in.Config.Encoder
	return r, nil
}
