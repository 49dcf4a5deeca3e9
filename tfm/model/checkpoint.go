package model

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/gomlx/compute"
	mlmodel "github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/checkpoint"
	"github.com/gomlx/gomlx/ml/train/optimizer"

	"github.com/tfm-course/course/tfm/backend"
	"github.com/tfm-course/course/tfm/encoder"
	"github.com/tfm-course/course/tfm/modality"
)

// A checkpoint directory holds MetaFile (what the model is: its modalities
// with their fitted state, each branch's encoder config, the paradigm and its
// head) and GoMLX's checkpoint-*.{json,bin} files (the variables, the
// optimiser state and the global step), written atomically.
const (
	MetaFile   = "tfm.json"
	stagingDir = ".staging"
)

// Meta is what a checkpoint directory records besides the variables.
type Meta struct {
	Paradigm   string         `json:"paradigm"`
	Seed       int64          `json:"seed"`
	Modalities []ModalityMeta `json:"modalities"`
	// Fusion is how a multi-modal model fuses its branches (Fusions; ""
	// is FuseConcat, the late fusion of models saved before it existed).
	Fusion string `json:"fusion,omitempty"`
	// Head is the paradigm's own record (e.g. the causal head's classes and
	// context prior), opaque here.
	Head json.RawMessage `json:"head,omitempty"`
	// Run records what shaped the training run (pre-training writes it), so
	// a resumed run can refuse to mix settings.
	Run *Run `json:"run,omitempty"`
}

// Run is the record of a training run in MetaFile: every setting that
// shapes it (by its CLI flag name, values in flag syntax) and its
// learning-rate schedule, one Phase per extension.
type Run struct {
	Settings map[string]string `json:"settings"`
	Schedule []Phase           `json:"schedule"`
}

// Phase is one learning-rate schedule over global steps [Start, End):
// a linear warm-up over Warmup steps from MinLR to LR, then cosine decay
// back to MinLR at End.
type Phase struct {
	Start  int     `json:"start"`
	End    int     `json:"end"`
	Warmup int     `json:"warmup"`
	LR     float64 `json:"lr"`
	MinLR  float64 `json:"min_lr"`
}

// Rate is the phase's learning rate at global step t (0-based: the rate
// step t+1 trains with).
func (p Phase) Rate(t int) float64 {
	u := float64(t - p.Start)
	if w := float64(p.Warmup); u < w {
		return p.MinLR + (p.LR-p.MinLR)*max(u, 0)/w
	}
	span := max(1, float64(p.End-p.Start-p.Warmup))
	q := min(1, (u-float64(p.Warmup))/span)
	return p.MinLR + (p.LR-p.MinLR)*(1+math.Cos(math.Pi*q))/2
}

// ModalityMeta is one branch in MetaFile.
type ModalityMeta struct {
	Name    string          `json:"name"`
	Scope   string          `json:"scope"`
	Encoder string          `json:"encoder"` // encoder.Config in the Set syntax
	State   json.RawMessage `json:"state"`   // the fitted modality's State
}

// meta fills Meta.Modalities from the branches.
func (m *Model) meta() (Meta, error) {
	md := m.Meta
	md.Modalities = nil
	for _, b := range m.Branches {
		st, err := b.Modality.State()
		if err != nil {
			return md, fmt.Errorf("saving the %s modality: %w", b.Modality.Name(), err)
		}
		md.Modalities = append(md.Modalities, ModalityMeta{Name: b.Modality.Name(), Scope: b.Scope, Encoder: b.Encoder.String(), State: st})
	}
	return md, nil
}

// WriteMeta writes MetaFile into dir atomically.
func (m *Model) WriteMeta(dir string) error {
	md, err := m.meta()
	if err != nil {
		return err
	}
	raw, err := json.MarshalIndent(md, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return WriteAtomic(filepath.Join(dir, MetaFile), raw)
}

// ReadMeta reads MetaFile of a checkpoint directory; ok is false when there
// is none.
func ReadMeta(dir string) (md Meta, ok bool, err error) {
	path := filepath.Join(dir, MetaFile)
	raw, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return md, false, nil
	}
	if err != nil {
		return md, false, err
	}
	if err := json.Unmarshal(raw, &md); err != nil {
		return md, false, fmt.Errorf("%s: %w", path, err)
	}
	if len(md.Modalities) == 0 {
		return md, false, fmt.Errorf("%s: no modalities (a checkpoint of an older version of the course? pre-train again)", path)
	}
	return md, true, nil
}

// FromMeta rebuilds the model a MetaFile describes, with a fresh store
// (seeded from the meta) that a checkpoint then fills.
func FromMeta(be compute.Backend, md Meta) (*Model, error) {
	m := &Model{Backend: be, Meta: md, BatchSize: DefaultBatchSize, Work: &Work{}}
	if md.Fusion != "" && !slices.Contains(Fusions, md.Fusion) {
		return nil, fmt.Errorf("%s: fusion %q is not one of %s", MetaFile, md.Fusion, strings.Join(Fusions, ", "))
	}
	for i, mm := range md.Modalities {
		mod, err := modality.Restore(mm.Name, mm.State)
		if err != nil {
			return nil, err
		}
		cfg := encoder.DefaultConfig()
		if err := cfg.Set(mm.Encoder); err != nil {
			return nil, fmt.Errorf("%s: modality %d (%s): %w", MetaFile, i, mm.Name, err)
		}
		m.Branches = append(m.Branches, &Branch{Modality: mod, Encoder: cfg, Scope: mm.Scope})
	}
	m.Store = freshStore(m.Branches[0].Encoder, md.Seed)
	return m, nil
}

// Load loads the latest checkpoint of a directory on the course's backend
// (tfm/backend.New).
func Load(dir string) (*Model, error) {
	be, err := backend.New()
	if err != nil {
		return nil, err
	}
	return LoadOn(be, dir)
}

// LoadOn is Load on a given backend.
func LoadOn(be compute.Backend, dir string) (*Model, error) {
	md, ok, err := ReadMeta(dir)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%s is not a checkpoint directory: it has no %s", dir, MetaFile)
	}
	m, err := FromMeta(be, md)
	if err != nil {
		return nil, err
	}
	if has, err := HasCheckpoint(dir); err != nil || !has {
		return nil, fmt.Errorf("no checkpoint in %s", dir)
	}
	if _, err := checkpoint.Build(m.Store).Dir(dir).Immediate().Done(); err != nil {
		return nil, fmt.Errorf("loading checkpoint %s: %w", dir, err)
	}
	m.Name = dir
	return m, nil
}

// Save writes the model into dir: MetaFile and one checkpoint of its
// variables (kept with the keep newest; keep < 1 keeps 1).
func (m *Model) Save(dir string, keep int) error {
	if err := m.WriteMeta(dir); err != nil {
		return err
	}
	c, err := openCheckpoints(m, dir, keep, false)
	if err != nil {
		return err
	}
	return c.Save()
}

// Checkpoints saves a model's variables into a directory atomically: GoMLX
// writes each checkpoint into a staging folder, then the data file and
// (last) the metadata file are renamed into place, so a reader never sees a
// half-written checkpoint; a crash leaves at worst an orphan .bin that the
// next save overwrites or pruning removes.
type Checkpoints struct {
	Dir     string
	Keep    int
	store   *mlmodel.Store
	staging *checkpoint.Handler
}

// OpenCheckpoints loads the latest checkpoint of dir into m's store when
// there is one (a resumed run) and prepares atomic saves. Loading needs a
// store without variables yet (as FromMeta makes): GoMLX would keep the
// values of variables that already exist, so that is an error rather than a
// silently unrestored model.
func OpenCheckpoints(m *Model, dir string, keep int) (*Checkpoints, error) {
	return openCheckpoints(m, dir, keep, true)
}

func openCheckpoints(m *Model, dir string, keep int, load bool) (*Checkpoints, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if has, _ := HasCheckpoint(dir); has && load {
		if n := m.Store.NumVariables(); n > 0 {
			return nil, fmt.Errorf("checkpoint %s: the model already has %d variables, loading would not replace them (load the directory with model.Load, or save to an empty one)", dir, n)
		}
		if _, err := checkpoint.Build(m.Store).Dir(dir).Immediate().Done(); err != nil {
			return nil, fmt.Errorf("loading checkpoint %s: %w", dir, err)
		}
	}
	staging := filepath.Join(dir, stagingDir)
	if err := os.RemoveAll(staging); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(staging, 0o755); err != nil {
		return nil, err
	}
	h, err := checkpoint.Build(m.Store).Dir(staging).Keep(-1).Done()
	if err != nil {
		return nil, err
	}
	return &Checkpoints{Dir: dir, Keep: max(1, keep), store: m.Store, staging: h}, nil
}

// Save writes a checkpoint named by the global step and prunes old ones.
func (c *Checkpoints) Save() error {
	if err := c.staging.Save(); err != nil {
		return err
	}
	step := optimizer.GetGlobalStep(c.store)
	names, err := c.staging.ListCheckpoints()
	if err != nil {
		return err
	}
	for _, n := range names {
		base := fmt.Sprintf("checkpoint-n%07d-step-%08d", step, step)
		for _, suffix := range []string{checkpoint.BinDataSuffix, checkpoint.JsonNameSuffix} {
			if err := os.Rename(filepath.Join(c.Dir, stagingDir, n+suffix), filepath.Join(c.Dir, base+suffix)); err != nil {
				return err
			}
		}
	}
	return pruneCheckpoints(c.Dir, c.Keep)
}

// HasCheckpoint reports whether dir holds a checkpoint of variables.
func HasCheckpoint(dir string) (bool, error) {
	list, err := listCheckpoints(dir)
	return len(list) > 0, err
}

func listCheckpoints(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, "checkpoint-") && strings.HasSuffix(n, checkpoint.JsonNameSuffix) {
			out = append(out, strings.TrimSuffix(n, checkpoint.JsonNameSuffix))
		}
	}
	sort.Strings(out)
	return out, nil
}

func pruneCheckpoints(dir string, keep int) error {
	list, err := listCheckpoints(dir)
	if err != nil || len(list) <= keep {
		return err
	}
	for _, base := range list[:len(list)-keep] {
		for _, s := range []string{checkpoint.JsonNameSuffix, checkpoint.BinDataSuffix} {
			if err := os.Remove(filepath.Join(dir, base+s)); err != nil && !os.IsNotExist(err) {
				return err
			}
		}
	}
	return nil
}

// WriteAtomic writes data to path through a synced temporary file and a
// rename: a reader sees the old file or the new one, never half of one.
func WriteAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
