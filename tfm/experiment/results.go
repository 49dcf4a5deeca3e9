package experiment

import (
	"encoding/json"
	"fmt"
	"math"
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
// callbacks) but the fine-tuning budget, the grids the experiment swept,
// the command line, the cores and the variants.
type reportJSON struct {
	Name   string
	Config struct {
		Seeds         []int64
		PretrainSteps int
		Encoder       encoder.Config
		FineTuneSteps int       `json:",omitempty"`
		Modality      string    `json:",omitempty"`
		Lambdas       []float64 `json:",omitempty"`
		Balancers     []string  `json:",omitempty"`
		Maskings      []string  `json:",omitempty"`
		Quick         bool      `json:",omitempty"`
		Command       string    `json:",omitempty"`
	}
	Rows       []Row
	Elapsed    time.Duration
	Cores      int                               `json:",omitempty"`
	Variants   []VariantInfo                     `json:",omitempty"`
	Confusions map[string]*tasks.ConfusionMatrix `json:",omitempty"`
	Headline   map[string]float64                `json:",omitempty"`
}

// JSON is the report as results.json holds it.
func (r *Report) JSON() ([]byte, error) {
	out := reportJSON{Name: r.Name, Rows: r.Rows, Elapsed: r.Elapsed, Cores: r.Cores, Variants: r.Variants, Confusions: r.Confusions, Headline: r.Headline}
	c := r.Config
	out.Config.Seeds, out.Config.PretrainSteps, out.Config.Encoder = c.Seeds, c.PretrainSteps, c.Encoder
	out.Config.FineTuneSteps, out.Config.Modality, out.Config.Quick, out.Config.Command = c.Eval.FineTune.Steps, c.Modality, c.Quick, c.Command
	out.Config.Lambdas, out.Config.Balancers, out.Config.Maskings = c.Lambdas, c.Balancers, c.Maskings
	for _, row := range r.Rows {
		if math.IsNaN(row.Value) || math.IsInf(row.Value, 0) {
			return nil, fmt.Errorf("experiment %s: %s / %s / %s seed %d is %v (results.json holds finite numbers only)", r.Name, row.Variant, row.Task, row.Metric, row.Seed, row.Value)
		}
	}
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
	r := &Report{Name: in.Name, Rows: in.Rows, Elapsed: in.Elapsed, Cores: in.Cores, Variants: in.Variants, Confusions: in.Confusions, Headline: in.Headline}
	c := &r.Config
	c.Seeds, c.PretrainSteps, c.Encoder = in.Config.Seeds, in.Config.PretrainSteps, in.Config.Encoder
	c.Eval.FineTune.Steps, c.Modality, c.Quick, c.Command = in.Config.FineTuneSteps, in.Config.Modality, in.Config.Quick, in.Config.Command
	c.Lambdas, c.Balancers, c.Maskings = in.Config.Lambdas, in.Config.Balancers, in.Config.Maskings
	return r, nil
}
