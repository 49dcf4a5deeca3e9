package pretrain

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/checkpoint"

	"github.com/tfm-course/course/tfm/backend"
	"github.com/tfm-course/course/tfm/encoder"
	"github.com/tfm-course/course/tfm/modality"
	"github.com/tfm-course/course/tfm/traj"
)

// Model is a pre-trained encoder with its modality: what downstream tasks
// load to embed trajectories.
type Model struct {
	Backend  compute.Backend
	Store    *model.Store
	Encoder  encoder.Config
	Modality Modality
	Paradigm string
	meta     meta
	exec     *model.Exec
	classify *model.Exec
}

// EmbedBatchSize is the number of rows per encoder call in Embed.
const EmbedBatchSize = 256

// LoadCheckpoint loads the latest checkpoint of a pretrain run directory on
// the course's backend (tfm/backend.New).
func LoadCheckpoint(dir string) (*Model, error) {
	backend.Logger = io.Discard
	be, err := backend.New()
	if err != nil {
		return nil, err
	}
	return LoadCheckpointOn(be, dir)
}

// LoadCheckpointOn is LoadCheckpoint on a given backend.
func LoadCheckpointOn(be compute.Backend, dir string) (*Model, error) {
	raw, err := os.ReadFile(filepath.Join(dir, MetaFile))
	if err != nil {
		return nil, fmt.Errorf("not a pretrain checkpoint directory: %w", err)
	}
	var md meta
	if err := json.Unmarshal(raw, &md); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, MetaFile), err)
	}
	m, err := RestoreModality(md.Modality, md.ModalityState)
	if err != nil {
		return nil, err
	}
	cfg := encoder.DefaultConfig()
	if err := cfg.Set(md.Encoder); err != nil {
		return nil, fmt.Errorf("%s: %w", MetaFile, err)
	}
	if has, err := hasCheckpoint(dir); err != nil || !has {
		return nil, fmt.Errorf("no checkpoint in %s", dir)
	}
	store := model.NewStore()
	if _, err := checkpoint.Build(store).Dir(dir).Immediate().Done(); err != nil {
		return nil, fmt.Errorf("loading checkpoint %s: %w", dir, err)
	}
	return &Model{Backend: be, Store: store, Encoder: cfg, Modality: m, Paradigm: md.Paradigm, meta: md}, nil
}

// Embed returns one vector per trajectory (the pooled encoder output).
func (m *Model) Embed(trajs []*traj.Trajectory) ([][]float32, error) {
	var out [][]float32
	for start := 0; start < len(trajs); start += EmbedBatchSize {
		end := min(len(trajs), start+EmbedBatchSize)
		b, err := m.Modality.Batch(trajs[start:end], m.Encoder.MaxLen)
		if err != nil {
			return nil, fmt.Errorf("trajectories %d..%d: %w", start, end-1, err)
		}
		e, err := m.EmbedBatch(b)
		if err != nil {
			return nil, err
		}
		out = append(out, e...)
	}
	return out, nil
}

// EmbedBatch encodes a ready batch: [B][D].
func (m *Model) EmbedBatch(b *modality.Batch) ([][]float32, error) {
	if m.exec == nil {
		cfg := m.Encoder
		exec, err := model.NewExec(m.Backend, m.Store, func(scope *model.Scope, nodes []*Node) *Node {
			return encode(scope, cfg, nodes).Pooled
		})
		if err != nil {
			return nil, err
		}
		m.exec = exec
	}
	ins, err := encoder.Tensors(m.Encoder, b)
	if err != nil {
		return nil, err
	}
	outs, err := m.exec.Exec(anyTensors(ins)...)
	if err != nil {
		return nil, err
	}
	flat := tensors.MustCopyFlatData[float32](outs[0])
	d := len(flat) / b.Size
	res := make([][]float32, b.Size)
	for i := range res {
		res[i] = flat[i*d : (i+1)*d]
	}
	return res, nil
}

// Dim is the embedding size.
func (m *Model) Dim() int { return m.Encoder.Dim }

// Classify predicts the label of a causal checkpoint for each trajectory:
// argmax P(Y | do(x)) with backdoor adjustment, argmax P(Y | x) for a plain
// one. Other paradigms have no classifier and return an error.
func (m *Model) Classify(trajs []*traj.Trajectory) ([]string, error) {
	md := m.meta
	if m.Paradigm != "causal" || len(md.Labels) == 0 {
		return nil, fmt.Errorf("Classify needs a causal checkpoint (this one is %s)", m.Paradigm)
	}
	c := &Causal{Cfg: m.Encoder, Label: md.Label, Confounder: md.Confounder, Adjust: !md.Plain,
		Classes: md.Labels, Contexts: md.Contexts, Prior: md.Prior}
	if m.classify == nil {
		cfg := m.Encoder
		exec, err := model.NewExec(m.Backend, m.Store, func(scope *model.Scope, nodes []*Node) *Node {
			return c.Predict(scope, encode(scope, cfg, nodes).Pooled)
		})
		if err != nil {
			return nil, err
		}
		m.classify = exec
	}
	var out []string
	for start := 0; start < len(trajs); start += EmbedBatchSize {
		end := min(len(trajs), start+EmbedBatchSize)
		b, err := m.Modality.Batch(trajs[start:end], m.Encoder.MaxLen)
		if err != nil {
			return nil, err
		}
		ins, err := encoder.Tensors(m.Encoder, b)
		if err != nil {
			return nil, err
		}
		res, err := m.classify.Exec(anyTensors(ins)...)
		if err != nil {
			return nil, err
		}
		p := tensors.MustCopyFlatData[float32](res[0])
		k := len(c.Classes)
		for r := 0; r < b.Size; r++ {
			best := 0
			for j := 1; j < k; j++ {
				if p[r*k+j] > p[r*k+best] {
					best = j
				}
			}
			out = append(out, c.Classes[best])
		}
	}
	return out, nil
}
