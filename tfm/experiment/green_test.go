package experiment

import (
	"context"
	"strings"
	"testing"

	"github.com/tfm-course/course/tfm/tasks"
	"github.com/tfm-course/course/tfm/traj"
)

// The Pareto figure stars exactly the points no other point beats on both
// energy and error, and the energy task sorts last in the report.
func TestPareto(t *testing.T) {
	r := &Report{Name: "green", Config: DefaultConfig(), Headline: map[string]float64{"energy_estimated": 1}}
	// 1×16: cheapest; 1×32: better and dearer; 2×64: best; 3×96: dearest and
	// worse than 2×64 (dominated); early stop: cheaper than 2×64, worse than
	// 1×32 at more energy (dominated).
	point := map[string][2]float64{"1×16": {100, 90}, "1×32": {200, 80}, "2×64": {600, 70}, "3×96": {1200, 72}, "2×64, early stop": {300, 85}}
	for _, seed := range []int64{1, 2} {
		for _, s := range GreenSizes {
			p := point[s.Name()]
			r.Rows = append(r.Rows, Row{"green", s.Name(), seed, TaskEnergy, "", "total_joules", p[0] + float64(seed)},
				Row{"green", s.Name(), seed, "tte", tasks.MethodFinetune, "mae", p[1]})
		}
		r.Rows = append(r.Rows, Row{"green", "average speed", seed, "tte", tasks.MethodBaseline, "mae", 110})
	}
	fig, ok := r.Pareto("tte", "mae")
	if !ok {
		t.Fatal("no Pareto figure")
	}
	svg, err := fig.SVG()
	if err != nil {
		t.Fatal(err)
	}
	for name, front := range map[string]bool{"1×16": true, "1×32": true, "2×64": true, "3×96": false, "2×64, early stop": false} {
		if got := strings.Contains(string(svg), name+" ★"); got != front {
			t.Errorf("%s starred = %v, want %v", name, got, front)
		}
	}
	if _, ok := r.Pareto("similarity", "mean_rank"); ok {
		t.Error("a Pareto figure without similarity rows")
	}
	if names := r.TaskNames(); names[len(names)-1] != TaskEnergy {
		t.Errorf("TaskNames = %v, want the energy rows last", names)
	}
}

// The fairness experiment refuses data without the planted inequity,
// naming the trajectory and the spec to use.
func TestFairnessNeedsInequity(t *testing.T) {
	ts := []*traj.Trajectory{{ID: "t1", Labels: map[string]string{"income_from": "low"}}}
	_, err := Run(context.Background(), "fairness", ts, QuickConfig())
	if err == nil || !strings.Contains(err.Error(), `"t1"`) || !strings.Contains(err.Error(), "inequity=1") {
		t.Errorf("err = %v, want the trajectory and inequity=1 named", err)
	}
}
