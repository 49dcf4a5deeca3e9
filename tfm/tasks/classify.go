package tasks

import (
	"fmt"
	"math"
	"sort"

	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/traj"
)

// Labelled keeps the trajectories with a non-empty label for key and
// returns them with the sorted class names and each one's class index.
func Labelled(ts []*traj.Trajectory, key string) (kept []*traj.Trajectory, classes []string, y []int) {
	seen := map[string]bool{}
	for _, t := range ts {
		if l := t.Label(key); l != "" {
			kept = append(kept, t)
			if !seen[l] {
				seen[l] = true
				classes = append(classes, l)
			}
		}
	}
	sort.Strings(classes)
	return kept, classes, ClassIndices(kept, key, classes)
}

// ClassIndices maps each trajectory's label to its index in classes (−1
// for a label not in classes).
func ClassIndices(ts []*traj.Trajectory, key string, classes []string) []int {
	idx := make(map[string]int, len(classes))
	for i, c := range classes {
		idx[c] = i
	}
	y := make([]int, len(ts))
	for i, t := range ts {
		if c, ok := idx[t.Label(key)]; ok {
			y[i] = c
		} else {
			y[i] = -1
		}
	}
	return y
}

// SplitByMode cuts a trajectory with per-point mode labels (GeoLife's
// labels.txt) into maximal runs of one mode, dropping unlabelled points;
// runs shorter than minPoints are discarded. Each run gets Mode set and the
// id "ID#k". A trajectory without per-point labels is returned whole when
// its Mode is set.
func SplitByMode(t *traj.Trajectory, minPoints int) []*traj.Trajectory {
	if t.Modes == nil {
		if t.Mode != "" && len(t.Points) >= minPoints {
			return []*traj.Trajectory{t}
		}
		return nil
	}
	var out []*traj.Trajectory
	flush := func(lo, hi int) {
		if hi-lo < minPoints || t.Modes[lo] == "" {
			return
		}
		r := &traj.Trajectory{ID: fmt.Sprintf("%s#%d", t.ID, len(out)), UserID: t.UserID, Mode: t.Modes[lo], Labels: t.Labels}
		r.Points = append([]traj.Point(nil), t.Points[lo:hi]...)
		out = append(out, r)
	}
	lo := 0
	for i := 1; i <= len(t.Points); i++ {
		if i == len(t.Points) || t.Modes[i] != t.Modes[lo] {
			flush(lo, i)
			lo = i
		}
	}
	return out
}

// MotionFeatures is the classical hand-crafted embedding for transport-mode
// detection (Zheng et al., GeoLife): speed mean / median / 85th percentile /
// max, mean absolute acceleration, heading change rate per metre, stop
// ratio, log length and log duration. NumMotionFeatures columns.
type MotionFeatures struct{}

// NumMotionFeatures is the width of a MotionFeatures embedding.
const NumMotionFeatures = 9

// Embed implements Embedder.
func (MotionFeatures) Embed(ts []*traj.Trajectory) (Matrix, error) {
	m := Matrix{Rows: len(ts), Cols: NumMotionFeatures}
	for _, t := range ts {
		if len(t.Points) < 2 {
			return Matrix{}, fmt.Errorf("tasks: trajectory %q has %d points, motion features need 2", t.ID, len(t.Points))
		}
		m.Data = append(m.Data, motionFeatures(t)...)
	}
	return m, m.Check()
}

func motionFeatures(t *traj.Trajectory) []float32 {
	raw := t.Speeds()
	var speeds, accels []float64
	prev := math.NaN()
	var turn, stops float64
	for i, v := range raw {
		if math.IsNaN(v) || v > 80 { // zero-time step or GPS jump
			continue
		}
		speeds = append(speeds, v)
		if !math.IsNaN(prev) {
			dt := t.Points[i+1].Time.Sub(t.Points[i].Time).Seconds()
			accels = append(accels, math.Abs(v-prev)/dt)
		}
		if v < 0.5 {
			stops++
		}
		prev = v
	}
	for i := 2; i < len(t.Points); i++ {
		a := bearing(t.Points[i-2].Point, t.Points[i-1].Point)
		b := bearing(t.Points[i-1].Point, t.Points[i].Point)
		d := math.Abs(a - b)
		if d > math.Pi {
			d = 2*math.Pi - d
		}
		turn += d
	}
	length := t.Length()
	f := make([]float32, NumMotionFeatures)
	if len(speeds) > 0 {
		sorted := append([]float64(nil), speeds...)
		sort.Float64s(sorted)
		q := func(p float64) float64 { return sorted[int(p*float64(len(sorted)-1)+0.5)] }
		f[0], f[1], f[2], f[3] = float32(mean(speeds)), float32(q(0.5)), float32(q(0.85)), float32(sorted[len(sorted)-1])
		f[6] = float32(stops / float64(len(speeds)))
	}
	if len(accels) > 0 {
		f[4] = float32(mean(accels))
	}
	f[5] = float32(turn / math.Max(length, 1) * 100)
	f[7] = float32(math.Log1p(length))
	f[8] = float32(math.Log1p(t.Duration().Seconds()))
	return f
}

func mean(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

func bearing(a, b [2]float64) float64 {
	return math.Atan2((b[0]-a[0])*math.Cos(a[1]*math.Pi/180), b[1]-a[1])
}

// ClassifyResult reports one classification evaluation.
type ClassifyResult struct {
	ClassificationMetrics
	Key    string `json:"label"`
	Method Method `json:"method"`
	Train  int    `json:"train_size"`
	Test   int    `json:"test_size"`
	// GroupWeights is group DRO's final q (FineTuned.GroupWeights).
	GroupWeights map[string]float64 `json:"group_weights,omitempty"`
	// Scored are the test trajectories scored; Pred and Truth their
	// predicted and true class indices into Confusion.Classes (for
	// per-group reports).
	Scored      []*traj.Trajectory `json:"-"`
	Pred, Truth []int              `json:"-"`
}

// classifySets labels train and test with the classes seen in train; test
// trajectories of an unseen class are dropped.
func classifySets(train, test []*traj.Trajectory, key string) (tr []*traj.Trajectory, ytr []int, te []*traj.Trajectory, yte []int, classes []string, err error) {
	tr, classes, ytr = Labelled(train, key)
	if len(classes) < 2 {
		return nil, nil, nil, nil, nil, fmt.Errorf("tasks: label %q has %d classes in the training set, need 2", key, len(classes))
	}
	te0, _, _ := Labelled(test, key)
	for i, c := range ClassIndices(te0, key, classes) {
		if c >= 0 {
			te = append(te, te0[i])
			yte = append(yte, c)
		}
	}
	if len(te) == 0 {
		return nil, nil, nil, nil, nil, fmt.Errorf("tasks: no test trajectory has a %q label seen in training", key)
	}
	return tr, ytr, te, yte, classes, nil
}

// ClassifyProbe trains a probe on e's frozen embeddings to predict label key.
func ClassifyProbe(e Embedder, train, test []*traj.Trajectory, key string, cfg ProbeConfig) (ClassifyResult, error) {
	tr, ytr, te, yte, classes, err := classifySets(train, test, key)
	if err != nil {
		return ClassifyResult{}, err
	}
	xtr, err := e.Embed(tr)
	if err != nil {
		return ClassifyResult{}, err
	}
	xte, err := e.Embed(te)
	if err != nil {
		return ClassifyResult{}, err
	}
	p, err := TrainClassifierProbe(xtr, ytr, len(classes), cfg)
	if err != nil {
		return ClassifyResult{}, err
	}
	pred, err := p.PredictClasses(xte)
	if err != nil {
		return ClassifyResult{}, err
	}
	m, err := Classification(classes, yte, pred)
	return ClassifyResult{ClassificationMetrics: m, Key: key, Method: MethodProbe, Train: len(tr), Test: len(te), Scored: te, Pred: pred, Truth: yte}, err
}

// ClassifyFineTune trains e (a copy) with a softmax head on label key.
func ClassifyFineTune(m *tfm.Model, train, test []*traj.Trajectory, key string, cfg FineTuneConfig) (ClassifyResult, error) {
	tr, ytr, te, yte, classes, err := classifySets(train, test, key)
	if err != nil {
		return ClassifyResult{}, err
	}
	ft, err := FineTune(m, tr, nil, ytr, len(classes), cfg)
	if err != nil {
		return ClassifyResult{}, err
	}
	pred, err := ft.PredictClasses(te)
	if err != nil {
		return ClassifyResult{}, err
	}
	met, err := Classification(classes, yte, pred)
	return ClassifyResult{ClassificationMetrics: met, Key: key, Method: methodOf(m, cfg), Train: len(tr), Test: len(te), GroupWeights: ft.GroupWeights, Scored: te, Pred: pred, Truth: yte}, err
}
