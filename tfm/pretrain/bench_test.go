package pretrain

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train"

	"github.com/tfm-course/course/tfm/encoder"
	"github.com/tfm-course/course/tfm/modality"
	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/traj"
)

// The reference model: 2-layer Transformer, d=128, 4 heads, FFN 256,
// seq 64, batch 64, vocab 4096, masked-token cross-entropy + Adam.
func referenceConfig() encoder.Config {
	cfg := encoder.DefaultConfig()
	if err := cfg.Set("layers=2;dim=128;heads=4;ffn=256;maxlen=64;temporal=false"); err != nil {
		panic(err)
	}
	cfg.VocabSize = 4096
	return cfg
}

func randomTokenBatch(rng *rand.Rand, B, L, vocab int) *modality.Batch {
	b := &modality.Batch{Size: B, Len: L, Tokens: make([]int32, B*L), Mask: make([]bool, B*L)}
	for i := range b.Tokens {
		b.Tokens[i] = int32(modality.NumSpecial + rng.IntN(vocab-modality.NumSpecial))
		b.Mask[i] = true
	}
	return b
}

// tokenModality is a stand-in token modality of a given vocabulary: the
// benchmarks feed it random token batches directly.
type tokenModality struct{ vocab int }

func (m tokenModality) Name() string        { return "tokens" }
func (m tokenModality) Spec() modality.Spec { return modality.Spec{Vocab: m.vocab} }
func (m tokenModality) Batch([]*traj.Trajectory, int) (*modality.Batch, error) {
	return nil, fmt.Errorf("tokenModality: benchmarks build batches with randomTokenBatch")
}
func (m tokenModality) State() ([]byte, error) { return nil, nil }

// referenceModel is a fresh model with the reference encoder (attention attn).
func referenceModel(b *testing.B, be compute.Backend, attn string) *tfm.Model {
	cfg := referenceConfig()
	cfg.Attention = attn
	m, err := tfm.New(be, cfg, 1, tokenModality{vocab: cfg.VocabSize})
	if err != nil {
		b.Fatal(err)
	}
	return m
}

func BenchmarkTrainStepReference(b *testing.B) {
	for _, attn := range []string{"core", "mha"} {
		b.Run("attn="+attn, func(b *testing.B) { benchTrainStep(b, attn) })
	}
}

func benchTrainStep(b *testing.B, attn string) {
	be := testBackend(b)
	m := referenceModel(b, be, attn)
	gen, err := NewGenerative(m, GenerativeConfig{Masking: "random", MaskRatio: 0.15})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	batch := randomTokenBatch(rng, 64, 64, m.Primary().Encoder.VocabSize)
	target := gen.targets(batch)
	hidden := gen.Mask(rng, batch)
	feed, err := m.Feed(batch)
	if err != nil {
		b.Fatal(err)
	}
	gen.addScored(feed, rng, target, hidden, 64, 64)
	names := feed.Names()
	ins, err := feed.Ordered(names)
	if err != nil {
		b.Fatal(err)
	}
	trainer := train.NewTrainer(be, m.Store, func(scope *model.Scope, _ any, inputs []*Node) []*Node {
		loss, t := gen.Loss(scope, tfm.NodesOf(names, inputs))
		train.AddMainLoss(loss)
		return t
	}, nil, newScheduledAdam(tfm.Phase{End: 1000, Warmup: 10, LR: 1e-3, MinLR: 1e-4}, 0, 1), nil, nil)
	step := func() {
		clones := make([]*tensors.Tensor, len(ins))
		for i, t := range ins {
			clones[i], _ = t.Clone()
		}
		if _, err := trainer.TrainStep(train.Batch{Inputs: clones}); err != nil {
			b.Fatal(err)
		}
	}
	step() // compile
	b.ResetTimer()
	cpu0 := cpuSeconds()
	for range b.N {
		step()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
	b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "cpu-s/op")
}

func BenchmarkEncodeReference(b *testing.B) {
	for _, attn := range []string{"core", "mha"} {
		b.Run("attn="+attn, func(b *testing.B) { benchEncode(b, attn) })
	}
}

func benchEncode(b *testing.B, attn string) {
	be := testBackend(b)
	m := referenceModel(b, be, attn)
	batch := randomTokenBatch(rand.New(rand.NewPCG(2, 2)), 256, 64, m.Primary().Encoder.VocabSize)
	exec := tfm.NewExec(be, m.Store, m.Pooled)
	encode := func() {
		f, err := m.Feed(batch)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := exec.Call(f); err != nil {
			b.Fatal(err)
		}
	}
	encode() // compile + init
	b.ResetTimer()
	cpu0 := cpuSeconds()
	for range b.N {
		encode()
	}
	b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(b.N*256)/b.Elapsed().Seconds(), "seq/s")
}

// cpuSeconds is the process's user+system CPU time: on a shared machine it
// compares configurations better than wall time.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}
