package tasks

import (
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/tfm-course/course/tfm/traj"
)

func near(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol || math.IsNaN(got) != math.IsNaN(want) {
		t.Errorf("%s = %v, want %v (±%v)", name, got, want, tol)
	}
}

func TestRegressionHandComputed(t *testing.T) {
	pred := []float64{110, 90, 300, 0}
	truth := []float64{100, 100, 200, 50}
	// |err| = 10, 10, 100, 50 → MAE = 170/4 = 42.5
	// rel = .1, .1, .5, 1 → MAPE = 100*1.7/4 = 42.5
	// sq = 100, 100, 10000, 2500 → RMSE = sqrt(12700/4) = sqrt(3175)
	m, err := Regression(pred, truth)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "MAE", m.MAE, 42.5, 1e-12)
	near(t, "MAPE", m.MAPE, 42.5, 1e-12)
	near(t, "RMSE", m.RMSE, math.Sqrt(3175), 1e-12)

	// A zero target is skipped by MAPE only.
	near(t, "MAPE with zero target", MAPE([]float64{1, 20}, []float64{0, 10}), 100, 1e-12)
	if !math.IsNaN(MAPE([]float64{1}, []float64{0})) {
		t.Error("MAPE over only zero targets should be NaN")
	}
	if _, err := Regression([]float64{1}, []float64{1, 2}); err == nil {
		t.Error("mismatched lengths accepted")
	}
	if _, err := Regression(nil, nil); err == nil {
		t.Error("empty input accepted")
	}
}

func TestRankingHandComputed(t *testing.T) {
	ranks := []int{1, 1, 2, 6, 30}
	m, err := Ranking(ranks)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "MR", m.MeanRank, 40.0/5, 1e-12)
	near(t, "HR1", m.HR1, 2.0/5, 1e-12)
	near(t, "HR5", m.HR5, 3.0/5, 1e-12)
	near(t, "HR20", m.HR20, 4.0/5, 1e-12)
	if _, err := Ranking([]int{0}); err == nil {
		t.Error("rank 0 accepted")
	}
}

func TestRecallKAtMAndOverlap(t *testing.T) {
	trueOrder := []int{5, 3, 9, 1, 0, 2, 4, 6, 7, 8}
	predOrder := []int{3, 0, 5, 7, 8, 1, 9, 2, 4, 6}
	// true top-3 = {5,3,9}; pred top-3 = {3,0,5} → 2/3.
	near(t, "HR@3", TopKOverlap(trueOrder, predOrder, 3), 2.0/3, 1e-12)
	// true top-2 = {5,3} within pred top-5 {3,0,5,7,8} → 1.
	near(t, "R2@5", RecallKAtM(trueOrder, predOrder, 2, 5), 1, 1e-12)
	// true top-4 = {5,3,9,1} within pred top-5 → {5,3} → 0.5.
	near(t, "R4@5", RecallKAtM(trueOrder, predOrder, 4, 5), 0.5, 1e-12)

	got := ArgsortRow([]float64{3, 1, 2, 1, 0}, 4)
	want := []int{1, 3, 2, 0}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("ArgsortRow = %v, want %v", got, want)
		}
	}
}

func TestClassificationHandComputed(t *testing.T) {
	classes := []string{"walk", "bike", "car"}
	truth := []int{0, 0, 0, 1, 1, 2}
	pred := []int{0, 0, 1, 1, 2, 2}
	m, err := Classification(classes, truth, pred)
	if err != nil {
		t.Fatal(err)
	}
	// Counts: walk→[2,1,0], bike→[0,1,1], car→[0,0,1].
	want := [][]int{{2, 1, 0}, {0, 1, 1}, {0, 0, 1}}
	for i := range want {
		for j := range want[i] {
			if m.Confusion.Counts[i][j] != want[i][j] {
				t.Fatalf("confusion = %v, want %v", m.Confusion.Counts, want)
			}
		}
	}
	near(t, "accuracy", m.Accuracy, 4.0/6, 1e-12)
	// walk: P=2/2, R=2/3 → F1=0.8; bike: P=1/2, R=1/2 → 0.5; car: P=1/2, R=1 → 2/3.
	near(t, "macro-F1", m.MacroF1, (0.8+0.5+2.0/3)/3, 1e-12)
	near(t, "majority", m.MajorityAccuracy, 3.0/6, 1e-12)
	if !strings.Contains(m.Confusion.String(), "| walk | 2 | 1 | 0 |") {
		t.Errorf("markdown confusion matrix:\n%s", m.Confusion)
	}

	// A class that never occurs is left out of the macro average; a class
	// predicted but never true counts with F1 = 0.
	m, _ = Classification([]string{"a", "b", "c"}, []int{0, 0}, []int{0, 1})
	// a: P=1, R=1/2 → 2/3; b: F1 = 0; c absent.
	near(t, "macro-F1 absent class", m.MacroF1, (2.0/3)/2, 1e-12)
	if _, err := Classification(classes, []int{0}, []int{3}); err == nil {
		t.Error("out-of-range class accepted")
	}
}

func TestRecoveryMetrics(t *testing.T) {
	acc, err := TokenAccuracy([]int{4, 5, 6, 7}, []int{4, 0, 6, 6})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "token accuracy", acc, 0.5, 1e-12)

	// One degree of latitude on the haversine sphere (traj.EarthRadius) is
	// R·π/180 ≈ 111195.08 m; a point 0.001° north is 111.20 m away.
	truth := []orb.Point{{116.3, 39.9}, {116.3, 39.9}}
	pred := []orb.Point{{116.3, 39.9}, {116.3, 39.901}}
	m, err := PointRecovery(truth, pred, 100)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "mean error m", m.ErrorM, traj.EarthRadius*math.Pi/180*0.001/2, 1e-3)
	near(t, "within 100 m", m.Accuracy, 0.5, 1e-12)
}
