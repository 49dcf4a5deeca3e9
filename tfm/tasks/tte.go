package tasks

import (
	"fmt"
	"math"
	"time"

	"github.com/paulmach/orb"
	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/traj"
)

// Travel-time estimation (TTE) predicts a trip's duration from its route and
// departure time, as START and RED do. The observed GPS points would leak
// the answer (a fix every ~10 s: the point count and spacing give the
// speed), so the input is the route alone: the path resampled at a fixed
// spacing, timed at a fixed nominal speed from the true departure.

// RouteConfig says how a trajectory becomes a route input.
type RouteConfig struct {
	Spacing      float64 // metres between route points (grown to fit MaxPoints)
	MaxPoints    int     // at most this many points
	NominalSpeed float64 // m/s used to time the route points
}

// DefaultRouteConfig resamples every 100 m, at most 64 points, at 10 m/s.
func DefaultRouteConfig() RouteConfig {
	return RouteConfig{Spacing: 100, MaxPoints: 64, NominalSpeed: 10}
}

// RouteInput returns the route of t: points equally spaced along its path
// (first and last included), timed from t's departure at the nominal speed
// — the same timing for every trip, so times carry no information about
// the true duration beyond the departure time and the length.
func RouteInput(t *traj.Trajectory, cfg RouteConfig) (*traj.Trajectory, error) {
	if len(t.Points) == 0 {
		return nil, fmt.Errorf("tasks: trajectory %q has no points", t.ID)
	}
	length := t.Length()
	n := int(math.Ceil(length/cfg.Spacing)) + 1
	n = max(2, min(n, cfg.MaxPoints))
	pts := resampleHaversine(t.LineString(), n)
	r := &traj.Trajectory{ID: t.ID, UserID: t.UserID, Mode: t.Mode, Labels: t.Labels}
	depart := t.Start()
	var d float64
	for i, p := range pts {
		if i > 0 {
			d += traj.Haversine(pts[i-1], p)
		}
		r.Points = append(r.Points, traj.NewPoint(p[0], p[1], depart.Add(time.Duration(d/cfg.NominalSpeed*float64(time.Second)))))
	}
	return r, nil
}

// resampleHaversine is ResampleAlong with haversine arc length.
func resampleHaversine(ls orb.LineString, n int) []orb.Point {
	if len(ls) == 1 {
		return ResampleAlong(ls, n)
	}
	cum := make([]float64, len(ls))
	for i := 1; i < len(ls); i++ {
		cum[i] = cum[i-1] + traj.Haversine(ls[i-1], ls[i])
	}
	out := make([]orb.Point, n)
	seg := 1
	total := cum[len(cum)-1]
	for k := range out {
		target := total * float64(k) / float64(n-1)
		for seg < len(ls)-1 && cum[seg] < target {
			seg++
		}
		f := 0.0
		if l := cum[seg] - cum[seg-1]; l > 0 {
			f = math.Max(0, math.Min(1, (target-cum[seg-1])/l))
		}
		a, b := ls[seg-1], ls[seg]
		out[k] = orb.Point{a[0] + f*(b[0]-a[0]), a[1] + f*(b[1]-a[1])}
	}
	return out
}

// TravelTimes returns each trajectory's duration in seconds (the ground
// truth of TTE).
func TravelTimes(ts []*traj.Trajectory) []float64 {
	y := make([]float64, len(ts))
	for i, t := range ts {
		y[i] = t.Duration().Seconds()
	}
	return y
}

// RouteInputs converts every trajectory (see RouteInput).
func RouteInputs(ts []*traj.Trajectory, cfg RouteConfig) ([]*traj.Trajectory, error) {
	out := make([]*traj.Trajectory, len(ts))
	for i, t := range ts {
		r, err := RouteInput(t, cfg)
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}

// TTEResult reports one TTE evaluation.
type TTEResult struct {
	RegressionMetrics
	Method Method `json:"method"`
	Train  int    `json:"train_size"`
	Test   int    `json:"test_size"`
	// GroupWeights is group DRO's final q (FineTuned.GroupWeights).
	GroupWeights map[string]float64 `json:"group_weights,omitempty"`
	// Scored are the test trajectories scored; Pred and Truth their
	// predicted and true travel times in seconds (for per-group reports).
	Scored      []*traj.Trajectory `json:"-"`
	Pred, Truth []float64          `json:"-"`
}

// tteResult scores pred against the travel times of test.
func tteResult(method Method, train, test []*traj.Trajectory, pred []float64) (TTEResult, error) {
	truth := TravelTimes(test)
	m, err := Regression(pred, truth)
	return TTEResult{RegressionMetrics: m, Method: method, Train: len(train), Test: len(test), Scored: test, Pred: pred, Truth: truth}, err
}

// ValidTTE keeps the trips a travel time can be scored on: at least two
// points and a positive duration.
func ValidTTE(ts []*traj.Trajectory) []*traj.Trajectory {
	var out []*traj.Trajectory
	for _, t := range ts {
		if len(t.Points) >= 2 && t.Duration() > 0 {
			out = append(out, t)
		}
	}
	return out
}

// TTESpeedBaseline predicts length / v̄ where v̄ = Σlength / Σduration over
// the training trips — the classical "average speed" estimate.
func TTESpeedBaseline(train, test []*traj.Trajectory) (TTEResult, error) {
	train, test = ValidTTE(train), ValidTTE(test)
	if len(train) == 0 || len(test) == 0 {
		return TTEResult{}, fmt.Errorf("tasks: TTE needs trajectories with ≥ 2 points and a positive duration")
	}
	var l, d float64
	for _, t := range train {
		l += t.Length()
		d += t.Duration().Seconds()
	}
	v := l / d
	pred := make([]float64, len(test))
	for i, t := range test {
		pred[i] = t.Length() / v
	}
	return tteResult(MethodBaseline, train, test, pred)
}

// TTEProbe embeds the route inputs with e (frozen) and trains a probe.
func TTEProbe(e Embedder, train, test []*traj.Trajectory, route RouteConfig, cfg ProbeConfig) (TTEResult, error) {
	train, test = ValidTTE(train), ValidTTE(test)
	rtr, err := RouteInputs(train, route)
	if err != nil {
		return TTEResult{}, err
	}
	rte, err := RouteInputs(test, route)
	if err != nil {
		return TTEResult{}, err
	}
	xtr, err := e.Embed(rtr)
	if err != nil {
		return TTEResult{}, err
	}
	xte, err := e.Embed(rte)
	if err != nil {
		return TTEResult{}, err
	}
	p, err := TrainRegressionProbe(xtr, TravelTimes(train), cfg)
	if err != nil {
		return TTEResult{}, err
	}
	pred, err := p.PredictRegression(xte)
	if err != nil {
		return TTEResult{}, err
	}
	return tteResult(MethodProbe, train, test, pred)
}

// TTEFineTune trains e (a copy) with a regression head on the route inputs:
// Finetune for a pre-trained e, Scratch for a NewScratch model.
func TTEFineTune(m *tfm.Model, train, test []*traj.Trajectory, route RouteConfig, cfg FineTuneConfig) (TTEResult, error) {
	train, test = ValidTTE(train), ValidTTE(test)
	rtr, err := RouteInputs(train, route)
	if err != nil {
		return TTEResult{}, err
	}
	rte, err := RouteInputs(test, route)
	if err != nil {
		return TTEResult{}, err
	}
	ft, err := FineTune(m, rtr, TravelTimes(train), nil, 0, cfg)
	if err != nil {
		return TTEResult{}, err
	}
	pred, err := ft.PredictRegression(rte)
	if err != nil {
		return TTEResult{}, err
	}
	r, err := tteResult(methodOf(m, cfg), train, test, pred)
	r.GroupWeights = ft.GroupWeights
	return r, err
}
