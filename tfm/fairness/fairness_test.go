package fairness

import (
	"math"
	"strings"
	"testing"

	"github.com/tfm-course/course/tfm/traj"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

// A two-group toy, checked by hand (see the comments), plus a small group
// that is reported but not compared.
func TestClassificationParityAndOdds(t *testing.T) {
	groups := []string{"A", "A", "A", "A", "A", "A", "B", "B", "B", "B", "B", "B", "C", "C"}
	truth := []int{1, 1, 1, 0, 0, 0 /**/, 1, 1, 0, 0, 0, 0 /**/, 1, 0}
	pred := []int{1, 1, 0, 0, 0, 1 /**/, 1, 1, 1, 1, 1, 0 /**/, 0, 1}
	r, err := Classification(groups, pred, truth, 2)
	if err != nil {
		t.Fatal(err)
	}
	// Accuracy A 4/6, B 3/6; C (2 examples, both wrong) is small.
	if a, b, c := r.Group("A"), r.Group("B"), r.Group("C"); a.N != 6 || !near(a.Metrics["accuracy"], 4.0/6) ||
		!near(b.Metrics["accuracy"], 0.5) || !c.Small || c.Metrics["accuracy"] != 0 {
		t.Fatalf("groups %+v", r.Groups)
	}
	if r.Best != "A" || r.Worst != "B" || !near(r.Gap, 1.0/6) || !near(r.Ratio, 4.0/3) || !near(r.WorstValue, 0.5) {
		t.Errorf("best %s worst %s gap %v ratio %v", r.Best, r.Worst, r.Gap, r.Ratio)
	}
	// P(ŷ=1 | A) = 3/6, P(ŷ=1 | B) = 5/6: DP = 1/3 (class 0 likewise).
	if !near(r.DemographicParity, 1.0/3) {
		t.Errorf("demographic parity difference %v, want 1/3", r.DemographicParity)
	}
	// Class 1: TPR A 2/3, B 1 (gap 1/3); FPR A 1/3, B 3/4 (gap 5/12). Class 0 mirrors it: EO = 5/12.
	if !near(r.EqualizedOdds, 5.0/12) {
		t.Errorf("equalised odds difference %v, want 5/12", r.EqualizedOdds)
	}
	if r.Metric != "accuracy" || !r.HigherIsBetter {
		t.Errorf("metric %q higher %v", r.Metric, r.HigherIsBetter)
	}
}

func TestRegressionRanksErrors(t *testing.T) {
	// Fewer than two groups reach MinGroup: all are compared.
	r, err := Regression([]string{"A", "B", "A"}, []float64{110, 70, 190}, []float64{100, 100, 200})
	if err != nil {
		t.Fatal(err)
	}
	a, b := r.Group("A"), r.Group("B")
	if !near(a.Metrics["mae"], 10) || !near(a.Metrics["mape"], 7.5) || !near(a.Metrics["rmse"], 10) || !near(b.Metrics["mae"], 30) {
		t.Fatalf("groups %+v", r.Groups)
	}
	if r.Best != "A" || r.Worst != "B" || !near(r.Gap, 20) || !near(r.Ratio, 3) || r.Groups[0].Name != "A" {
		t.Errorf("%+v", r)
	}
	rk, err := Ranks([]string{"x", "y", "x"}, []int{1, 10, 3})
	if err != nil {
		t.Fatal(err)
	}
	if x := rk.Group("x"); !near(x.Metrics["mean_rank"], 2) || !near(x.Metrics["hr1"], 0.5) || rk.Worst != "y" || !near(rk.Ratio, 5) {
		t.Errorf("%+v", rk)
	}
	e, err := Errors([]string{"p", "q"}, []float64{4, 0}, "recovery_error_m")
	if err != nil {
		t.Fatal(err)
	}
	if e.Best != "q" || e.Worst != "p" || e.Gap != 4 || e.Ratio != 0 { // best is 0: the ratio is undefined
		t.Errorf("%+v", e)
	}
	for _, bad := range []func() error{
		func() error { _, err := Regression([]string{"A"}, []float64{1, 2}, []float64{1, 2}); return err },
		func() error { _, err := Regression(nil, nil, nil); return err },
		func() error { _, err := Ranks([]string{"A"}, []int{0}); return err },
		func() error { _, err := Classification([]string{"A"}, []int{2}, []int{0}, 2); return err },
		func() error { _, err := Errors([]string{""}, []float64{1}, "e"); return err },
	} {
		if bad() == nil {
			t.Error("bad input accepted")
		}
	}
}

func TestGroupOf(t *testing.T) {
	tr := &traj.Trajectory{ID: "t1", UserID: "u3", Mode: "bus",
		Labels: map[string]string{"district_type_from": "park", "income_from": "low", "purpose": "lunch"}}
	for key, want := range map[string]string{"district_type": "park", "income": "low", "mode": "bus", "user": "u3", "purpose": "lunch"} {
		if g, err := GroupOf(tr, key); err != nil || g != want {
			t.Errorf("GroupOf(%q) = %q, %v; want %q", key, g, err, want)
		}
	}
	_, err := GroupsOf([]*traj.Trajectory{tr, {ID: "t2"}}, "income")
	if err == nil || !strings.Contains(err.Error(), `"t2"`) || !strings.Contains(err.Error(), "income") {
		t.Errorf("missing group: %v", err)
	}
}
