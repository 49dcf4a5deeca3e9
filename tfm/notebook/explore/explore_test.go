package explore

import (
	"bytes"
	"context"
	"io"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/tfm-course/course/datasets"
	"github.com/tfm-course/course/tfm/backend"
	"github.com/tfm-course/course/tfm/pretrain"
	"github.com/tfm-course/course/tfm/traj"
	"github.com/tfm-course/course/tfm/viz"
)

var city = sync.OnceValue(func() *traj.Dataset {
	d, err := datasets.Load("synthetic:seed=1,trajectories=160")
	if err != nil {
		panic(err)
	}
	return d.Dataset
})

// tiny is a run of about a second: the shape of the real thing, not its size.
func tiny() Config {
	c := DefaultConfig()
	c.Encoder, c.Steps, c.BatchSize, c.Trips, c.ProbeSteps = "layers=1;dim=16;heads=2;ffn=32;maxlen=32", 6, 8, 160, 10
	return c
}

func TestRunIsDeterministic(t *testing.T) {
	backend.Logger = io.Discard
	var phases []string
	progress := func(phase string, step, steps int) { phases = append(phases, phase) }
	var got []Point
	for range 2 {
		be, err := backend.New()
		if err != nil {
			t.Fatal(err)
		}
		p, err := Run(context.Background(), be, city(), tiny(), Setting{Balance: "fixed", Lambda: 0.3}, progress)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p)
	}
	a, b := got[0], got[1]
	if a.Local != b.Local || a.Global != b.Global || a.GenShare != b.GenShare {
		t.Errorf("two runs of one setting differ: %+v vs %+v", a, b)
	}
	if a.Local <= 0 || a.Global < 1 || a.Label != "fixed λ=0.3" || a.GenShare < 0.29 || a.GenShare > 0.31 {
		t.Errorf("point %+v: want a positive recovery error, a mean rank ≥ 1, label fixed λ=0.3 and share 0.3", a)
	}
	if phases[0] != "training" || phases[len(phases)-1] != "evaluating" {
		t.Errorf("progress phases %v, want training … evaluating", phases)
	}
}

func TestRunNamesTheBadField(t *testing.T) {
	ok := tiny()
	for _, tc := range []struct {
		cfg  func(c *Config)
		set  Setting
		want string
	}{
		{nil, Setting{Lambda: 1.5}, "Setting.Lambda"},
		{nil, Setting{Balance: "magic"}, "Setting.Balance"},
		{func(c *Config) { c.Global = "tte" }, Setting{}, "Config.Global"},
		{func(c *Config) { c.Local = "x" }, Setting{}, "Config.Local"},
		{func(c *Config) { c.Steps = 0 }, Setting{}, "Config.Steps"},
		{func(c *Config) { c.Encoder = "layers=x" }, Setting{}, "Config.Encoder"},
	} {
		c := ok
		if tc.cfg != nil {
			tc.cfg(&c)
		}
		_, err := Run(context.Background(), nil, city(), c, tc.set, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Run(%+v): %v, want an error naming %s", tc.set, err, tc.want)
		}
	}
	if _, err := Run(context.Background(), nil, &traj.Dataset{}, ok, Setting{}, nil); err == nil {
		t.Error("Run on no trajectories: no error")
	}
}

func TestFrontKeepsTheUndominated(t *testing.T) {
	cfg := DefaultConfig() // recovery error and mean rank: lower is better on both
	pts := []Point{{Label: "a", Local: 40, Global: 6}, {Label: "b", Local: 45, Global: 4}, {Label: "c", Local: 46, Global: 5}, {Label: "d", Local: 42, Global: 5}}
	var names []string
	for _, p := range Front(pts, cfg) {
		names = append(names, p.Label)
	}
	if got := strings.Join(names, ","); got != "a,d,b" { // c is beaten by b on both
		t.Errorf("Front = %s, want a,d,b", got)
	}
	cfg.Global = "classify" // accuracy: higher is better
	names = nil
	pts = []Point{{Label: "a", Local: 40, Global: 0.6}, {Label: "b", Local: 47, Global: 0.8}, {Label: "c", Local: 46, Global: 0.9}, {Label: "d", Local: 42, Global: 0.7}}
	for _, p := range Front(pts, cfg) {
		names = append(names, p.Label)
	}
	if got := strings.Join(names, ","); got != "a,d,c" {
		t.Errorf("Front (accuracy) = %s, want a,d,c", got)
	}
}

func TestFigureLabelsEveryPoint(t *testing.T) {
	cfg := DefaultConfig()
	pts := []Point{
		{Setting: Setting{Lambda: 0.2}, Label: "fixed λ=0.2", Local: 44, Global: 4},
		{Setting: Setting{Balance: "uncertainty"}, Label: "uncertainty", Local: 41, Global: 5, GenShare: 0.55},
	}
	for _, ps := range [][]Point{nil, pts[:1], pts} {
		svg, err := Figure(ps, cfg).SVG()
		if err != nil {
			t.Fatalf("Figure(%d points): %v", len(ps), err)
		}
		for _, p := range ps {
			if want := pointLabel(p); !bytes.Contains(svg, []byte(want)) {
				t.Errorf("Figure(%d points) lacks the label %q", len(ps), want)
			}
		}
		for _, want := range []string{"lower is better", "recovery error"} {
			if !bytes.Contains(svg, []byte(want)) {
				t.Errorf("Figure(%d points): axis lacks %q", len(ps), want)
			}
		}
	}
	if tab := Table(pts, cfg); !strings.Contains(tab, "<td>uncertainty</td>") || strings.Count(tab, "<tr>") != 3 {
		t.Errorf("Table: %s", tab)
	}
}

func TestSessionKeepsEarlierRunsAndShowsErrors(t *testing.T) {
	backend.Logger = io.Discard
	shown := map[string]string{}
	var statuses []string
	s := newSession(city(), tiny(), func(kind, h string) {
		shown[kind] = h
		if kind == "status" {
			statuses = append(statuses, h)
		}
	})
	ctx := context.Background()
	for _, set := range []Setting{{Lambda: 0}, {Balance: "nonsense"}, {Balance: "uncertainty"}} {
		_, _ = s.run(ctx, set)
	}
	if len(s.points) != 2 {
		t.Fatalf("%d points, want 2 (the bad setting adds none)", len(s.points))
	}
	if !strings.Contains(shown["status"], `data-runs="2"`) || !strings.Contains(shown["status"], "run 2 done") {
		t.Errorf("last status %s", shown["status"])
	}
	if !strings.Contains(shown["figure"], "<img") || !strings.Contains(shown["table"], "uncertainty") {
		t.Errorf("figure %.80s…, table %.200s", shown["figure"], shown["table"])
	}
	var sawErr, sawStep bool
	for _, st := range statuses {
		sawErr = sawErr || (strings.Contains(st, "nonsense") && strings.Contains(st, "#b00020"))
		sawStep = sawStep || strings.Contains(st, "training fixed λ=0… step 6/6")
	}
	if !sawErr || !sawStep {
		t.Errorf("statuses (error shown %v, step shown %v):\n%s", sawErr, sawStep, strings.Join(statuses, "\n"))
	}
	if _, err := viz.HTML(Figure(s.points, s.cfg)); err != nil {
		t.Error(err)
	}
}

func TestBalancingOutsideANotebookRunsTheHeadlessSettings(t *testing.T) {
	backend.Logger = io.Discard
	var out bytes.Buffer
	pts := Balancing(city(), WithConfig(tiny()), Headless(Setting{Lambda: 1}, Setting{Lambda: 2}), func(o *options) { o.out = &out })
	if len(pts) != 1 || pts[0].Label != "fixed λ=1" {
		t.Fatalf("points %+v, want the one good headless setting", pts)
	}
	if s := out.String(); !strings.Contains(s, "fixed λ=1: recovery error") || !strings.Contains(s, "Setting.Lambda") {
		t.Errorf("output:\n%s", s)
	}
}

// mine is a balancer of one's own, as a notebook cell would write it.
type mine struct{ pretrain.Fixed }

func (mine) Name() string { return "mine" }

func TestRunTakesABalancerOfOnesOwn(t *testing.T) {
	backend.Logger = io.Discard
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	p, err := Run(context.Background(), be, city(), tiny(), Setting{Balancer: mine{pretrain.Fixed{Weights: []float64{0.7, 0.3}}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Label != "mine" || math.Abs(p.GenShare-0.7) > 1e-3 {
		t.Errorf("point %s with share %.3f, want mine with 0.7", p.Label, p.GenShare)
	}
}

func TestEveryBalancerRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("trains one small model per balancer")
	}
	backend.Logger = io.Discard
	for _, b := range pretrain.Balancers {
		be, err := backend.New()
		if err != nil {
			t.Fatal(err)
		}
		p, err := Run(context.Background(), be, city(), tiny(), Setting{Balance: b, Lambda: 0.5}, nil)
		if err != nil {
			t.Errorf("%s: %v", b, err)
			continue
		}
		if p.GenShare <= 0 || p.GenShare >= 1 || math.IsNaN(p.Local) || math.IsNaN(p.Global) {
			t.Errorf("%s: %+v", b, p)
		}
	}
}
