package diagnose

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/tfm-course/course/tfm/modality"
	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/traj"
)

// Cross-modality misalignment is the multi-modal failure signature of the
// survey: a trip's views that do not describe the same trip (a text
// paired with another trip's GPS, a road view recorded with a clock
// offset). A model aligned on intact pairs scores a pair by the cosine of
// its two views' vectors; desynced pairs score lower, and the AUC of that
// score tells how well it detects them.

// Kinds of planted desync (Desync).
const (
	// DesyncSwap pairs the trip's b-view with another trip's (the wrong
	// text for a share of the data).
	DesyncSwap = "swap"
	// DesyncShift makes the b-view of the trip shifted in time: the view
	// begins ShiftShare of the trip's points later (and ends where the trip
	// ends), as a view recorded with a clock offset.
	DesyncShift = "shift"
)

// DefaultDesyncShare is the share of pairs desynced by the course's
// diagnostic (the multimodal experiment, tfm eval --desync).
const DefaultDesyncShare = 0.3

// ShiftShare is the share of a trip's points a DesyncShift view skips.
const ShiftShare = 0.5

// Desync returns the b-views of trips with a share of them desynced by
// kind, and which ones: a swapped view is another desynced trip's (a
// derangement of the chosen ones), a shifted view the trip's later part.
// accepts, when set, rejects a view its modality cannot encode (that trip
// then stays intact).
func Desync(trips []*traj.Trajectory, share float64, kind string, seed uint64, accepts func(*traj.Trajectory) bool) ([]*traj.Trajectory, []bool, error) {
	if !(share > 0 && share < 1) {
		return nil, nil, fmt.Errorf("diagnose: desync share %v: want (0, 1)", share)
	}
	if kind != DesyncSwap && kind != DesyncShift {
		return nil, nil, fmt.Errorf("diagnose: desync kind %q: want %s or %s", kind, DesyncSwap, DesyncShift)
	}
	rng := rand.New(rand.NewPCG(seed, 0xd35c))
	views := slices.Clone(trips)
	desynced := make([]bool, len(trips))
	chosen := rng.Perm(len(trips))[:int(math.Round(share*float64(len(trips))))]
	switch kind {
	case DesyncSwap:
		sort.Ints(chosen)
		for k, i := range chosen { // each takes the next chosen trip's view: no trip keeps its own
			views[i] = trips[chosen[(k+1)%len(chosen)]]
			desynced[i] = len(chosen) > 1
		}
	case DesyncShift:
		for _, i := range chosen {
			t := trips[i]
			skip := int(math.Round(ShiftShare * float64(len(t.Points))))
			if len(t.Points)-skip < 3 {
				continue
			}
			v := *t
			v.Points = t.Points[skip:]
			if accepts != nil && !accepts(&v) {
				continue
			}
			views[i], desynced[i] = &v, true
		}
	}
	return views, desynced, nil
}

// AlignmentScores is the cosine between branch a's vector of trip i and
// branch b's vector of viewsB[i], for every i.
func AlignmentScores(m *tfm.Model, a, b string, trips, viewsB []*traj.Trajectory) ([]float64, error) {
	if len(trips) != len(viewsB) {
		return nil, fmt.Errorf("diagnose: %d trips, %d b-views", len(trips), len(viewsB))
	}
	ea, err := m.EmbedModality(a, trips)
	if err != nil {
		return nil, err
	}
	eb, err := m.EmbedModality(b, viewsB)
	if err != nil {
		return nil, err
	}
	s := make([]float64, len(trips))
	for i := range s {
		s[i] = cosine(ea.Row(i), eb.Row(i))
	}
	return s, nil
}

func cosine(x, y []float32) float64 {
	var xy, xx, yy float64
	for i := range x {
		xy += float64(x[i]) * float64(y[i])
		xx += float64(x[i]) * float64(x[i])
		yy += float64(y[i]) * float64(y[i])
	}
	if xx == 0 || yy == 0 {
		return 0
	}
	return xy / math.Sqrt(xx*yy)
}

// AUC is the probability that an intact pair scores above a desynced one
// (ties count ½): the Mann–Whitney statistic, 0.5 for a score blind to the
// desync, 1 for one that separates them perfectly.
func AUC(intact, desynced []float64) float64 {
	if len(intact) == 0 || len(desynced) == 0 {
		return math.NaN()
	}
	type obs struct {
		v      float64
		intact bool
	}
	all := make([]obs, 0, len(intact)+len(desynced))
	for _, v := range intact {
		all = append(all, obs{v, true})
	}
	for _, v := range desynced {
		all = append(all, obs{v, false})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].v < all[j].v })
	// Rank sum of the intact scores, ties at their mean rank.
	rankSum := 0.0
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].v == all[i].v {
			j++
		}
		mid := float64(i+j+1) / 2 // ranks i+1 … j
		for k := i; k < j; k++ {
			if all[k].intact {
				rankSum += mid
			}
		}
		i = j
	}
	n1, n2 := float64(len(intact)), float64(len(desynced))
	return (rankSum - n1*(n1+1)/2) / (n1 * n2)
}

// Misalignment is the diagnostic's outcome on one pair of modalities.
type Misalignment struct {
	A, B, Kind   string
	Share        float64 // share of trips desynced (planted)
	Pairs        int     // pairs scored
	AUC          float64 // intact above desynced
	MeanIntact   float64 // mean alignment score of intact pairs
	MeanDesynced float64
	Scores       []float64
	Desynced     []bool
}

// DetectMisalignment plants a desync of kind in share of the trips' b-views
// and scores every pair with the model's alignment (AlignmentScores).
func DetectMisalignment(m *tfm.Model, trips []*traj.Trajectory, a, b, kind string, share float64, seed uint64) (Misalignment, error) {
	r := Misalignment{A: a, B: b, Kind: kind, Share: share}
	var accepts func(*traj.Trajectory) bool
	for _, br := range m.Branches {
		if s, ok := br.Modality.(modality.Selective); ok && br.Modality.Name() == b {
			accepts = s.Accepts
		}
	}
	views, desynced, err := Desync(trips, share, kind, seed, accepts)
	if err != nil {
		return r, err
	}
	if r.Scores, err = AlignmentScores(m, a, b, trips, views); err != nil {
		return r, err
	}
	r.Desynced, r.Pairs = desynced, len(trips)
	var in, out []float64
	for i, s := range r.Scores {
		if desynced[i] {
			out = append(out, s)
		} else {
			in = append(in, s)
		}
	}
	r.AUC, r.MeanIntact, r.MeanDesynced = AUC(in, out), mean(in), mean(out)
	return r, nil
}

func mean(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}
