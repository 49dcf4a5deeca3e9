// Package model is the one trajectory model of the course: the modalities it
// reads, an encoder for each (a Branch), the variables in a GoMLX store, and
// the checkpoint format. Pre-training (tfm/pretrain) trains one, downstream
// tasks (tfm/tasks) probe or fine-tune one, diagnostics (tfm/diagnose)
// measure one, and `tfm eval` loads one from a checkpoint directory.
//
// Inputs reach the graph by name: a Feed (host tensors) becomes Nodes (graph
// nodes) under the same names, "<modality>/<input>" for the encoder inputs
// (encoder.InTokens, …) and plain names for what an objective adds.
//
// Imported as tfm where GoMLX's own ml/model package (Store, Scope, Exec) is
// also used:
//
//	import tfm "github.com/tfm-course/course/tfm/model"
package model

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	mlmodel "github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"

	"github.com/tfm-course/course/tfm/encoder"
	"github.com/tfm-course/course/tfm/modality"
	"github.com/tfm-course/course/tfm/traj"
)

// EncoderScope is the scope of the first branch's encoder variables; every
// paradigm uses it, so a downstream task can load the encoder of any
// checkpoint. Further branches live under EncoderScope + "_" + modality.
const EncoderScope = "encoder"

// Model is a trajectory encoder with the modalities it reads.
type Model struct {
	Name     string // where it came from: a checkpoint directory, "scratch", …
	Backend  compute.Backend
	Store    *mlmodel.Store
	Branches []*Branch
	Meta     Meta // what a checkpoint records besides the variables
	// BatchSize is the number of rows per encoder call in Embed (the last
	// batch is padded, so one graph serves every call).
	BatchSize int
	// Work counts the rows its encoders ran (shared with its clones).
	Work *Work
	// Use names the modalities read at inference (Only); nil: all.
	Use []string

	embed  *Exec
	single map[string]*Exec // EmbedModality's graphs, by modality
}

// Branch is one modality and the encoder that reads it.
type Branch struct {
	Modality modality.Modality
	Encoder  encoder.Config
	Scope    string // scope of its variables (EncoderScope for the first)
}

// DefaultBatchSize is Model.BatchSize unless set.
const DefaultBatchSize = 256

// New builds a model with freshly initialised (seeded) variables: one branch
// per modality, each with the encoder cfg sized to the modality's Spec.
func New(be compute.Backend, cfg encoder.Config, seed int64, modalities ...modality.Modality) (*Model, error) {
	if len(modalities) == 0 {
		return nil, fmt.Errorf("model: no modality")
	}
	m := &Model{Name: "scratch", Backend: be, BatchSize: DefaultBatchSize, Meta: Meta{Seed: seed}, Work: &Work{}}
	seen := map[string]bool{}
	for i, mod := range modalities {
		if seen[mod.Name()] {
			return nil, fmt.Errorf("model: modality %q twice", mod.Name())
		}
		seen[mod.Name()] = true
		c := cfg
		c.Fit(mod.Spec())
		if err := c.Validate(); err != nil {
			return nil, fmt.Errorf("model: encoder of the %s modality: %w", mod.Name(), err)
		}
		scope := EncoderScope
		if i > 0 {
			scope = EncoderScope + "_" + mod.Name()
		}
		m.Branches = append(m.Branches, &Branch{Modality: mod, Encoder: c, Scope: scope})
	}
	m.Store = freshStore(m.Branches[0].Encoder, seed)
	return m, nil
}

// Fit fits the named modalities on src and builds a fresh model over them.
func Fit(be compute.Backend, cfg encoder.Config, seed int64, src modality.Source, names ...string) (*Model, error) {
	var mods []modality.Modality
	for _, n := range names {
		mod, err := modality.Fit(n, src)
		if err != nil {
			return nil, err
		}
		mods = append(mods, mod)
	}
	return New(be, cfg, seed, mods...)
}

func freshStore(cfg encoder.Config, seed int64) *mlmodel.Store {
	store := mlmodel.NewStore()
	store.SetParam(mlmodel.ParamInitialSeed, seed)
	cfg.Save(store)
	return store
}

// Fresh is the same architecture and featurisation with new (seeded)
// variables: the scratch baseline of a pre-trained model.
func (m *Model) Fresh(seed int64) *Model {
	f := &Model{Name: "scratch", Backend: m.Backend, Branches: m.Branches, BatchSize: m.BatchSize,
		Meta: Meta{Seed: seed, Fusion: m.Meta.Fusion}, Store: freshStore(m.Branches[0].Encoder, seed), Work: &Work{}}
	return f
}

// Clone copies m with its own copy of the variables and a fresh optimiser
// state (the moments and step count of earlier training do not carry over);
// the random state restarts from seed, so a head's initialisation does not
// depend on what ran on m before. The clone shares m's Work.
func (m *Model) Clone(seed int64) (*Model, error) {
	store, err := m.Store.Clone()
	if err != nil {
		return nil, err
	}
	for _, sc := range []string{"/" + optimizer.Scope, "/" + optimizer.AdamDefaultScope} {
		_ = store.DeleteVariablesInScope(sc)
	}
	store.SetParam(mlmodel.ParamInitialSeed, seed)
	if err := store.SetRNGStateFromSeed(seed); err != nil {
		return nil, err
	}
	c := *m
	c.Store, c.embed, c.single = store, nil, nil
	return &c, nil
}

// Freeze marks the encoders' variables not trainable (a probe trained
// through the featuriser).
func (m *Model) Freeze() {
	for v := range m.Store.IterVariables() {
		if m.InEncoder(v.Scope()) {
			v.SetTrainable(false)
		}
	}
}

// Recompile drops the graphs m compiled for itself (Embed's), so the next
// call compiles against the store's variables as they are now. Training a
// loaded model in place (pretrain.Train with Options.Model) calls it: a
// graph compiled before the training can go on returning the loaded
// values (measured with GoMLX v0.28.16; TestTrainLoadedModelEmbedsNewWeights).
func (m *Model) Recompile() { m.embed, m.single = nil, nil }

// Primary is the first branch: the model's only one unless it is multi-modal.
func (m *Model) Primary() *Branch { return m.Branches[0] }

// Modalities names the branches' modalities in order.
func (m *Model) Modalities() []string {
	names := make([]string, len(m.Branches))
	for i, b := range m.Branches {
		names[i] = b.Modality.Name()
	}
	return names
}

// Params is the number of the encoders' parameters (every variable under a
// branch's scope: embeddings, layers, final norm; not task heads).
func (m *Model) Params() int {
	n := 0
	for v := range m.Store.IterVariables() {
		if m.InEncoder(v.Scope()) {
			n += v.Shape().Size()
		}
	}
	return n
}

// Dim is the size of an embedding: the branches' pooled vectors side by
// side (FuseConcat), or one branch's width (every other fusion).
func (m *Model) Dim() int {
	if len(m.Branches) > 1 && m.Fusion() != FuseConcat {
		return m.Primary().Encoder.Dim
	}
	d := 0
	for _, b := range m.Branches {
		d += b.Encoder.Dim
	}
	return d
}

// Key is the input name of an encoder input of a branch: "<modality>/<name>".
func (b *Branch) Key(name string) string { return b.Modality.Name() + "/" + name }

// Batches featurises trajs once per branch. In a multi-modal model a trip
// whose view cannot be made (modality.Selective: a road view of a trip that
// does not map-match) or that Only leaves out is a padding row marked
// Absent; a one-branch model fails on it instead.
func (m *Model) Batches(trajs []*traj.Trajectory) ([]*modality.Batch, error) {
	bs := make([]*modality.Batch, len(m.Branches))
	for i, b := range m.Branches {
		var err error
		if bs[i], err = m.branchBatch(b, trajs); err != nil {
			return nil, fmt.Errorf("%s modality: %w", b.Modality.Name(), err)
		}
	}
	return bs, nil
}

func (m *Model) branchBatch(b *Branch, trajs []*traj.Trajectory) (*modality.Batch, error) {
	if len(m.Branches) == 1 {
		return b.Modality.Batch(trajs, b.Encoder.MaxLen)
	}
	present := make([]bool, len(trajs))
	var keep []*traj.Trajectory
	sel, selective := b.Modality.(modality.Selective)
	used := m.Use == nil || slices.Contains(m.Use, b.Modality.Name())
	for r, t := range trajs {
		present[r] = used && t != nil && (!selective || sel.Accepts(t))
		if present[r] {
			keep = append(keep, t)
		}
	}
	if len(keep) == 0 {
		return emptyBatch(b.Encoder, len(trajs)), nil
	}
	batch, err := b.Modality.Batch(keep, b.Encoder.MaxLen)
	if err != nil {
		return nil, err
	}
	return modality.Expand(batch, present)
}

// emptyBatch is rows padding rows of a branch, every one Absent.
func emptyBatch(c encoder.Config, rows int) *modality.Batch {
	// Padding rows as Batch.PadRows makes them (zeros, the first step real),
	// of two steps: a one-step sequence would make some of the encoder's
	// graphs collapse an axis.
	b := &modality.Batch{Len: 2, Absent: []bool{}}
	switch {
	case c.Arch == encoder.CNN:
		b.Channels, b.H, b.W, b.Pixels = c.Channels, c.ImageSize, c.ImageSize, []float32{}
	default:
		b.Mask = []bool{}
		if c.VocabSize > 0 {
			b.Tokens = []int32{}
		}
		if c.NumFeatures > 0 {
			b.NumFeatures, b.Features = c.NumFeatures, []float32{}
		}
	}
	_ = b.PadRows(rows) // cannot fail: the batch has no rows yet
	return b
}

// Only is m reading only the named modalities at inference: the others are
// fed as missing views (Absent) to the same fused representation, so a head
// trained on every view still applies. The copy shares m's variables.
func (m *Model) Only(names ...string) (*Model, error) {
	if len(names) == 0 {
		return nil, fmt.Errorf("model: Only needs at least one of %v", m.Modalities())
	}
	for _, n := range names {
		if _, err := m.branch(n); err != nil {
			return nil, err
		}
	}
	c := *m
	c.Use, c.embed, c.single = slices.Clone(names), nil, nil
	return &c, nil
}

// Sub is the model of the named branches alone, sharing m's variables:
// what reads the steps of one modality of a multi-modal model (recovery
// fine-tunes the GPS branch).
func (m *Model) Sub(names ...string) (*Model, error) {
	c := *m
	c.Branches, c.embed, c.single, c.Use = nil, nil, nil, nil
	for _, n := range names {
		b, err := m.branch(n)
		if err != nil {
			return nil, err
		}
		c.Branches = append(c.Branches, b)
	}
	if len(c.Branches) == 0 {
		return nil, fmt.Errorf("model: Sub needs at least one of %v", m.Modalities())
	}
	return &c, nil
}

// Feed names the encoder inputs of one batch per branch.
func (m *Model) Feed(batches ...*modality.Batch) (Feed, error) {
	if len(batches) != len(m.Branches) {
		return nil, fmt.Errorf("model: %d batches for %d modalities", len(batches), len(m.Branches))
	}
	f := Feed{}
	for i, b := range m.Branches {
		ins, err := encoder.Feed(b.Encoder, batches[i])
		if err != nil {
			return nil, fmt.Errorf("%s modality: %w", b.Modality.Name(), err)
		}
		for k, t := range ins {
			f[b.Key(k)] = t
		}
		if len(m.Branches) > 1 {
			pi := make([]float32, batches[i].Size)
			for r := range pi {
				if batches[i].Present(r) {
					pi[r] = 1
				}
			}
			f[b.Key(InPresent)] = tensors.FromFlatDataAndDimensions(pi, len(pi))
		}
	}
	return f, nil
}

// Encode runs every branch's encoder on its inputs (re-entrant: scope.At,
// so several calls share the variables).
func (m *Model) Encode(scope *mlmodel.Scope, in Nodes) []encoder.Output {
	outs := make([]encoder.Output, len(m.Branches))
	for i, b := range m.Branches {
		outs[i] = b.Encode(scope, in)
	}
	return outs
}

// Encode runs this branch's encoder on its inputs.
func (b *Branch) Encode(scope *mlmodel.Scope, in Nodes) encoder.Output {
	mine := map[string]*graph.Node{}
	prefix := b.Modality.Name() + "/"
	for k, n := range in {
		if name, ok := strings.CutPrefix(k, prefix); ok {
			mine[name] = n
		}
	}
	return encoder.Encode(scope.At("%s", b.Scope), b.Encoder, encoder.InputsOf(mine))
}

// Pooled is the embedding graph [B, Dim]: the branches' outputs fused
// (Fuse, with the feed's presence of each view; one branch: its pooled
// vector).
func (m *Model) Pooled(scope *mlmodel.Scope, in Nodes) *graph.Node {
	outs := m.Encode(scope, in)
	return m.Fuse(scope, outs, m.Present(in, outs))
}

func (m *Model) batchSize() int {
	if m.BatchSize <= 0 {
		return DefaultBatchSize
	}
	return m.BatchSize
}

// Embed returns one vector per trajectory (Pooled).
func (m *Model) Embed(trajs []*traj.Trajectory) (Matrix, error) {
	if len(trajs) == 0 {
		return Matrix{}, fmt.Errorf("model: nothing to embed")
	}
	if m.embed == nil {
		m.embed = NewExec(m.Backend, m.Store, m.Pooled)
	}
	out := Matrix{Rows: len(trajs), Cols: m.Dim()}
	var err error
	if out.Data, err = m.Apply(m.embed, trajs, out.Cols); err != nil {
		return Matrix{}, err
	}
	return out, out.Check()
}

// EmbedModality returns the named branch's own pooled vector of each trip,
// unfused: what cross-modal retrieval and alignment diagnostics compare.
// Every trip must have that view.
func (m *Model) EmbedModality(name string, trajs []*traj.Trajectory) (Matrix, error) {
	b, err := m.branch(name)
	if err != nil {
		return Matrix{}, err
	}
	if len(trajs) == 0 {
		return Matrix{}, fmt.Errorf("model: nothing to embed")
	}
	out := Matrix{Rows: len(trajs), Cols: b.Encoder.Dim}
	rows := min(m.batchSize(), len(trajs))
	for lo := 0; lo < len(trajs); lo += rows {
		hi := min(lo+rows, len(trajs))
		batch, err := b.Modality.Batch(trajs[lo:hi], b.Encoder.MaxLen)
		if err != nil {
			return Matrix{}, fmt.Errorf("%s modality, trajectories %d–%d: %w", name, lo, hi-1, err)
		}
		if err := batch.PadRows(rows); err != nil {
			return Matrix{}, err
		}
		vals, err := m.embedBranch(b, batch)
		if err != nil {
			return Matrix{}, err
		}
		out.Data = append(out.Data, vals[:(hi-lo)*out.Cols]...)
	}
	return out, out.Check()
}

// EmbedBatch is EmbedModality on a batch featurised by the caller (a
// sentence of one's own for the text branch: text.Modality's Tk.Batch) of at
// most BatchSize rows.
func (m *Model) EmbedBatch(name string, batch *modality.Batch) (Matrix, error) {
	b, err := m.branch(name)
	if err != nil {
		return Matrix{}, err
	}
	n := batch.Size
	if n == 0 || n > m.batchSize() {
		return Matrix{}, fmt.Errorf("model: EmbedBatch takes 1–%d rows, got %d", m.batchSize(), n)
	}
	cp := *batch
	if err := cp.PadRows(m.batchSize()); err != nil {
		return Matrix{}, err
	}
	vals, err := m.embedBranch(b, &cp)
	if err != nil {
		return Matrix{}, err
	}
	out := Matrix{Rows: n, Cols: b.Encoder.Dim, Data: vals[:n*b.Encoder.Dim]}
	return out, out.Check()
}

func (m *Model) branch(name string) (*Branch, error) {
	for _, b := range m.Branches {
		if b.Modality.Name() == name {
			return b, nil
		}
	}
	return nil, fmt.Errorf("model: no %s branch (the model reads %v)", name, m.Modalities())
}

func (m *Model) embedBranch(b *Branch, batch *modality.Batch) ([]float32, error) {
	ins, err := encoder.Feed(b.Encoder, batch)
	if err != nil {
		return nil, fmt.Errorf("%s modality: %w", b.Modality.Name(), err)
	}
	f := Feed{}
	for k, t := range ins {
		f[b.Key(k)] = t
	}
	if m.single == nil {
		m.single = map[string]*Exec{}
	}
	e := m.single[b.Modality.Name()]
	if e == nil {
		e = NewExec(m.Backend, m.Store, func(scope *mlmodel.Scope, in Nodes) *graph.Node { return b.Encode(scope, in).Pooled })
		m.single[b.Modality.Name()] = e
	}
	res, err := e.Call(f)
	if err != nil {
		return nil, err
	}
	m.Work.Forward(batch.Size)
	return tensors.MustCopyFlatData[float32](res), nil
}

// Apply runs e (a graph over this model's inputs: embeddings, a task head)
// on trajs, BatchSize rows a call (the last batch padded, so one compiled
// graph serves every call), and returns the first perRow values of each
// trajectory's output row, row after row. Work counts the rows run (as
// encoder forward passes).
func (m *Model) Apply(e *Exec, trajs []*traj.Trajectory, perRow int) ([]float32, error) {
	rows := min(m.batchSize(), len(trajs))
	out := make([]float32, 0, len(trajs)*perRow)
	for lo := 0; lo < len(trajs); lo += rows {
		hi := min(lo+rows, len(trajs))
		f, err := m.PaddedFeed(trajs[lo:hi], rows)
		if err != nil {
			return nil, fmt.Errorf("trajectories %d–%d: %w", lo, hi-1, err)
		}
		res, err := e.Call(f)
		if err != nil {
			return nil, err
		}
		m.Work.Forward(rows)
		out = append(out, tensors.MustCopyFlatData[float32](res)[:(hi-lo)*perRow]...)
	}
	return out, nil
}

// PaddedFeed featurises trajs and pads every batch to rows rows.
func (m *Model) PaddedFeed(trajs []*traj.Trajectory, rows int) (Feed, error) {
	bs, err := m.Batches(trajs)
	if err != nil {
		return nil, err
	}
	for _, b := range bs {
		if err := b.PadRows(rows); err != nil {
			return nil, err
		}
	}
	return m.Feed(bs...)
}

// Feed is one step's inputs on the host, by name.
type Feed map[string]*tensors.Tensor

// Nodes are one step's inputs in the graph, by name.
type Nodes map[string]*graph.Node

// Names lists the feed's names, sorted: the order its tensors travel in.
func (f Feed) Names() []string {
	names := make([]string, 0, len(f))
	for k := range f {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Ordered returns the tensors in the order of names, which must be exactly
// the feed's names.
func (f Feed) Ordered(names []string) ([]*tensors.Tensor, error) {
	if len(names) != len(f) {
		return nil, fmt.Errorf("model: feed has inputs %v, the graph takes %v", f.Names(), names)
	}
	out := make([]*tensors.Tensor, len(names))
	for i, n := range names {
		t, ok := f[n]
		if !ok {
			return nil, fmt.Errorf("model: feed has no input %q (has %v)", n, f.Names())
		}
		out[i] = t
	}
	return out, nil
}

// NodesOf names the graph's positional inputs.
func NodesOf(names []string, nodes []*graph.Node) Nodes {
	in := make(Nodes, len(names))
	for i, n := range names {
		in[n] = nodes[i]
	}
	return in
}

// Exec is a graph over named inputs compiled for the store's variables: the
// positional plumbing of GoMLX's model.Exec in one place.
type Exec struct {
	exec  *mlmodel.Exec
	names []string
	err   error
}

// NewExec prepares fn; it is compiled on the first Call, whose feed fixes
// the names every later call must have.
func NewExec(be compute.Backend, store *mlmodel.Store, fn func(scope *mlmodel.Scope, in Nodes) *graph.Node) *Exec {
	e := &Exec{}
	e.exec, e.err = mlmodel.NewExec(be, store, func(scope *mlmodel.Scope, nodes []*graph.Node) *graph.Node {
		return fn(scope, NodesOf(e.names, nodes))
	})
	return e
}

// Call runs the graph on a feed.
func (e *Exec) Call(f Feed) (*tensors.Tensor, error) {
	if e.err != nil {
		return nil, e.err
	}
	if e.names == nil {
		e.names = f.Names()
	}
	ts, err := f.Ordered(e.names)
	if err != nil {
		return nil, err
	}
	args := make([]any, len(ts))
	for i, t := range ts {
		args[i] = t
	}
	return e.exec.Call1(args...)
}
