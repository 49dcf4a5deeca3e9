// Package tasks holds the downstream tasks a trajectory foundation model is
// judged by — travel-time estimation, similarity search, classification and
// recovery — with the protocols and metrics the field reports, probes trained
// in GoMLX on frozen embeddings, and the scratch baseline.
package tasks

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/paulmach/orb"
	"github.com/tfm-course/course/tfm/traj"
)

// ---------------------------------------------------------------------------
// Regression (travel-time estimation).

// RegressionMetrics are the errors of a regression: MAE and RMSE in the
// target's unit (seconds for travel time), MAPE in percent.
type RegressionMetrics struct {
	MAE  float64 `json:"mae"`
	MAPE float64 `json:"mape"`
	RMSE float64 `json:"rmse"`
}

func checkPaired(pred, truth int) error {
	if pred != truth {
		return fmt.Errorf("tasks: %d predictions for %d targets", pred, truth)
	}
	if truth == 0 {
		return fmt.Errorf("tasks: no targets")
	}
	return nil
}

// MAE is the mean absolute error mean(|pred-truth|).
func MAE(pred, truth []float64) float64 {
	var s float64
	for i := range truth {
		s += math.Abs(pred[i] - truth[i])
	}
	return s / float64(len(truth))
}

// MAPE is the mean absolute percentage error 100*mean(|pred-truth|/|truth|).
// Targets equal to zero are skipped (the ratio is undefined); NaN when every
// target is zero.
func MAPE(pred, truth []float64) float64 {
	var s float64
	n := 0
	for i := range truth {
		if truth[i] == 0 {
			continue
		}
		s += math.Abs(pred[i]-truth[i]) / math.Abs(truth[i])
		n++
	}
	if n == 0 {
		return math.NaN()
	}
	return 100 * s / float64(n)
}

// RMSE is the root mean squared error sqrt(mean((pred-truth)²)).
func RMSE(pred, truth []float64) float64 {
	var s float64
	for i := range truth {
		d := pred[i] - truth[i]
		s += d * d
	}
	return math.Sqrt(s / float64(len(truth)))
}

// Regression computes MAE, MAPE and RMSE; it fails on mismatched or empty
// inputs.
func Regression(pred, truth []float64) (RegressionMetrics, error) {
	if err := checkPaired(len(pred), len(truth)); err != nil {
		return RegressionMetrics{}, err
	}
	return RegressionMetrics{MAE: MAE(pred, truth), MAPE: MAPE(pred, truth), RMSE: RMSE(pred, truth)}, nil
}

// ---------------------------------------------------------------------------
// Ranking (similarity search).

// RankingMetrics summarise the 1-based ranks of the ground truth of each
// query: mean rank and hit ratios HR@k (fraction of queries whose truth is in
// the top k).
type RankingMetrics struct {
	MeanRank float64 `json:"mean_rank"`
	HR1      float64 `json:"hr1"`
	HR5      float64 `json:"hr5"`
	HR20     float64 `json:"hr20"`
}

// MeanRank is the mean of 1-based ranks (1 = the truth came first).
func MeanRank(ranks []int) float64 {
	var s float64
	for _, r := range ranks {
		s += float64(r)
	}
	return s / float64(len(ranks))
}

// HitRatio is the fraction of ranks ≤ k (HR@k).
func HitRatio(ranks []int, k int) float64 {
	n := 0
	for _, r := range ranks {
		if r <= k {
			n++
		}
	}
	return float64(n) / float64(len(ranks))
}

// Ranking computes mean rank and HR@1/5/20 from 1-based ranks.
func Ranking(ranks []int) (RankingMetrics, error) {
	if len(ranks) == 0 {
		return RankingMetrics{}, fmt.Errorf("tasks: no ranks")
	}
	for i, r := range ranks {
		if r < 1 {
			return RankingMetrics{}, fmt.Errorf("tasks: rank %d of query %d is not 1-based", r, i)
		}
	}
	return RankingMetrics{MeanRank: MeanRank(ranks), HR1: HitRatio(ranks, 1), HR5: HitRatio(ranks, 5), HR20: HitRatio(ranks, 20)}, nil
}

// RecallKAtM is the fraction of the true top-k that appears in the
// predicted top-m: R10@50 is RecallKAtM(trueOrder, predOrder, 10, 50). Both
// orders list database indices, best first; they must hold at least k and m
// entries.
func RecallKAtM(trueOrder, predOrder []int, k, m int) float64 {
	inPred := make(map[int]bool, m)
	for _, j := range predOrder[:m] {
		inPred[j] = true
	}
	hit := 0
	for _, j := range trueOrder[:k] {
		if inPred[j] {
			hit++
		}
	}
	return float64(hit) / float64(k)
}

// TopKOverlap is HR@k between two rankings: the fraction of the true top-k
// found in the predicted top-k (= RecallKAtM(trueOrder, predOrder, k, k)).
func TopKOverlap(trueOrder, predOrder []int, k int) float64 {
	return RecallKAtM(trueOrder, predOrder, k, k)
}

// ArgsortRow returns the column indices of row sorted by increasing value
// (ties by index), optionally skipping one index (the query itself).
func ArgsortRow(row []float64, skip int) []int {
	idx := make([]int, 0, len(row))
	for j := range row {
		if j != skip {
			idx = append(idx, j)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return row[idx[a]] < row[idx[b]] })
	return idx
}

// ---------------------------------------------------------------------------
// Classification.

// ConfusionMatrix counts Counts[true][predicted] over Classes.
type ConfusionMatrix struct {
	Classes []string `json:"classes"`
	Counts  [][]int  `json:"counts"`
}

// NewConfusionMatrix tallies class indices; every index must be in
// [0, len(classes)).
func NewConfusionMatrix(classes []string, truth, pred []int) (*ConfusionMatrix, error) {
	if err := checkPaired(len(pred), len(truth)); err != nil {
		return nil, err
	}
	c := &ConfusionMatrix{Classes: classes, Counts: make([][]int, len(classes))}
	for i := range c.Counts {
		c.Counts[i] = make([]int, len(classes))
	}
	for i := range truth {
		t, p := truth[i], pred[i]
		if t < 0 || t >= len(classes) || p < 0 || p >= len(classes) {
			return nil, fmt.Errorf("tasks: example %d has class (true %d, predicted %d) outside [0, %d)", i, t, p, len(classes))
		}
		c.Counts[t][p]++
	}
	return c, nil
}

// Total is the number of examples.
func (c *ConfusionMatrix) Total() int {
	n := 0
	for _, row := range c.Counts {
		for _, v := range row {
			n += v
		}
	}
	return n
}

// Accuracy is the fraction on the diagonal.
func (c *ConfusionMatrix) Accuracy() float64 {
	d := 0
	for i := range c.Counts {
		d += c.Counts[i][i]
	}
	return float64(d) / float64(c.Total())
}

// F1 returns the per-class F1 score and whether the class occurs at all (as
// truth or prediction). A class predicted and present but never right has
// F1 = 0.
func (c *ConfusionMatrix) F1(class int) (f1 float64, present bool) {
	tp := c.Counts[class][class]
	var support, predicted int
	for j := range c.Counts {
		support += c.Counts[class][j]
		predicted += c.Counts[j][class]
	}
	if support == 0 && predicted == 0 {
		return 0, false
	}
	if tp == 0 {
		return 0, true
	}
	p := float64(tp) / float64(predicted)
	r := float64(tp) / float64(support)
	return 2 * p * r / (p + r), true
}

// MacroF1 is the unweighted mean F1 over the classes that occur (as truth or
// prediction), as scikit-learn's f1_score(average="macro") computes it.
func (c *ConfusionMatrix) MacroF1() float64 {
	var s float64
	n := 0
	for k := range c.Classes {
		if f, ok := c.F1(k); ok {
			s += f
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return s / float64(n)
}

// MajorityAccuracy is the accuracy of always predicting the most frequent
// true class — the baseline a classifier must beat.
func (c *ConfusionMatrix) MajorityAccuracy() float64 {
	best := 0
	for _, row := range c.Counts {
		s := 0
		for _, v := range row {
			s += v
		}
		best = max(best, s)
	}
	return float64(best) / float64(c.Total())
}

// String renders the matrix as a Markdown table (rows = truth, columns =
// prediction).
func (c *ConfusionMatrix) String() string {
	var b strings.Builder
	b.WriteString("| true \\ pred |")
	for _, n := range c.Classes {
		b.WriteString(" " + n + " |")
	}
	b.WriteString("\n|---|")
	for range c.Classes {
		b.WriteString("---:|")
	}
	b.WriteString("\n")
	for i, n := range c.Classes {
		b.WriteString("| " + n + " |")
		for _, v := range c.Counts[i] {
			fmt.Fprintf(&b, " %d |", v)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// ClassificationMetrics are accuracy and macro-F1 with the confusion matrix.
type ClassificationMetrics struct {
	Accuracy         float64          `json:"accuracy"`
	MacroF1          float64          `json:"macro_f1"`
	MajorityAccuracy float64          `json:"majority_accuracy"`
	Confusion        *ConfusionMatrix `json:"confusion"`
}

// Classification computes accuracy, macro-F1 and the confusion matrix.
func Classification(classes []string, truth, pred []int) (ClassificationMetrics, error) {
	c, err := NewConfusionMatrix(classes, truth, pred)
	if err != nil {
		return ClassificationMetrics{}, err
	}
	return ClassificationMetrics{Accuracy: c.Accuracy(), MacroF1: c.MacroF1(), MajorityAccuracy: c.MajorityAccuracy(), Confusion: c}, nil
}

// ---------------------------------------------------------------------------
// Recovery.

// TokenAccuracy is the fraction of positions where pred equals truth (for
// masked road segments or grid cells).
func TokenAccuracy(truth, pred []int) (float64, error) {
	if err := checkPaired(len(pred), len(truth)); err != nil {
		return 0, err
	}
	n := 0
	for i := range truth {
		if truth[i] == pred[i] {
			n++
		}
	}
	return float64(n) / float64(len(truth)), nil
}

// MeanErrorMetres is the mean haversine distance in metres between recovered
// and true points.
func MeanErrorMetres(truth, pred []orb.Point) (float64, error) {
	if err := checkPaired(len(pred), len(truth)); err != nil {
		return 0, err
	}
	var s float64
	for i := range truth {
		s += traj.Haversine(truth[i], pred[i])
	}
	return s / float64(len(truth)), nil
}

// RecoveryMetrics report a recovery: accuracy of recovered tokens (or of
// points within AccuracyRadius metres of the truth) and the mean coordinate
// error in metres.
type RecoveryMetrics struct {
	Accuracy float64 `json:"recovery_accuracy"`
	ErrorM   float64 `json:"recovery_error_m"`
	Points   int     `json:"points"`
}

// PointRecovery computes the mean error in metres and the fraction of points
// recovered within radius metres (the accuracy of coordinate recovery).
func PointRecovery(truth, pred []orb.Point, radius float64) (RecoveryMetrics, error) {
	e, err := MeanErrorMetres(truth, pred)
	if err != nil {
		return RecoveryMetrics{}, err
	}
	n := 0
	for i := range truth {
		if traj.Haversine(truth[i], pred[i]) <= radius {
			n++
		}
	}
	return RecoveryMetrics{Accuracy: float64(n) / float64(len(truth)), ErrorM: e, Points: len(truth)}, nil
}
