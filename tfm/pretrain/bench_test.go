package pretrain

import (
	"math/rand/v2"
	"syscall"
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train"

	"github.com/tfm-course/course/tfm/encoder"
	"github.com/tfm-course/course/tfm/modality"
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

func BenchmarkTrainStepReference(b *testing.B) {
	for _, attn := range []string{"core", "mha"} {
		b.Run("attn="+attn, func(b *testing.B) { benchTrainStep(b, attn) })
	}
}

func benchTrainStep(b *testing.B, attn string) {
	be := testBackend(b)
	cfg := referenceConfig()
	cfg.Attention = attn
	gen := &Generative{Cfg: cfg, Masker: RandomMask(0.15), Ratio: 0.15}
	rng := rand.New(rand.NewPCG(1, 1))
	batch := randomTokenBatch(rng, 64, 64, cfg.VocabSize)
	target := gen.targets(batch)
	hidden := gen.Mask(rng, batch)
	ins, err := encoder.Tensors(cfg, batch)
	if err != nil {
		b.Fatal(err)
	}
	ins = append(ins, gen.scored(rng, target, hidden, 64, 64)...)
	store := model.NewStore()
	store.SetParam(model.ParamInitialSeed, int64(1))
	trainer := train.NewTrainer(be, store, func(scope *model.Scope, _ any, inputs []*Node) []*Node {
		loss, t := gen.Loss(scope, inputs)
		train.AddMainLoss(loss)
		return t
	}, nil, newScheduledAdam(1e-3, 0, 10, 1), nil, nil)
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
	cfg := referenceConfig()
	cfg.Attention = attn
	batch := randomTokenBatch(rand.New(rand.NewPCG(2, 2)), 256, 64, cfg.VocabSize)
	m := &Model{Backend: be, Store: model.NewStore(), Encoder: cfg}
	m.Store.SetParam(model.ParamInitialSeed, int64(1))
	if _, err := m.EmbedBatch(batch); err != nil { // compile + init
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu0 := cpuSeconds()
	for range b.N {
		if _, err := m.EmbedBatch(batch); err != nil {
			b.Fatal(err)
		}
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
