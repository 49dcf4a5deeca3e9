package model_test

import (
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gomlx/compute"

	"github.com/tfm-course/course/datasets"
	"github.com/tfm-course/course/tfm/backend"
	"github.com/tfm-course/course/tfm/encoder"
	"github.com/tfm-course/course/tfm/modality"
	_ "github.com/tfm-course/course/tfm/modality/all"
	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/traj"
)

var (
	dataOnce sync.Once
	data     *datasets.Data
	dataErr  error
)

// testData is a small synthetic city, loaded once.
func testData(t *testing.T) *datasets.Data {
	t.Helper()
	dataOnce.Do(func() { data, dataErr = datasets.Load("synthetic:seed=1,trajectories=40") })
	if dataErr != nil {
		t.Fatal(dataErr)
	}
	if len(data.Trajectories) < 20 {
		t.Fatalf("synthetic data set has %d trajectories", len(data.Trajectories))
	}
	return data
}

func testBackend(t *testing.T) compute.Backend {
	t.Helper()
	backend.Logger = io.Discard
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	return be
}

// tinyConfig is a small encoder, quick to compile on a CPU.
func tinyConfig(t *testing.T) encoder.Config {
	t.Helper()
	cfg := encoder.DefaultConfig()
	if err := cfg.Set("layers=1;dim=16;heads=2;ffn=32;maxlen=32"); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func fit(t *testing.T, be compute.Backend, seed int64, names ...string) *tfm.Model {
	t.Helper()
	d := testData(t)
	m, err := tfm.Fit(be, tinyConfig(t), seed, modality.Source{Trajectories: d.Trajectories, Map: d.Map}, names...)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func embed(t *testing.T, m *tfm.Model, trajs []*traj.Trajectory) tfm.Matrix {
	t.Helper()
	e, err := m.Embed(trajs)
	if err != nil {
		t.Fatal(err)
	}
	if e.Rows != len(trajs) || e.Cols != m.Dim() || len(e.Data) != e.Rows*e.Cols {
		t.Fatalf("Embed of %d trajectories: %d×%d with %d values, want %d×%d", len(trajs), e.Rows, e.Cols, len(e.Data), len(trajs), m.Dim())
	}
	return e
}

// closeTo compares two embeddings (or a's first rows of b when b is larger).
func closeTo(t *testing.T, what string, a, b tfm.Matrix, tol float64) {
	t.Helper()
	if a.Cols != b.Cols || a.Rows > b.Rows {
		t.Fatalf("%s: %d×%d vs %d×%d", what, a.Rows, a.Cols, b.Rows, b.Cols)
	}
	for i, v := range a.Data {
		if d := math.Abs(float64(v - b.Data[i])); d > tol {
			t.Fatalf("%s: row %d column %d differs: %v vs %v", what, i/a.Cols, i%a.Cols, v, b.Data[i])
		}
	}
}

func TestEmbedShapeAndDeterminism(t *testing.T) {
	be := testBackend(t)
	m := fit(t, be, 7, "gps")
	if got := m.Modalities(); len(got) != 1 || got[0] != "gps" {
		t.Fatalf("modalities %v, want [gps]", got)
	}
	if m.Dim() != 16 || m.Primary().Scope != tfm.EncoderScope {
		t.Fatalf("Dim %d scope %q, want 16 and %q", m.Dim(), m.Primary().Scope, tfm.EncoderScope)
	}
	m.BatchSize = 16 // 40 trajectories: two full batches and a padded one
	trajs := testData(t).Trajectories
	a := embed(t, m, trajs)
	if err := a.Check(); err != nil {
		t.Fatal(err)
	}
	b := embed(t, m, trajs)
	closeTo(t, "two Embed calls", a, b, 0)
	// A row does not depend on what else is in its batch (padding is masked).
	closeTo(t, "the first 5 alone vs in a batch of 16", embed(t, m, trajs[:5]), a, 1e-5)
	// Not every trajectory maps to the same vector.
	same := true
	for j := 0; j < a.Cols; j++ {
		if a.Row(0)[j] != a.Row(1)[j] {
			same = false
		}
	}
	if same {
		t.Fatal("trajectories 0 and 1 have identical embeddings")
	}
	// The same seed builds the same variables.
	m2 := fit(t, be, 7, "gps")
	m2.BatchSize = 16
	closeTo(t, "two models of seed 7", embed(t, m2, trajs), a, 0)
}

func TestSaveLoadRoundTrip(t *testing.T) {
	be := testBackend(t)
	m := fit(t, be, 3, "gps")
	trajs := testData(t).Trajectories[:12]
	want := embed(t, m, trajs)
	dir := t.TempDir()
	if err := m.Save(dir, 1); err != nil {
		t.Fatal(err)
	}
	if err := m.Save(dir, 1); err != nil { // a second save prunes the first
		t.Fatal(err)
	}
	cks, _ := filepath.Glob(filepath.Join(dir, "checkpoint-*.json"))
	if len(cks) != 1 {
		t.Fatalf("keep=1 left %d checkpoints: %v", len(cks), cks)
	}
	md, ok, err := tfm.ReadMeta(dir)
	if err != nil || !ok || len(md.Modalities) != 1 || md.Modalities[0].Name != "gps" || md.Modalities[0].Scope != tfm.EncoderScope || md.Seed != 3 {
		t.Fatalf("ReadMeta = %+v, %v, %v", md, ok, err)
	}
	got, err := tfm.LoadOn(be, dir)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != dir || strings.Join(got.Modalities(), ",") != "gps" || got.Dim() != m.Dim() ||
		got.Primary().Encoder.String() != m.Primary().Encoder.String() {
		t.Fatalf("loaded %q over %v, Dim %d, encoder %s; want %v, %d, %s", got.Name, got.Modalities(), got.Dim(),
			got.Primary().Encoder, m.Modalities(), m.Dim(), m.Primary().Encoder)
	}
	closeTo(t, "embeddings after Save → Load", embed(t, got, trajs), want, 0)
	// A fresh model of another seed differs: the checkpoint's variables were loaded.
	other := embed(t, m.Fresh(99), trajs)
	differs := false
	for i := range other.Data {
		if other.Data[i] != want.Data[i] {
			differs = true
			break
		}
	}
	if !differs {
		t.Fatal("a fresh model of seed 99 embeds exactly as the one of seed 3")
	}
}

func TestTwoModalities(t *testing.T) {
	be := testBackend(t)
	gps, err := modality.Fit("gps", modality.Source{Trajectories: testData(t).Trajectories})
	if err != nil {
		t.Fatal(err)
	}
	grid, err := modality.Fit("grid", modality.Source{Trajectories: testData(t).Trajectories})
	if err != nil {
		t.Fatal(err)
	}
	cfg := tinyConfig(t)
	m, err := tfm.New(be, cfg, 5, gps, grid)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Branches) != 2 || m.Branches[0].Scope != tfm.EncoderScope || m.Branches[1].Scope != tfm.EncoderScope+"_grid" {
		t.Fatalf("branches %d with scopes %q, %q", len(m.Branches), m.Branches[0].Scope, m.Branches[len(m.Branches)-1].Scope)
	}
	if m.Branches[0].Encoder.NumFeatures == 0 || m.Branches[1].Encoder.VocabSize == 0 {
		t.Fatalf("encoders not sized to their modalities: gps features %d, grid vocab %d",
			m.Branches[0].Encoder.NumFeatures, m.Branches[1].Encoder.VocabSize)
	}
	if want := m.Branches[0].Encoder.Dim + m.Branches[1].Encoder.Dim; m.Dim() != want || want != 2*cfg.Dim {
		t.Fatalf("Dim %d, want %d = the branches' dims side by side", m.Dim(), want)
	}
	trajs := testData(t).Trajectories[:6]
	e := embed(t, m, trajs)
	if err := e.Check(); err != nil {
		t.Fatal(err)
	}

	// The feed names every input by its modality.
	bs, err := m.Batches(trajs)
	if err != nil {
		t.Fatal(err)
	}
	f, err := m.Feed(bs...)
	if err != nil {
		t.Fatal(err)
	}
	names := f.Names()
	for _, n := range names {
		if !strings.HasPrefix(n, "gps/") && !strings.HasPrefix(n, "grid/") {
			t.Errorf("feed input %q is not prefixed by its modality", n)
		}
	}
	for _, want := range []string{
		"gps/" + encoder.InFeatures, "gps/" + encoder.InMask,
		"grid/" + encoder.InTokens, "grid/" + encoder.InMask,
	} {
		if _, ok := f[want]; !ok {
			t.Errorf("feed has no %q (has %v)", want, names)
		}
	}
	if _, ok := f["grid/"+encoder.InFeatures]; ok {
		t.Errorf("the grid (token) branch was fed features: %v", names)
	}
	if _, err := m.Feed(bs[0]); err == nil {
		t.Error("Feed with one batch for two modalities did not fail")
	}

	// A modality twice is refused.
	if _, err := tfm.New(be, cfg, 5, gps, gps); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("New(gps, gps) = %v, want a 'twice' error", err)
	}
	// The two-modality model round-trips too.
	dir := t.TempDir()
	if err := m.Save(dir, 1); err != nil {
		t.Fatal(err)
	}
	got, err := tfm.LoadOn(be, dir)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got.Modalities(), ",") != "gps,grid" || got.Branches[1].Scope != m.Branches[1].Scope {
		t.Fatalf("reloaded %v", got.Modalities())
	}
	closeTo(t, "gps+grid after Save → Load", embed(t, got, trajs), e, 0)
}

func TestBadCheckpointDir(t *testing.T) {
	be := testBackend(t)
	// No such directory, and an empty one: no metadata file.
	for _, dir := range []string{filepath.Join(t.TempDir(), "missing"), t.TempDir()} {
		_, err := tfm.LoadOn(be, dir)
		if err == nil || !strings.Contains(err.Error(), tfm.MetaFile) || !strings.Contains(err.Error(), dir) {
			t.Errorf("LoadOn(%s) = %v, want an error naming %s in it", dir, err, tfm.MetaFile)
		}
	}
	// A corrupt metadata file.
	dir := t.TempDir()
	path := filepath.Join(dir, tfm.MetaFile)
	if err := os.WriteFile(path, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := tfm.LoadOn(be, dir); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("corrupt %s: %v, want an error naming %s", tfm.MetaFile, err, path)
	}
	// Metadata of an older version (no modalities).
	if err := os.WriteFile(path, []byte(`{"paradigm":"contrastive","seed":1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := tfm.LoadOn(be, dir); err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "no modalities") {
		t.Errorf("meta without modalities: %v, want an error naming %s", err, path)
	}
	// An unregistered modality.
	if err := os.WriteFile(path, []byte(`{"paradigm":"contrastive","seed":1,"modalities":[{"name":"sonar","scope":"encoder","encoder":"","state":null}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := tfm.LoadOn(be, dir); err == nil || !strings.Contains(err.Error(), `"sonar"`) {
		t.Errorf("unknown modality: %v, want an error naming it", err)
	}
	// Metadata but no variables.
	m := fit(t, be, 1, "gps")
	dir = t.TempDir()
	if err := m.WriteMeta(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := tfm.LoadOn(be, dir); err == nil || !strings.Contains(err.Error(), "no checkpoint") || !strings.Contains(err.Error(), dir) {
		t.Errorf("meta without variables: %v, want 'no checkpoint in %s'", err, dir)
	}
}

// Embed's compiled graph reads the store's current variables: setting
// other values into the store (as training does) changes what a model that
// has already embedded returns.
func TestEmbedSeesNewVariables(t *testing.T) {
	be := testBackend(t)
	m := fit(t, be, 3, "gps")
	trajs := testData(t).Trajectories[:8]
	before := embed(t, m, trajs) // compiles and initialises m's variables
	other := m.Fresh(11)
	want := embed(t, other, trajs)
	n := 0
	for v := range other.Store.IterVariables() {
		mine := m.Store.GetVariable(v.Path())
		if mine == nil {
			t.Fatalf("%s has no twin in the first model", v.Path())
		}
		val, err := v.Value()
		if err != nil {
			t.Fatal(err)
		}
		c, err := val.Clone()
		if err != nil {
			t.Fatal(err)
		}
		if err := mine.SetValue(c); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n == 0 {
		t.Fatal("the second model has no variables")
	}
	after := embed(t, m, trajs)
	closeTo(t, "embedding after setting the other model's variables", after, want, 0)
	differs := false
	for i := range before.Data {
		differs = differs || before.Data[i] != after.Data[i]
	}
	if !differs {
		t.Fatal("Embed still returns the old variables' embeddings")
	}
}

// Restoring a checkpoint into a model whose variables already exist would
// silently keep their values (GoMLX does not overwrite them): it is an error.
func TestOpenCheckpointsRefusesUsedStore(t *testing.T) {
	be := testBackend(t)
	d := testData(t)
	m := fit(t, be, 1, "gps")
	embed(t, m, d.Trajectories[:4]) // creates the variables
	dir := t.TempDir()
	if err := m.Save(dir, 1); err != nil {
		t.Fatal(err)
	}
	_, err := tfm.OpenCheckpoints(m, dir, 1)
	if err == nil || !strings.Contains(err.Error(), "already has") || !strings.Contains(err.Error(), dir) {
		t.Fatalf("OpenCheckpoints on a used store: %v", err)
	}
	if _, err := tfm.LoadOn(be, dir); err != nil {
		t.Fatalf("a fresh load of the same directory: %v", err)
	}
}
