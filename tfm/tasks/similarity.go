package tasks

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/paulmach/orb"
	"github.com/tfm-course/course/tfm/traj"
)

// Embedder maps trajectories to fixed-size vectors, one row per trajectory
// (a frozen pre-trained encoder, a scratch encoder, or a classical baseline).
type Embedder interface {
	Embed(ts []*traj.Trajectory) (Matrix, error)
}

// EmbedFunc adapts a function to Embedder.
type EmbedFunc func(ts []*traj.Trajectory) (Matrix, error)

// Embed calls f.
func (f EmbedFunc) Embed(ts []*traj.Trajectory) (Matrix, error) { return f(ts) }

// OddEvenSplit splits t into the sub-trajectories of its alternate points,
// as t2vec and TrajCL do: odd holds the 1st, 3rd, 5th, … points (indices 0,
// 2, 4, …), even the 2nd, 4th, … (indices 1, 3, …). Both keep t's identity
// and labels; ids get the suffixes "/odd" and "/even".
func OddEvenSplit(t *traj.Trajectory) (odd, even *traj.Trajectory) {
	odd, even = t.Clone(), t.Clone()
	odd.ID, even.ID = t.ID+"/odd", t.ID+"/even"
	odd.Points, even.Points = odd.Points[:0], even.Points[:0]
	odd.Modes, even.Modes = nil, nil
	for i, p := range t.Points {
		if i%2 == 0 {
			odd.Points = append(odd.Points, p)
			if t.Modes != nil {
				odd.Modes = append(odd.Modes, t.Modes[i])
			}
		} else {
			even.Points = append(even.Points, p)
			if t.Modes != nil {
				even.Modes = append(even.Modes, t.Modes[i])
			}
		}
	}
	return odd, even
}

// SelfSimilarity is the t2vec/TrajCL self-similarity protocol: every query
// trajectory is split into its odd and even points; the odd half is the
// query, the even half goes into the database together with the even halves
// of many distractor trajectories. A good embedding puts each query's own
// other half first.
type SelfSimilarity struct {
	Queries  []*traj.Trajectory // odd halves of the query trajectories
	Database []*traj.Trajectory // even halves: queries' first, then distractors'
	Truth    []int              // Database index of each query's other half
	Skipped  int                // trajectories too short to split
}

// NewSelfSimilarity builds the protocol from query and distractor
// trajectories. A trajectory whose halves would have fewer than minPoints
// points is skipped (counted in Skipped).
func NewSelfSimilarity(queries, distractors []*traj.Trajectory, minPoints int) (*SelfSimilarity, error) {
	return NewSelfSimilarityPerturbed(queries, distractors, minPoints, Perturbation{})
}

// Perturbation makes the protocol harder, as t2vec and TrajCL report it:
// after the split, every half independently loses interior points with
// probability DropRate and gets Gaussian noise of NoiseM metres per axis.
type Perturbation struct {
	DropRate float64
	NoiseM   float64
	Seed     uint64
}

// ReferenceStart is the common start time of every trajectory in the
// self-similarity protocol (a Monday, midnight UTC).
var ReferenceStart = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// AlignStart returns a copy of t shifted in time to start at ReferenceStart
// (intervals kept). The protocol compares shapes, as t2vec and TrajCL do:
// without this, the two halves share a departure time that alone would
// identify the trip for an encoder with time features.
func AlignStart(t *traj.Trajectory) *traj.Trajectory {
	c := t.Clone()
	if len(c.Points) == 0 {
		return c
	}
	shift := ReferenceStart.Sub(c.Points[0].Time)
	for i := range c.Points {
		c.Points[i].Time = c.Points[i].Time.Add(shift)
	}
	return c
}

// Apply returns a perturbed copy of t (first and last points always kept),
// aligned to ReferenceStart.
func (p Perturbation) Apply(t *traj.Trajectory, rng *rand.Rand) *traj.Trajectory {
	t = AlignStart(t)
	if p.DropRate <= 0 && p.NoiseM <= 0 {
		return t
	}
	c := t.Clone()
	c.Points, c.Modes = c.Points[:0], nil
	for i, pt := range t.Points {
		if i > 0 && i < len(t.Points)-1 && rng.Float64() < p.DropRate {
			continue
		}
		if p.NoiseM > 0 {
			x, y := LocalXY(pt.Point, pt.Point)
			pt.Point = FromLocalXY(t.Points[i].Point, x+rng.NormFloat64()*p.NoiseM, y+rng.NormFloat64()*p.NoiseM)
		}
		c.Points = append(c.Points, pt)
	}
	return c
}

// NewSelfSimilarityPerturbed is NewSelfSimilarity with perturbed halves.
func NewSelfSimilarityPerturbed(queries, distractors []*traj.Trajectory, minPoints int, p Perturbation) (*SelfSimilarity, error) {
	s := &SelfSimilarity{}
	rng := rand.New(rand.NewPCG(p.Seed, 0xd157))
	for _, t := range queries {
		if len(t.Points) < 2*minPoints {
			s.Skipped++
			continue
		}
		odd, even := OddEvenSplit(t)
		s.Truth = append(s.Truth, len(s.Database))
		s.Queries = append(s.Queries, p.Apply(odd, rng))
		s.Database = append(s.Database, p.Apply(even, rng))
	}
	if len(s.Queries) == 0 {
		return nil, fmt.Errorf("tasks: self-similarity: none of %d query trajectories has %d points", len(queries), 2*minPoints)
	}
	for _, t := range distractors {
		if len(t.Points) < 2*minPoints {
			s.Skipped++
			continue
		}
		_, even := OddEvenSplit(t)
		s.Database = append(s.Database, p.Apply(even, rng))
	}
	return s, nil
}

// SplitQueries shuffles ts with seed and returns the first numQueries as
// queries and the rest as distractors.
func SplitQueries(ts []*traj.Trajectory, numQueries int, seed uint64) (queries, distractors []*traj.Trajectory) {
	idx := rand.New(rand.NewPCG(seed, 0x5e1f)).Perm(len(ts))
	numQueries = min(numQueries, len(ts))
	for n, i := range idx {
		if n < numQueries {
			queries = append(queries, ts[i])
		} else {
			distractors = append(distractors, ts[i])
		}
	}
	return queries, distractors
}

// Distractors is the number of database entries that are not a ground truth.
func (s *SelfSimilarity) Distractors() int { return len(s.Database) - len(s.Queries) }

// SimilarityResult is the outcome of the self-similarity protocol.
type SimilarityResult struct {
	RankingMetrics
	Queries     int   `json:"queries"`
	Distractors int   `json:"distractors"`
	Ranks       []int `json:"-"`
}

// Evaluate embeds queries and database with e and ranks the database by
// embedding distance for each query.
func (s *SelfSimilarity) Evaluate(e Embedder, metric Metric) (SimilarityResult, error) {
	q, err := e.Embed(s.Queries)
	if err != nil {
		return SimilarityResult{}, fmt.Errorf("embedding queries: %w", err)
	}
	db, err := e.Embed(s.Database)
	if err != nil {
		return SimilarityResult{}, fmt.Errorf("embedding database: %w", err)
	}
	return s.EvaluateEmbeddings(q, db, metric)
}

// EvaluateEmbeddings ranks with precomputed query and database embeddings.
func (s *SelfSimilarity) EvaluateEmbeddings(q, db Matrix, metric Metric) (SimilarityResult, error) {
	if q.Rows != len(s.Queries) || db.Rows != len(s.Database) {
		return SimilarityResult{}, fmt.Errorf("tasks: %d query and %d database embeddings for %d queries and %d database entries",
			q.Rows, db.Rows, len(s.Queries), len(s.Database))
	}
	if err := q.Check(); err != nil {
		return SimilarityResult{}, fmt.Errorf("query embeddings: %w", err)
	}
	if err := db.Check(); err != nil {
		return SimilarityResult{}, fmt.Errorf("database embeddings: %w", err)
	}
	ranks, err := RanksOf(q, db, s.Truth, metric)
	if err != nil {
		return SimilarityResult{}, err
	}
	m, err := Ranking(ranks)
	if err != nil {
		return SimilarityResult{}, err
	}
	return SimilarityResult{RankingMetrics: m, Queries: len(s.Queries), Distractors: s.Distractors(), Ranks: ranks}, nil
}

// ApproximationMetrics compare the ranking induced by embedding distance with
// the ranking by a classical distance (DTW, Fréchet, Hausdorff): HR@k is the
// overlap of the two top-k lists, R10@50 the fraction of the true top-10
// found in the embedding top-50; averaged over queries.
type ApproximationMetrics struct {
	HR5     float64 `json:"hr5"`
	HR10    float64 `json:"hr10"`
	HR50    float64 `json:"hr50"`
	R10At50 float64 `json:"r10_50"`
	Queries int     `json:"queries"`
}

// DistanceApproximation ranks, for each of the n = emb.Rows trajectories,
// the other n−1 by embedding distance and by trueDist(i, j), and averages
// HR@5/10/50 and R10@50 (k is clipped to n−1 for small sets).
func DistanceApproximation(emb Matrix, trueDist func(i, j int) float64, metric Metric) (ApproximationMetrics, error) {
	n := emb.Rows
	if n < 3 {
		return ApproximationMetrics{}, fmt.Errorf("tasks: distance approximation needs at least 3 trajectories, have %d", n)
	}
	ed, err := PairwiseDistances(emb, emb, metric)
	if err != nil {
		return ApproximationMetrics{}, err
	}
	var m ApproximationMetrics
	trueRow, embRow := make([]float64, n), make([]float64, n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if j != i {
				trueRow[j] = trueDist(i, j)
				if math.IsNaN(trueRow[j]) {
					return m, fmt.Errorf("tasks: true distance (%d, %d) is NaN", i, j)
				}
			}
			embRow[j] = float64(ed[i*n+j])
		}
		to, po := ArgsortRow(trueRow, i), ArgsortRow(embRow, i)
		c := func(k int) int { return min(k, n-1) }
		m.HR5 += TopKOverlap(to, po, c(5))
		m.HR10 += TopKOverlap(to, po, c(10))
		m.HR50 += TopKOverlap(to, po, c(50))
		m.R10At50 += RecallKAtM(to, po, c(10), c(50))
	}
	m.HR5 /= float64(n)
	m.HR10 /= float64(n)
	m.HR50 /= float64(n)
	m.R10At50 /= float64(n)
	m.Queries = n
	return m, nil
}

// ResampleEmbedder is the classical baseline embedding: each trajectory is
// resampled to Points points equally spaced along its path, and the local
// east/north coordinates (in units of Scale metres from Origin) are
// concatenated. It needs no training, so it anchors what a learned encoder
// should at least match on self-similarity.
type ResampleEmbedder struct {
	Points int
	Origin orb.Point
	Scale  float64 // metres per unit
}

// NewResampleEmbedder centres the embedding on the bound of ts.
func NewResampleEmbedder(ts []*traj.Trajectory, points int) *ResampleEmbedder {
	d := traj.Dataset{Trajectories: ts}
	b := d.Bound()
	return &ResampleEmbedder{Points: points, Origin: b.Center(), Scale: 1000}
}

// Embed implements Embedder.
func (r *ResampleEmbedder) Embed(ts []*traj.Trajectory) (Matrix, error) {
	m := Matrix{Rows: len(ts), Cols: 2 * r.Points, Data: make([]float32, 0, len(ts)*2*r.Points)}
	for _, t := range ts {
		if len(t.Points) == 0 {
			return Matrix{}, fmt.Errorf("tasks: trajectory %q has no points", t.ID)
		}
		for _, p := range ResampleAlong(t.LineString(), r.Points) {
			x, y := LocalXY(r.Origin, p)
			m.Data = append(m.Data, float32(x/r.Scale), float32(y/r.Scale))
		}
	}
	return m, nil
}

// LocalXY projects p to east/north metres from origin (traj.LocalProjection).
func LocalXY(origin, p orb.Point) (x, y float64) { return traj.NewLocalProjection(origin).XY(p) }

// FromLocalXY inverts LocalXY.
func FromLocalXY(origin orb.Point, x, y float64) orb.Point {
	return traj.NewLocalProjection(origin).LonLat(x, y)
}

// ResampleAlong returns n points equally spaced (in planar lon/lat length)
// along ls, first and last included; a single point is repeated.
func ResampleAlong(ls orb.LineString, n int) []orb.Point {
	out := make([]orb.Point, n)
	if len(ls) == 1 || n == 1 {
		for i := range out {
			out[i] = ls[0]
		}
		return out
	}
	cum := make([]float64, len(ls))
	for i := 1; i < len(ls); i++ {
		cum[i] = cum[i-1] + math.Hypot(ls[i][0]-ls[i-1][0], ls[i][1]-ls[i-1][1])
	}
	total := cum[len(cum)-1]
	seg := 1
	for k := range out {
		target := total * float64(k) / float64(n-1)
		for seg < len(ls)-1 && cum[seg] < target {
			seg++
		}
		l := cum[seg] - cum[seg-1]
		f := 0.0
		if l > 0 {
			f = (target - cum[seg-1]) / l
		}
		f = math.Max(0, math.Min(1, f))
		a, b := ls[seg-1], ls[seg]
		out[k] = orb.Point{a[0] + f*(b[0]-a[0]), a[1] + f*(b[1]-a[1])}
	}
	return out
}
