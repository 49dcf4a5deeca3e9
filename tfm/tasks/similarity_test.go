package tasks

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/tfm-course/course/tfm/distance"
	"github.com/tfm-course/course/tfm/traj"
)

func randomWalks(n int, seed uint64) []*traj.Trajectory { return RandomWalks(n, seed) }

func TestOddEvenSplit(t *testing.T) {
	tr := randomWalks(1, 3)[0]
	tr.Points = tr.Points[:7]
	tr.Modes = []string{"a", "b", "c", "d", "e", "f", "g"}
	odd, even := OddEvenSplit(tr)
	if len(odd.Points) != 4 || len(even.Points) != 3 {
		t.Fatalf("split 7 points into %d + %d, want 4 + 3", len(odd.Points), len(even.Points))
	}
	for k, p := range odd.Points {
		if p.Point != tr.Points[2*k].Point || odd.Modes[k] != tr.Modes[2*k] {
			t.Errorf("odd point %d is not original point %d", k, 2*k)
		}
	}
	for k, p := range even.Points {
		if p.Point != tr.Points[2*k+1].Point || even.Modes[k] != tr.Modes[2*k+1] {
			t.Errorf("even point %d is not original point %d", k, 2*k+1)
		}
	}
	if odd.ID != tr.ID+"/odd" || even.ID != tr.ID+"/even" || len(tr.Points) != 7 {
		t.Errorf("ids %q %q or original modified", odd.ID, even.ID)
	}
}

func TestSelfSimilarityProtocol(t *testing.T) {
	ts := randomWalks(60, 4)
	short := &traj.Trajectory{ID: "short", Points: ts[0].Points[:3]}
	queries, distractors := SplitQueries(append(ts, short), 10, 7)
	s, err := NewSelfSimilarity(queries, distractors, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Queries)+len(s.Database)-len(s.Queries)+s.Skipped != 61 || s.Skipped != 1 {
		t.Fatalf("queries %d, database %d, skipped %d", len(s.Queries), len(s.Database), s.Skipped)
	}
	if s.Distractors() != len(s.Database)-len(s.Queries) {
		t.Fatal("distractor count")
	}
	// The truth of query i is its own other half.
	for i, q := range s.Queries {
		d := s.Database[s.Truth[i]]
		if q.ID[:len(q.ID)-4] != d.ID[:len(d.ID)-5] || d.Points[0].Point != queryOriginal(queries, q.ID).Points[1].Point {
			t.Fatalf("query %s paired with %s", q.ID, d.ID)
		}
	}
	// An embedder that knows the answer ranks everything first; one that
	// maps everything to the same vector ranks everything first too (ties in
	// the truth's favour); a reversed one ranks last.
	oracle := EmbedFunc(func(ts []*traj.Trajectory) (Matrix, error) {
		m := Matrix{Rows: len(ts), Cols: 1}
		for _, t := range ts {
			m.Data = append(m.Data, float32(hashID(t.ID)))
		}
		return m, nil
	})
	r, err := s.Evaluate(oracle, L2)
	if err != nil {
		t.Fatal(err)
	}
	if r.MeanRank != 1 || r.HR1 != 1 {
		t.Errorf("oracle embedding: %+v", r.RankingMetrics)
	}
	if _, err := s.EvaluateEmbeddings(Matrix{Rows: 1, Cols: 1, Data: []float32{0}}, Matrix{}, L2); err == nil {
		t.Error("wrong embedding count accepted")
	}
}

func queryOriginal(qs []*traj.Trajectory, id string) *traj.Trajectory {
	for _, q := range qs {
		if q.ID+"/odd" == id {
			return q
		}
	}
	return nil
}

// hashID maps "x/odd" and "x/even" to the same number.
func hashID(id string) int {
	base := id
	for i := len(id) - 1; i >= 0; i-- {
		if id[i] == '/' {
			base = id[:i]
			break
		}
	}
	h := 0
	for _, c := range base {
		h = h*31 + int(c)
	}
	return h % 100003
}

// The classical resampling baseline already meets the bar on random walks:
// mean rank < 2 against more than 1,000 distractors.
func TestResampleEmbedderSelfSimilarity(t *testing.T) {
	ts := randomWalks(1200, 5)
	queries, distractors := SplitQueries(ts, 100, 1)
	s, err := NewSelfSimilarity(queries, distractors, 5)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Evaluate(NewResampleEmbedder(ts, 16), L2)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("resample baseline: %+v against %d distractors", r.RankingMetrics, r.Distractors)
	if r.Distractors < 1000 || r.MeanRank >= 2 {
		t.Errorf("mean rank %.3f against %d distractors", r.MeanRank, r.Distractors)
	}
}

func bruteTopK(q, db Matrix, k int, metric Metric) [][]Neighbor {
	out := make([][]Neighbor, q.Rows)
	for i := 0; i < q.Rows; i++ {
		var all []Neighbor
		for j := 0; j < db.Rows; j++ {
			var d float64
			a, b := q.Row(i), db.Row(j)
			if metric == L2 {
				for c := range a {
					d += float64((a[c] - b[c]) * (a[c] - b[c]))
				}
				d = math.Sqrt(d)
			} else {
				var ab, aa, bb float64
				for c := range a {
					ab += float64(a[c] * b[c])
					aa += float64(a[c] * a[c])
					bb += float64(b[c] * b[c])
				}
				d = 1 - ab/math.Sqrt(aa*bb)
			}
			all = append(all, Neighbor{j, float32(d)})
		}
		sort.SliceStable(all, func(x, y int) bool { return all[x].Dist < all[y].Dist })
		out[i] = all[:k]
	}
	return out
}

func randMatrix(rows, cols int, seed uint64) Matrix {
	rng := rand.New(rand.NewPCG(seed, 2))
	m := Matrix{Rows: rows, Cols: cols, Data: make([]float32, rows*cols)}
	for i := range m.Data {
		m.Data[i] = float32(rng.NormFloat64())
	}
	return m
}

func TestTopKMatchesBruteForce(t *testing.T) {
	q, db := randMatrix(37, 13, 1), randMatrix(700, 13, 2)
	for _, metric := range []Metric{L2, Cosine} {
		got, err := TopK(q, db, 10, metric)
		if err != nil {
			t.Fatal(err)
		}
		want := bruteTopK(q, db, 10, metric)
		for i := range want {
			for n := range want[i] {
				if got[i][n].Index != want[i][n].Index || math.Abs(float64(got[i][n].Dist-want[i][n].Dist)) > 1e-3 {
					t.Fatalf("%v query %d neighbour %d: got %+v, want %+v", metric, i, n, got[i][n], want[i][n])
				}
			}
		}
		// RanksOf agrees with the position in the full sorted order.
		truth := make([]int, q.Rows)
		for i := range truth {
			truth[i] = want[i][3].Index
		}
		ranks, err := RanksOf(q, db, truth, metric)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range ranks {
			if r != 4 {
				t.Fatalf("%v query %d: rank %d, want 4", metric, i, r)
			}
		}
	}
	if _, err := TopK(q, randMatrix(3, 4, 1), 1, L2); err == nil {
		t.Error("dimension mismatch accepted")
	}
}

func TestDistanceApproximation(t *testing.T) {
	// Points on a line: embedding = position, true distance = |Δposition|³
	// (same order) → perfect agreement; a shuffled embedding does worse.
	n := 60
	pos := make([]float32, n)
	for i := range pos {
		pos[i] = float32(i*i%97) + 0.5*float32(i)
	}
	emb := Matrix{Rows: n, Cols: 1, Data: pos}
	trueDist := func(i, j int) float64 { return math.Pow(math.Abs(float64(pos[i]-pos[j])), 3) }
	m, err := DistanceApproximation(emb, trueDist, L2)
	if err != nil {
		t.Fatal(err)
	}
	if m.HR10 != 1 || m.R10At50 != 1 || m.HR50 != 1 {
		t.Errorf("monotone embedding: %+v", m)
	}
	bad := randMatrix(n, 1, 9)
	mb, _ := DistanceApproximation(bad, trueDist, L2)
	if mb.HR10 >= 0.5 || mb.R10At50 >= m.R10At50 {
		t.Errorf("random embedding should do worse: %+v", mb)
	}
}

func BenchmarkTopK(b *testing.B) {
	q, db := randMatrix(1000, 128, 1), randMatrix(10000, 128, 2)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := TopK(q, db, 20, L2); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(q.Rows*db.Rows)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mpairs/s")
}

// The resampling embedding approximates the DTW/Fréchet/Hausdorff rankings
// of random walks far better than a shuffled embedding does.
func TestApproximateClassicalDistances(t *testing.T) {
	ts := randomWalks(120, 8)
	emb := NewResampleEmbedder(ts, 16)
	for _, kind := range []distance.Kind{distance.DTW, distance.Frechet, distance.Hausdorff} {
		m, err := ApproximateDistance(emb, ts, kind, L2)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%v: %+v", kind, m)
		if m.HR10 < 0.5 || m.R10At50 < 0.9 {
			t.Errorf("%v: resample embedding HR@10 %.3f, R10@50 %.3f", kind, m.HR10, m.R10At50)
		}
	}
}
