package tasks

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/tfm-course/course/tfm/modality"
	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/traj"
)

// CrossModal is cross-modal retrieval: each trip's From view (a sentence, a
// road path) is a query, every trip's To view (its GPS trace) a candidate,
// ranked by the cosine of the two branches' pooled vectors; the trip's own
// view is the one right answer.
type CrossModal struct {
	From, To   string
	Candidates int     // trips ranked for each query (= queries)
	RecallAt1  float64 // share of queries whose own trip ranks first
	RecallAt10 float64 // … within the first ten
	MeanRank   float64 // mean rank of the own trip (1 = first)
	MedianRank float64
	// ChanceAt1 and ChanceAt10 are a random ranking's recall (1/N, 10/N).
	ChanceAt1, ChanceAt10 float64
	// Ranks is each query's rank of its own trip (query order = Trips).
	Ranks []int
	Trips []*traj.Trajectory
}

// Metrics are the JSON names of the scores.
func (c CrossModal) Metrics() map[string]float64 {
	return map[string]float64{"recall_at_1": c.RecallAt1, "recall_at_10": c.RecallAt10, "mean_rank": c.MeanRank,
		"median_rank": c.MedianRank, "candidates": float64(c.Candidates), "chance_at_1": c.ChanceAt1, "chance_at_10": c.ChanceAt10}
}

// WithViews keeps the trips every named branch of m can encode
// (modality.Selective: a road view needs a map-matched path, a text view a
// description).
func WithViews(m *tfm.Model, trajs []*traj.Trajectory, names ...string) []*traj.Trajectory {
	var out []*traj.Trajectory
	for _, t := range trajs {
		ok := t != nil && len(t.Points) >= 3
		for _, b := range m.Branches {
			if s, sel := b.Modality.(modality.Selective); ok && sel && slices.Contains(names, b.Modality.Name()) {
				ok = s.Accepts(t)
			}
		}
		if ok {
			out = append(out, t)
		}
	}
	return out
}

// CrossModalRetrieval ranks, for each trip of trajs that has both views,
// every such trip's to view against its from view. At least MinCandidates
// trips are needed for a meaningful recall@10.
func CrossModalRetrieval(m *tfm.Model, trajs []*traj.Trajectory, from, to string) (CrossModal, error) {
	res := CrossModal{From: from, To: to}
	for _, n := range []string{from, to} {
		if !slices.Contains(m.Modalities(), n) {
			return res, fmt.Errorf("tasks: crossmodal: the model has no %s branch (it reads %v; pre-train with --paradigm align --modality gps+road+text)", n, m.Modalities())
		}
	}
	if from == to {
		return res, fmt.Errorf("tasks: crossmodal: --from and --to are both %s", from)
	}
	trips := WithViews(m, trajs, from, to)
	if len(trips) < MinCandidates {
		return res, tooFew("crossmodal", "trips with both views", len(trips), MinCandidates)
	}
	q, err := m.EmbedModality(from, trips)
	if err != nil {
		return res, err
	}
	c, err := m.EmbedModality(to, trips)
	if err != nil {
		return res, err
	}
	res.Trips, res.Candidates = trips, len(trips)
	own := make([]int, len(trips))
	for i := range own {
		own[i] = i
	}
	if res.Ranks, err = RanksOf(q, c, own, Cosine); err != nil {
		return res, err
	}
	n := float64(len(trips))
	sum := 0.0
	for _, r := range res.Ranks {
		sum += float64(r)
		if r <= 1 {
			res.RecallAt1++
		}
		if r <= 10 {
			res.RecallAt10++
		}
	}
	res.RecallAt1, res.RecallAt10, res.MeanRank = res.RecallAt1/n, res.RecallAt10/n, sum/n
	sorted := slices.Clone(res.Ranks)
	sort.Ints(sorted)
	res.MedianRank = float64(sorted[len(sorted)/2])
	if len(sorted)%2 == 0 {
		res.MedianRank = float64(sorted[len(sorted)/2-1]+sorted[len(sorted)/2]) / 2
	}
	res.ChanceAt1, res.ChanceAt10 = 1/n, math.Min(1, 10/n)
	return res, nil
}

// Nearest returns the indices of the k candidates closest (cosine) to
// query, closest first: a sentence's best-matching trips.
func Nearest(query []float32, candidates tfm.Matrix, k int) ([]int, error) {
	q := tfm.Matrix{Rows: 1, Cols: len(query), Data: query}
	nb, err := TopK(q, candidates, k, Cosine)
	if err != nil {
		return nil, err
	}
	idx := make([]int, len(nb[0]))
	for i, n := range nb[0] {
		idx[i] = n.Index
	}
	return idx, nil
}
