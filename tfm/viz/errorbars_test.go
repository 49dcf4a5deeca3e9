package viz

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Error bars: bars with ± sd, and a trade-off scatter with bars on both
// axes, a joined sweep, labelled markers and reference lines.
func TestErrorBarCharts(t *testing.T) {
	bar := BarErr("Accuracy (mean ± sd)", "accuracy", []string{"a", "b", "c"}, []float64{0.7, 0.85, 0.6}, []float64{0.05, 0, 0.1})
	sweep := ErrSeries{Name: "fixed λ", Line: true, Points: []ErrPoint{
		{Label: "λ=0", X: 40, Y: 0.7, XErr: 3, YErr: 0.02}, {Label: "λ=0.5", X: 30, Y: 0.75, XErr: 2, YErr: 0.03}, {Label: "λ=1", X: 25, Y: 0.6, XErr: 1, YErr: 0.04}}}
	bal := ErrSeries{Name: "uncertainty", Points: []ErrPoint{{Label: "uncertainty", X: 28, Y: 0.72, XErr: 2, YErr: 0.01}}}
	sc := ErrorScatter("Trade-off", "recovery error (m, lower is better)", "accuracy (higher is better)", []ErrSeries{sweep, bal},
		RefLine{Name: "linear interpolation", Value: 50, Vertical: true}, RefLine{Name: "majority class", Value: 0.65})
	for name, f := range map[string]*Chart{"bar_err": bar, "tradeoff": sc} {
		svg, err := f.SVG()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := f.PNG(); err != nil {
			t.Fatalf("%s PNG: %v", name, err)
		}
		if dir := os.Getenv("TFM_VIZ_OUT"); dir != "" {
			Save(f, filepath.Join(dir, name+".svg"))
		}
		if name == "tradeoff" {
			for _, want := range []string{"λ=0.5", "uncertainty", "linear interpolation = 50 (off chart)", "majority class", "fixed λ"} {
				if !strings.Contains(string(svg), want) {
					t.Errorf("%s SVG lacks %q", name, want)
				}
			}
			// The error bars widen the ranges; a reference line off the data (x = 50) does not.
			if sc.Plot.X.Max < 43 || sc.Plot.X.Max > 46 || sc.Plot.X.Min > 24 || sc.Plot.Y.Min > 0.56 {
				t.Errorf("ranges x [%g, %g], y [%g, %g] miss the data or follow the reference", sc.Plot.X.Min, sc.Plot.X.Max, sc.Plot.Y.Min, sc.Plot.Y.Max)
			}
		}
	}
	if bar.Plot.Y.Max < 0.85 || bar.Plot.Y.Max < 0.7+0.1 {
		t.Errorf("bar chart's y range %g does not cover the error bars", bar.Plot.Y.Max)
	}
	for name, f := range map[string]*Chart{
		"errs":    BarErr("B", "", []string{"a", "b"}, []float64{1, 2}, []float64{1}),
		"nan":     BarErr("B", "", []string{"a"}, []float64{1}, []float64{math.NaN()}),
		"empty":   ErrorScatter("S", "", "", nil),
		"nan pt":  ErrorScatter("S", "", "", []ErrSeries{{Points: []ErrPoint{{X: math.Inf(1)}}}}),
		"nan ref": ErrorScatter("S", "", "", []ErrSeries{{Points: []ErrPoint{{X: 1}}}}, RefLine{Value: math.NaN()}),
	} {
		if _, err := f.SVG(); err == nil {
			t.Errorf("%s: bad input accepted", name)
		}
	}
}

// Grouped bars: one colour per series, side by side in each category, the
// series in the legend; LogX puts the x axis on a log scale and refuses a
// non-positive range.
func TestGroupedBarsAndLogX(t *testing.T) {
	c := GroupedBarErr("MAE by group", "MAE (s)", []string{"none", "reweighting"}, []string{"low income", "high income"},
		[][]float64{{200, 190}, {150, 158}}, [][]float64{{30, 25}, {5, 6}})
	svg, err := c.SVG()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"low income", "high income", "reweighting"} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	if c.Plot.Y.Max < 230 {
		t.Errorf("y max %g below the highest error bar (230)", c.Plot.Y.Max)
	}
	if GroupedBarErr("bad", "", []string{"a"}, []string{"s"}, [][]float64{{1, 2}}, nil).Err() == nil {
		t.Error("2 values for 1 category accepted")
	}
	sc := ErrorScatter("energy", "J", "MAE", []ErrSeries{{Name: "sizes", Points: []ErrPoint{{X: 100, Y: 90}, {X: 1000, Y: 70}}}}).LogX()
	if _, err := sc.SVG(); err != nil {
		t.Fatal(err)
	}
	if sc.Plot.X.Min >= 100 || sc.Plot.X.Min < 80 || sc.Plot.X.Max <= 1000 || sc.Plot.X.Max > 1200 {
		t.Errorf("log x range [%g, %g], want a little room around [100, 1000]", sc.Plot.X.Min, sc.Plot.X.Max)
	}
	var labels []string
	for _, tk := range (logTicker{}).Ticks(90, 1100) {
		labels = append(labels, tk.Label)
	}
	if got := strings.Join(labels, ","); got != "100,200,500,1000" {
		t.Errorf("log ticks %s, want 100,200,500,1000", got)
	}
	if ErrorScatter("bad", "", "", []ErrSeries{{Points: []ErrPoint{{X: -1, Y: 1}, {X: 10, Y: 2}}}}).LogX().Err() == nil {
		t.Error("a log axis over negative x accepted")
	}
}
