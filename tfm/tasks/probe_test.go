package tasks

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Regression: y = 3·x0 − 2·x1² + noise; the MLP probe beats predicting the
// mean by far, and the linear probe is between the two.
func TestRegressionProbe(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	make := func(n int) (Matrix, []float64) {
		x := Matrix{Rows: n, Cols: 4, Data: []float32{}}
		y := []float64{}
		for i := 0; i < n; i++ {
			v := []float32{float32(rng.NormFloat64()), float32(rng.NormFloat64()), float32(rng.NormFloat64()), float32(rng.NormFloat64())}
			x.Data = append(x.Data, v...)
			y = append(y, 300+60*(3*float64(v[0])-2*float64(v[1]*v[1]))+rng.NormFloat64()*5)
		}
		return x, y
	}
	xtr, ytr := make(800)
	xte, yte := make(200)
	mean := 0.0
	for _, v := range ytr {
		mean += v / float64(len(ytr))
	}
	constant := make_const(len(yte), mean)
	base := MAE(constant, yte)

	cfg := DefaultProbeConfig()
	cfg.Steps = 400
	p, err := TrainRegressionProbe(xtr, ytr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	pred, err := p.PredictRegression(xte)
	if err != nil {
		t.Fatal(err)
	}
	mlp := MAE(pred, yte)
	lin, err := TrainRegressionProbe(xtr, ytr, func() ProbeConfig { c := LinearProbeConfig(); c.Steps = 400; return c }())
	if err != nil {
		t.Fatal(err)
	}
	lpred, _ := lin.PredictRegression(xte)
	linear := MAE(lpred, yte)
	t.Logf("MAE: constant %.1f, linear %.1f, MLP %.1f", base, linear, mlp)
	if !(mlp < 0.35*base && mlp < linear && linear < base) {
		t.Errorf("MAE constant %.1f, linear %.1f, MLP %.1f", base, linear, mlp)
	}
	if _, err := p.PredictClasses(xte); err == nil {
		t.Error("regressor answered a classification")
	}
}

func make_const(n int, v float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// Classification: three Gaussian blobs; the probe is far above the majority.
func TestClassifierProbe(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	centres := [][2]float64{{0, 0}, {3, 0}, {0, 3}}
	gen := func(n int) (Matrix, []int) {
		x := Matrix{Rows: n, Cols: 2}
		var y []int
		for i := 0; i < n; i++ {
			c := rng.IntN(3)
			x.Data = append(x.Data, float32(centres[c][0]+rng.NormFloat64()*0.6), float32(centres[c][1]+rng.NormFloat64()*0.6))
			y = append(y, c)
		}
		return x, y
	}
	xtr, ytr := gen(600)
	xte, yte := gen(300)
	cfg := LinearProbeConfig()
	cfg.Steps = 300
	p, err := TrainClassifierProbe(xtr, ytr, 3, cfg)
	if err != nil {
		t.Fatal(err)
	}
	pred, err := p.PredictClasses(xte)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Classification([]string{"a", "b", "c"}, yte, pred)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("accuracy %.3f macro-F1 %.3f majority %.3f", m.Accuracy, m.MacroF1, m.MajorityAccuracy)
	if m.Accuracy < 0.9 || m.MacroF1 < 0.9 || math.IsNaN(m.MacroF1) {
		t.Errorf("blob classification accuracy %.3f, macro-F1 %.3f", m.Accuracy, m.MacroF1)
	}
	if _, err := TrainClassifierProbe(xtr, append([]int{5}, ytr[1:]...), 3, cfg); err == nil {
		t.Error("out-of-range label accepted")
	}
}
