package encoder

import (
	"io"
	"maps"
	"math"
	"slices"
	"testing"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/tfm-course/course/tfm/backend"
	"github.com/tfm-course/course/tfm/modality"
)

func testBackend(t testing.TB) compute.Backend {
	t.Helper()
	backend.Logger = io.Discard
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// tinyBatch: 3 token sequences of lengths 4, 2, 3 padded to 5.
func tinyBatch(padToken int32) *modality.Batch {
	B, L := 3, 5
	b := &modality.Batch{Size: B, Len: L, Tokens: make([]int32, B*L), Mask: make([]bool, B*L),
		TimeOfDay: make([]float32, B*L), DayOfWeek: make([]int32, B*L), DeltaT: make([]float32, B*L)}
	for r, n := range []int{4, 2, 3} {
		for i := 0; i < L; i++ {
			k := r*L + i
			if i < n {
				b.Tokens[k] = int32(modality.NumSpecial + (r*7+i*3)%9)
				b.Mask[k] = true
				b.TimeOfDay[k] = 0.3 + 0.01*float32(i)
				b.DayOfWeek[k] = int32(r + 1)
				if i > 0 {
					b.DeltaT[k] = 15
				}
			} else {
				b.Tokens[k] = padToken
				b.DeltaT[k] = 1000 * float32(padToken) // garbage in padding
			}
		}
	}
	return b
}

func encode(t *testing.T, cfg Config, b *modality.Batch) [][]float32 {
	t.Helper()
	store := model.NewStore()
	store.SetParam(model.ParamInitialSeed, int64(7))
	return flat(tensors.MustCopyFlatData[float32](runEncoder(t, store, cfg, b))).reshape(b.Size)
}

// runEncoder encodes b with cfg over store's variables (created on the
// first run) and returns the pooled vectors.
func runEncoder(t *testing.T, store *model.Store, cfg Config, b *modality.Batch) *tensors.Tensor {
	t.Helper()
	return runEncoderOn(t, testBackend(t), store, cfg, b)
}

// runEncoderOn is runEncoder on backend be (a store is used on one backend).
func runEncoderOn(t *testing.T, be compute.Backend, store *model.Store, cfg Config, b *modality.Batch) *tensors.Tensor {
	t.Helper()
	feed, err := Feed(cfg, b)
	if err != nil {
		t.Fatal(err)
	}
	names := slices.Sorted(maps.Keys(feed))
	exec := model.MustNewExec(be, store, func(scope *model.Scope, nodes []*Node) *Node {
		in := map[string]*Node{}
		for i, n := range names {
			in[n] = nodes[i]
		}
		return Encode(scope, cfg, InputsOf(in)).Pooled
	})
	args := make([]any, len(names))
	for i, n := range names {
		args[i] = feed[n]
	}
	return exec.MustExec(args...)[0]
}

type flat []float32

func (f flat) reshape(rows int) [][]float32 {
	d := len(f) / rows
	out := make([][]float32, rows)
	for r := range out {
		out[r] = f[r*d : (r+1)*d]
	}
	return out
}

func TestEncodersIgnorePadding(t *testing.T) {
	for _, set := range []string{
		"layers=1;dim=16;heads=2;ffn=32;pool=mean",
		"layers=1;dim=16;heads=2;ffn=32;pool=cls;timebias=true",
		"arch=lstm;layers=1;dim=16;heads=1;pool=cls",
		"layers=1;dim=16;heads=2;ffn=32;attn=mha;timebias=true",
	} {
		cfg := DefaultConfig()
		if err := cfg.Set(set); err != nil {
			t.Fatal(err)
		}
		cfg.VocabSize = 20
		a := encode(t, cfg, tinyBatch(modality.PAD))
		b := encode(t, cfg, tinyBatch(modality.UNK)) // different garbage in the padding
		if len(a) != 3 || len(a[0]) != 16 {
			t.Fatalf("%s: pooled shape [%d,%d], want [3,16]", set, len(a), len(a[0]))
		}
		for r := range a {
			for j := range a[r] {
				if math.IsNaN(float64(a[r][j])) || math.Abs(float64(a[r][j]-b[r][j])) > 1e-4 {
					t.Fatalf("%s: row %d dim %d: %v vs %v — padding leaked into the embedding", set, r, j, a[r][j], b[r][j])
				}
			}
		}
		if a[0][0] == a[1][0] && a[0][1] == a[1][1] {
			t.Errorf("%s: different sequences got the same embedding", set)
		}
	}
}

func TestConfigSet(t *testing.T) {
	c := DefaultConfig()
	if err := c.Set("layers=3; dim=96;heads=6,pool=cls;timebias=true;dropout=0.1"); err != nil {
		t.Fatal(err)
	}
	if c.Layers != 3 || c.Dim != 96 || c.Heads != 6 || c.Pooling != PoolCLS || !c.TimeBias || c.Dropout != 0.1 {
		t.Fatalf("Set parsed %+v", c)
	}
	for _, bad := range []string{"layers=two", "dim=100;heads=3", "colour=red", "pool=max", "dim"} {
		c := DefaultConfig()
		if err := c.Set(bad); err == nil {
			t.Errorf("Set(%q) accepted", bad)
		}
	}
	// Round trip through the store (as a checkpoint would).
	store := model.NewStore()
	c.VocabSize = 123
	c.Save(store)
	got, err := FromStore(store)
	if err != nil || got != c {
		t.Fatalf("FromStore = %+v, %v; want %+v", got, err, c)
	}
}

func TestCNNEncoderShape(t *testing.T) {
	cfg := DefaultConfig()
	if err := cfg.Set("arch=cnn;dim=8"); err != nil {
		t.Fatal(err)
	}
	cfg.Channels, cfg.ImageSize = 3, 8
	b := &modality.Batch{Size: 2, Channels: 3, H: 8, W: 8, Pixels: make([]float32, 2*3*8*8)}
	for i := range b.Pixels {
		b.Pixels[i] = float32(i%7) / 7
	}
	got := encode(t, cfg, b)
	if len(got) != 2 || len(got[0]) != 8 {
		t.Fatalf("cnn embedding shape [%d,%d], want [2,8]", len(got), len(got[0]))
	}
}

// Output.Attention: one [B, H, L', L'] map per layer, rows summing to 1 with
// no weight on padded keys; with cls pooling position 0 is [CLS].
func TestTransformerAttentionWeights(t *testing.T) {
	for _, c := range []struct {
		set string
		cls int
	}{{"layers=2;dim=16;heads=2;ffn=32;pool=mean", 0}, {"layers=2;dim=16;heads=2;ffn=32;pool=cls;timebias=true", 1}} {
		cfg := DefaultConfig()
		if err := cfg.Set(c.set); err != nil {
			t.Fatal(err)
		}
		cfg.VocabSize = 20
		b := tinyBatch(modality.PAD)
		feed, err := Feed(cfg, b)
		if err != nil {
			t.Fatal(err)
		}
		names := slices.Sorted(maps.Keys(feed))
		store := model.NewStore()
		store.SetParam(model.ParamInitialSeed, int64(7))
		layers := 0
		exec := model.MustNewExec(testBackend(t), store, func(scope *model.Scope, nodes []*Node) *Node {
			in := map[string]*Node{}
			for i, n := range names {
				in[n] = nodes[i]
			}
			out := Encode(scope, cfg, InputsOf(in))
			layers = len(out.Attention)
			return Stack(out.Attention, 0)
		})
		args := make([]any, len(names))
		for i, n := range names {
			args[i] = feed[n]
		}
		res := exec.MustExec(args...)[0]
		L := b.Len + c.cls
		if want := []int{2, 3, 2, L, L}; !slices.Equal(res.Shape().Dimensions, want) || layers != 2 {
			t.Fatalf("%s: %d layers of shape %v, want 2 of %v", c.set, layers, res.Shape().Dimensions, want[1:])
		}
		a := tensors.MustCopyFlatData[float32](res)
		for l := range 2 {
			for r, n := range []int{4, 2, 3} {
				for h := range 2 {
					for q := range L {
						row := a[(((l*3+r)*2+h)*L+q)*L:][:L]
						sum := 0.0
						for k, w := range row {
							sum += float64(w)
							if k >= n+c.cls && w != 0 {
								t.Fatalf("%s: layer %d row %d head %d query %d puts %v on padded key %d", c.set, l, r, h, q, w, k)
							}
						}
						if math.Abs(sum-1) > 1e-5 {
							t.Fatalf("%s: layer %d row %d head %d query %d sums to %v", c.set, l, r, h, q, sum)
						}
					}
				}
			}
		}
	}
}
