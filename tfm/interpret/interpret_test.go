package interpret

import (
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tfm-course/course/tfm/encoder"
	"github.com/tfm-course/course/tfm/modality"
	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/tasks"
	"github.com/tfm-course/course/tfm/traj"
)

func tinyConfig(t testing.TB, set string) encoder.Config {
	t.Helper()
	cfg := encoder.DefaultConfig()
	if err := cfg.Set("layers=2;dim=16;heads=2;ffn=32;maxlen=16;" + set); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// A hand-made 2-layer stack over 3 positions, rolled out by hand:
//
//	Ā₁ = ½A₁+½I = [[1,0,0],[.25,.75,0],[0,.25,.75]]
//	Ā₂ = ½A₂+½I = [[.75,.125,.125],[0,1,0],[0,0,1]]
//	R  = Ā₂Ā₁   = [[.78125,.125,.09375],[.25,.75,0],[0,.25,.75]]
func TestRolloutExact(t *testing.T) {
	maps := [][][]float64{
		{{1, 0, 0}, {.5, .5, 0}, {0, .5, .5}},
		{{.5, .25, .25}, {0, 1, 0}, {0, 0, 1}},
	}
	check := func(name string, got, want []float64) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %v, want %v", name, got, want)
		}
		for i := range got {
			if math.Abs(got[i]-want[i]) > 1e-12 {
				t.Fatalf("%s: %v, want %v", name, got, want)
			}
		}
	}
	// Mean pooling: the column means of R.
	check("mean", Rollout(maps, false), []float64{1.03125 / 3, 1.125 / 3, 0.84375 / 3})
	// cls pooling: R[0, 1:] = [.125, .09375] renormalised.
	check("cls", Rollout(maps, true), []float64{4.0 / 7, 3.0 / 7})
}

var (
	fixOnce sync.Once
	fixTTE  *tasks.FineTuned
	fixRte  []*traj.Trajectory
	fixErr  error
)

// tteModel is a tiny scratch Transformer fine-tuned for travel time on
// route inputs of random walks (30 steps).
func tteModel(t *testing.T) (*tasks.FineTuned, []*traj.Trajectory) {
	t.Helper()
	fixOnce.Do(func() {
		walks := tasks.RandomWalks(120, 5)
		fixRte, fixErr = tasks.RouteInputs(walks, tasks.DefaultRouteConfig())
		if fixErr != nil {
			return
		}
		var m *tfm.Model
		if m, fixErr = tasks.NewScratch(tinyConfig(t, "pool=cls"), fixRte, 1); fixErr != nil {
			return
		}
		cfg := tasks.DefaultFineTuneConfig()
		cfg.Steps, cfg.BatchSize, cfg.Hidden = 30, 16, []int{16}
		fixTTE, fixErr = tasks.FineTune(m, fixRte, tasks.TravelTimes(walks), nil, 0, cfg)
	})
	if fixErr != nil {
		t.Fatal(fixErr)
	}
	return fixTTE, fixRte
}

func checkWeights(t *testing.T, name string, w PointWeights, points int) {
	t.Helper()
	if len(w.Points) != points || len(w.Weights) != points || len(w.Steps) != points {
		t.Fatalf("%s: %d points, %d weights, %d steps; want %d", name, len(w.Points), len(w.Weights), len(w.Steps), points)
	}
	var s float64
	for i, v := range w.Weights {
		if v < 0 || math.IsNaN(v) {
			t.Fatalf("%s: weight %d is %v", name, i, v)
		}
		s += v
	}
	if math.Abs(s-1) > 1e-9 {
		t.Fatalf("%s: weights sum to %v", name, s)
	}
}

func TestAttentionOfTrainedModel(t *testing.T) {
	ft, routes := tteModel(t)
	m := ft.Model
	short := *routes[0]
	short.Points = short.Points[:7] // 9 padded steps of 16
	ts := []*traj.Trajectory{&short, routes[1], routes[2]}
	ws, err := Attention(m, ts)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range ws {
		n := min(len(ts[i].Points), 16)
		checkWeights(t, ts[i].ID, w, n)
		if w.Steps[0] != 1 || len(w.Layers) != 2 || len(w.Layers[0]) != n+1 {
			t.Fatalf("%s: steps start at %d, %d layers of %d rows; want 1, 2 of %d ([CLS] + points)", ts[i].ID, w.Steps[0], len(w.Layers), len(w.Layers[0]), n+1)
		}
		if w.Points[n-1] != ts[i].Points[n-1].Point {
			t.Errorf("%s: last point %v, want the %d-th fix %v", ts[i].ID, w.Points[n-1], n, ts[i].Points[n-1].Point)
		}
	}
	// Padding and batch neighbours do not matter: the short trip alone gets the same weights.
	alone, err := Attention(m, []*traj.Trajectory{&short})
	if err != nil {
		t.Fatal(err)
	}
	for i := range alone[0].Weights {
		if math.Abs(alone[0].Weights[i]-ws[0].Weights[i]) > 1e-5 {
			t.Fatalf("point %d: %v alone vs %v in a batch", i, alone[0].Weights[i], ws[0].Weights[i])
		}
	}
}

func TestProbesOfTrainedModel(t *testing.T) {
	ft, routes := tteModel(t)
	rows, err := Probes(ft.Model, routes[:60], 1)
	if err != nil {
		t.Fatal(err)
	}
	// Random walks have no mode or district and all leave at 8:00: the
	// speed (of route inputs: the nominal one, up to rounding) and length are left.
	if len(rows) != 2 || rows[1].Property != "trip length (log m)" || rows[1].N != 60 || math.IsNaN(rows[1].Score) || rows[1].Score > 1 {
		t.Fatalf("rows %+v, want the speed and length of 60 routes", rows)
	}
	t.Logf("\n%s", ProbeTable(rows))
}

func TestAttentionMeanPoolingGrid(t *testing.T) {
	walks := tasks.RandomWalks(30, 2)
	m, err := tfm.Fit(tasks.DefaultBackend(), tinyConfig(t, "pool=mean"), 1, modality.Source{Trajectories: walks}, "grid")
	if err != nil {
		t.Fatal(err)
	}
	ws, err := Attention(m, walks[:2])
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range ws {
		if len(w.Points) == 0 || len(w.Points) > 16 {
			t.Fatalf("walk %d: %d cells", i, len(w.Points))
		}
		checkWeights(t, walks[i].ID, w, len(w.Points))
		t.Logf("walk %d: %d cells, weights %.3f", i, len(w.Points), w.Weights)
	}
	lstm, err := tfm.Fit(tasks.DefaultBackend(), tinyConfig(t, "arch=lstm"), 1, modality.Source{Trajectories: walks}, "gps")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Attention(lstm, walks[:1]); err == nil || !strings.Contains(err.Error(), "arch=lstm") {
		t.Errorf("lstm model: err = %v, want one naming arch=lstm", err)
	}
}

// parabola: lat = 39.9 + 10⁻⁴·i², so no point lies on a chord of others.
func parabola(n int) *traj.Trajectory {
	t0 := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	tr := &traj.Trajectory{ID: "parabola"}
	for i := range n {
		tr.Points = append(tr.Points, traj.NewPoint(116.3+0.001*float64(i), 39.9+1e-4*float64(i*i), t0.Add(time.Duration(10*i)*time.Second)))
	}
	return tr
}

func TestOcclusionFindsTheOnePointThatMatters(t *testing.T) {
	onlyPoint3 := func(ts []*traj.Trajectory) ([]float64, error) {
		y := make([]float64, len(ts))
		for i, tr := range ts {
			y[i] = 1e4 * tr.Points[3].Lat()
		}
		return y, nil
	}
	tr := parabola(9)
	// The window of point i spans i−⌊(w−1)/2⌋ … i+⌈(w−1)/2⌉: w=3 covers point 3
	// from points 2, 3, 4; w=2 from points 2 and 3.
	for _, c := range []struct {
		window int
		hit    []int
	}{{1, []int{3}}, {3, []int{2, 3, 4}}, {2, []int{2, 3}}} {
		w, err := Occlusion(onlyPoint3, tr, c.window)
		if err != nil {
			t.Fatal(err)
		}
		if len(w.Weights) != 9 || w.Points[3] != tr.Points[3].Point {
			t.Fatalf("window %d: %d weights", c.window, len(w.Weights))
		}
		for i, v := range w.Weights {
			in := false
			for _, h := range c.hit {
				in = in || h == i
			}
			if in && v == 0 || !in && v != 0 {
				t.Errorf("window %d: attribution of point %d is %v (want ≠ 0 at %v, 0 elsewhere)", c.window, i, v, c.hit)
			}
		}
		// Alone, point 3 (lat 39.9009) moves to the chord of points 2 and 4 (39.9010).
		if c.window == 1 && math.Abs(w.Weights[3]-(-1)) > 1e-6 {
			t.Errorf("window 1: attribution of point 3 is %v, want 10⁴·(0.0009 − 0.0010) = −1", w.Weights[3])
		}
	}
	if _, err := Occlusion(onlyPoint3, tr, 8); err == nil || !strings.Contains(err.Error(), "1…7") {
		t.Errorf("window 8 of 9 points: err = %v", err)
	}
}

func TestOcclusionOfFineTunedTTE(t *testing.T) {
	ft, routes := tteModel(t)
	r := routes[3]
	w, err := Occlusion(ft.PredictRegression, r, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Weights) != len(r.Points) {
		t.Fatalf("%d attributions for %d route points", len(w.Weights), len(r.Points))
	}
	// The model sees the first maxlen = 16 route points: those move the
	// prediction, the ones truncated away (window 3: from point 17 on) cannot
	// (up to float32 noise between batch rows: 1 ms of travel time).
	if len(r.Points) < 20 {
		t.Fatalf("route of %d points: want one longer than maxlen", len(r.Points))
	}
	nonzero := 0
	for i, v := range w.Weights {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("attribution %d is %v", i, v)
		}
		if i < 16 && math.Abs(v) > 1e-3 {
			nonzero++
		}
		if i >= 17 && math.Abs(v) > 1e-3 {
			t.Errorf("route point %d, beyond what the model sees, has attribution %v", i, v)
		}
	}
	if nonzero < 12 {
		t.Errorf("only %d of the 16 route points the model sees move the predicted travel time", nonzero)
	}
	if _, err := Figure(w, "occlusion", "Δ travel time (s)", nil).SVG(); err != nil {
		t.Fatal(err)
	}
}

// Embeddings that hold mode, speed and log length linearly (plus noise
// dimensions) score ≈ 1 on them; a label they do not hold scores ≈ its
// baseline, and random embeddings ≈ the baselines everywhere.
func TestProbes(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	walks := tasks.RandomWalks(300, 9)
	modes := []string{"walk", "bike", "car"}
	encoded, random := make([][]float32, len(walks)), make([][]float32, len(walks))
	for i, w := range walks {
		k := rng.IntN(3)
		w.Mode = modes[k]
		w.Labels = map[string]string{"district_type_from": []string{"residential", "commercial"}[rng.IntN(2)]}
		v := w.Length() / w.Duration().Seconds()
		e := []float32{0, 0, 0, float32(v), float32(math.Log(w.Length()))}
		e[k] = 1
		for range 5 {
			e = append(e, float32(rng.NormFloat64()))
		}
		encoded[i] = e
		random[i] = make([]float32, 10)
		for j := range random[i] {
			random[i][j] = float32(rng.NormFloat64())
		}
	}
	byName := func(rows []ProbeRow) map[string]ProbeRow {
		out := map[string]ProbeRow{}
		for _, r := range rows {
			out[r.Property] = r
		}
		return out
	}
	rows, err := ProbesOf(encoded, walks, 1)
	if err != nil {
		t.Fatal(err)
	}
	got := byName(rows)
	if _, ok := got["time of day"]; ok || len(rows) != 4 {
		t.Errorf("rows %v: want 4, no time of day (every walk leaves at 8:00)", rows)
	}
	for _, p := range []string{"mode", "mean speed (m/s)", "trip length (log m)"} {
		if got[p].Score < 0.97 {
			t.Errorf("%s encoded linearly: score %.3f, want ≈ 1", p, got[p].Score)
		}
	}
	if d := got["district type"]; math.Abs(d.Score-d.Baseline) > 0.15 || d.N != 300 || d.Metric != "accuracy" {
		t.Errorf("district type not encoded: %+v, want ≈ baseline", d)
	}
	rows, err = ProbesOf(random, walks, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Score > r.Baseline+0.15 {
			t.Errorf("random embeddings: %+v, want ≈ baseline", r)
		}
	}
	table := ProbeTable(rows)
	if !strings.HasPrefix(table, "| property | probe | metric | score | baseline | n |") || strings.Count(table, "\n") != 2+len(rows) ||
		!strings.Contains(table, "| mean speed (m/s) | regression | R² |") {
		t.Errorf("table:\n%s", table)
	}
}

func TestTimeOfDay(t *testing.T) {
	for h, want := range map[int]string{0: "night", 5: "night", 6: "morning", 9: "morning", 10: "midday", 15: "midday", 16: "evening", 21: "evening", 22: "night"} {
		tr := &traj.Trajectory{Points: []traj.Point{traj.NewPoint(0, 0, time.Date(2026, 1, 5, h, 30, 0, 0, time.UTC))}}
		if got := TimeOfDay(tr); got != want {
			t.Errorf("hour %d: %q, want %q", h, got, want)
		}
	}
	if TimeOfDay(&traj.Trajectory{}) != "" {
		t.Error("empty trajectory has a time of day")
	}
}

func TestRidgeProbeErrors(t *testing.T) {
	if _, err := RidgeProbe([][]float32{{1}, {2}}, []float64{1}, 0.7, 1); err == nil {
		t.Error("length mismatch accepted")
	}
	if _, err := RidgeProbe([][]float32{{1}, {2}, {3}}, []float64{1, 2, 3}, 0.1, 1); err == nil {
		t.Error("empty test split accepted")
	}
}
