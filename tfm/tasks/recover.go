package tasks

import (
	"fmt"
	"math"
	"time"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/paulmach/orb"
	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/traj"
)

// Trajectory recovery reconstructs the points a low sampling rate lost:
// each window keeps one point in every 1/KeepRate (first and last always
// kept) and the task is to place the dropped points, whose times are known.
// The classical baseline interpolates linearly in time between the kept
// neighbours; a learned model corrects that interpolation with an encoder
// that has seen the whole window.

// Downsample keeps every k-th point of t (k = round(1/keepRate)) plus the
// last, and returns the kept trajectory with the indices of the kept and
// dropped points.
func Downsample(t *traj.Trajectory, keepRate float64) (kept *traj.Trajectory, keptIdx, droppedIdx []int, err error) {
	if keepRate <= 0 || keepRate > 1 {
		return nil, nil, nil, fmt.Errorf("tasks: keep rate %v outside (0, 1]", keepRate)
	}
	if len(t.Points) == 0 {
		return nil, nil, nil, fmt.Errorf("tasks: trajectory %q has no points", t.ID)
	}
	k := max(1, int(math.Round(1/keepRate)))
	kept = &traj.Trajectory{ID: t.ID, UserID: t.UserID, Mode: t.Mode, Labels: t.Labels}
	for i, p := range t.Points {
		if i%k == 0 || i == len(t.Points)-1 {
			kept.Points = append(kept.Points, p)
			keptIdx = append(keptIdx, i)
		} else {
			droppedIdx = append(droppedIdx, i)
		}
	}
	return kept, keptIdx, droppedIdx, nil
}

// InterpolateAt returns the positions of kept at the given times, linear in
// time between the surrounding points (clamped to the ends). kept must be
// sorted by time.
func InterpolateAt(kept *traj.Trajectory, times []time.Time) []orb.Point {
	out := make([]orb.Point, len(times))
	j := 0
	for n, tm := range times {
		for j < len(kept.Points)-1 && !kept.Points[j+1].Time.After(tm) {
			j++
		}
		a := kept.Points[j]
		if j == len(kept.Points)-1 || !tm.After(a.Time) {
			out[n] = a.Point
			continue
		}
		b := kept.Points[j+1]
		f := tm.Sub(a.Time).Seconds() / b.Time.Sub(a.Time).Seconds()
		out[n] = orb.Point{a.Point[0] + f*(b.Point[0]-a.Point[0]), a.Point[1] + f*(b.Point[1]-a.Point[1])}
	}
	return out
}

// Windows cuts every trajectory into consecutive windows of at most size
// points (a window shorter than minPoints is dropped).
func Windows(ts []*traj.Trajectory, size, minPoints int) []*traj.Trajectory {
	var out []*traj.Trajectory
	for _, t := range ts {
		for lo, w := 0, 0; lo < len(t.Points); lo, w = lo+size, w+1 {
			hi := min(lo+size, len(t.Points))
			if hi-lo < minPoints {
				continue
			}
			c := &traj.Trajectory{ID: fmt.Sprintf("%s@%d", t.ID, w), UserID: t.UserID, Mode: t.Mode, Labels: t.Labels}
			c.Points = append([]traj.Point(nil), t.Points[lo:hi]...)
			out = append(out, c)
		}
	}
	return out
}

// recoveryCase is one window prepared for recovery: the input (dropped
// points replaced by their linear interpolation) and the truth.
type recoveryCase struct {
	input   *traj.Trajectory
	dropped []int
	truth   []orb.Point // observed positions of the dropped points
	interp  []orb.Point // their linear interpolation
}

func prepareRecovery(windows []*traj.Trajectory, keepRate float64) ([]recoveryCase, error) {
	var cases []recoveryCase
	for _, w := range windows {
		kept, _, dropped, err := Downsample(w, keepRate)
		if err != nil {
			return nil, err
		}
		if len(dropped) == 0 {
			continue
		}
		times := make([]time.Time, len(dropped))
		truth := make([]orb.Point, len(dropped))
		for n, i := range dropped {
			times[n], truth[n] = w.Points[i].Time, w.Points[i].Point
		}
		interp := InterpolateAt(kept, times)
		in := w.Clone()
		for n, i := range dropped {
			in.Points[i].Point = interp[n]
		}
		cases = append(cases, recoveryCase{input: in, dropped: dropped, truth: truth, interp: interp})
	}
	if len(cases) == 0 {
		return nil, fmt.Errorf("tasks: no window loses a point at keep rate %v", keepRate)
	}
	return cases, nil
}

// RecoveryConfig configures the recovery task.
type RecoveryConfig struct {
	KeepRate float64 // share of points kept (0.25: one in four)
	Window   int     // points per window (≤ the encoder's MaxLen)
	RadiusM  float64 // a point counts as recovered within this many metres
}

// DefaultRecoveryConfig keeps one point in four, windows of 64 points, and
// counts a point within 20 m as recovered.
func DefaultRecoveryConfig() RecoveryConfig {
	return RecoveryConfig{KeepRate: 0.25, Window: 64, RadiusM: 20}
}

// RecoveryResult reports one recovery evaluation.
type RecoveryResult struct {
	RecoveryMetrics
	Method   Method  `json:"method"`
	KeepRate float64 `json:"keep_rate"`
	Train    int     `json:"train_size"`
	Test     int     `json:"test_size"`
	// ErrorsM[k] is the error in metres of the k-th recovered point and
	// Scored[k] the test window it belongs to (for per-group reports).
	ErrorsM []float64          `json:"-"`
	Scored  []*traj.Trajectory `json:"-"`
}

// recoveryResult scores the recovered points pred of the cases.
func recoveryResult(method Method, cases []recoveryCase, pred []orb.Point, cfg RecoveryConfig, train int) (RecoveryResult, error) {
	var truth []orb.Point
	var windows []*traj.Trajectory
	for _, c := range cases {
		truth = append(truth, c.truth...)
		for range c.dropped {
			windows = append(windows, c.input)
		}
	}
	m, err := PointRecovery(truth, pred, cfg.RadiusM)
	if err != nil {
		return RecoveryResult{}, err
	}
	errs := make([]float64, len(truth))
	for k := range truth {
		errs[k] = traj.Haversine(truth[k], pred[k])
	}
	return RecoveryResult{RecoveryMetrics: m, Method: method, KeepRate: cfg.KeepRate, Train: train, Test: len(cases), ErrorsM: errs, Scored: windows}, nil
}

// RecoverLinear evaluates linear interpolation on the test trajectories.
func RecoverLinear(test []*traj.Trajectory, cfg RecoveryConfig) (RecoveryResult, error) {
	cases, err := prepareRecovery(Windows(test, cfg.Window, 3), cfg.KeepRate)
	if err != nil {
		return RecoveryResult{}, err
	}
	var pred []orb.Point
	for _, c := range cases {
		pred = append(pred, c.interp...)
	}
	return recoveryResult(MethodBaseline, cases, pred, cfg, 0)
}

// recoveryScale is the unit (metres) of the predicted corrections.
const recoveryScale = 100.0

// RecoverFineTune trains a copy of e with a per-step head predicting, for
// each dropped point, the correction (east, north) from its linear
// interpolation, on windows of train; it evaluates on windows of test.
// With a NewScratch model this is the scratch baseline.
func RecoverFineTune(m *tfm.Model, trainSet, testSet []*traj.Trajectory, cfg RecoveryConfig, ft FineTuneConfig) (RecoveryResult, error) {
	window := min(cfg.Window, m.Primary().Encoder.MaxLen)
	trCases, err := prepareRecovery(Windows(trainSet, window, 3), cfg.KeepRate)
	if err != nil {
		return RecoveryResult{}, err
	}
	teCases, err := prepareRecovery(Windows(testSet, window, 3), cfg.KeepRate)
	if err != nil {
		return RecoveryResult{}, err
	}
	if len(m.Branches) != 1 { // a multi-modal model: recovery fine-tunes its primary (GPS) branch
		if m, err = m.Sub(m.Primary().Modality.Name()); err != nil {
			return RecoveryResult{}, err
		}
	}
	fm, err := taskCopy(m, ft)
	if err != nil {
		return RecoveryResult{}, err
	}
	L := fm.Primary().Encoder.MaxLen
	head := func(scope *model.Scope, in tfm.Nodes) *graph.Node {
		h := fm.Primary().Encode(scope, in).Hidden                   // [B, L, D]
		return headGraph(scope.In("recovery_head"), h, ft.Hidden, 2) // [B, L, 2]
	}
	var names []string
	modelFn := func(scope *model.Scope, nodes []*graph.Node) *graph.Node {
		return head(scope, tfm.NodesOf(names, nodes))
	}
	lossFn := func(labels, predictions []*graph.Node) *graph.Node {
		target, weight := labels[0], labels[1] // [B, L, 2], [B, L, 1]
		d := graph.Sub(predictions[0], target)
		num := graph.ReduceAllSum(graph.Mul(graph.Mul(d, d), weight))
		den := graph.Max(graph.ReduceAllSum(weight), graph.OnesLike(graph.ReduceAllSum(weight)))
		return graph.Div(num, den)
	}
	trainer := train.NewTrainer(fm.Backend, fm.Store, modelFn, lossFn,
		optimizer.Adam().LearningRate(ft.LearningRate).Done(), nil, nil)
	bs := min(ft.BatchSize, len(trCases))
	labels := func(cases []recoveryCase) (*tensors.Tensor, *tensors.Tensor) {
		tg, wt := make([]float32, bs*L*2), make([]float32, bs*L)
		for b, c := range cases {
			for n, i := range c.dropped {
				if i >= L {
					continue
				}
				x, y := LocalXY(c.interp[n], c.truth[n])
				tg[(b*L+i)*2], tg[(b*L+i)*2+1] = float32(x/recoveryScale), float32(y/recoveryScale)
				wt[b*L+i] = 1
			}
		}
		return tensors.FromFlatDataAndDimensions(tg, bs, L, 2), tensors.FromFlatDataAndDimensions(wt, bs, L, 1)
	}
	order := newShuffler(len(trCases), uint64(ft.Seed), 0x4ec0)
	batch := make([]recoveryCase, bs)
	inputs := make([]*traj.Trajectory, bs)
	next := func(step int) (train.Batch, error) {
		for b := range batch {
			batch[b] = trCases[order.next()]
			inputs[b] = batch[b].input
		}
		f, err := fm.PaddedFeed(inputs, bs)
		if err != nil {
			return train.Batch{}, fmt.Errorf("recovery step %d: %w", step, err)
		}
		if names == nil {
			names = f.Names()
		}
		ins, err := f.Ordered(names)
		tg, wt := labels(batch)
		return train.Batch{Inputs: ins, Labels: []*tensors.Tensor{tg, wt}}, err
	}
	losses, err := fitLoop(trainer, ft.Steps, next, ft.Log, ft.LogEvery)
	countTrained(fm, len(losses)*bs, ft.Freeze)
	if err != nil {
		return RecoveryResult{}, err
	}
	exec := tfm.NewExec(fm.Backend, fm.Store, head)
	inputs = make([]*traj.Trajectory, len(teCases))
	for i, c := range teCases {
		inputs[i] = c.input
	}
	flat, err := fm.Apply(exec, inputs, L*2) // [case][step][east, north]
	if err != nil {
		return RecoveryResult{}, err
	}
	var pred []orb.Point
	for b, c := range teCases {
		for n, i := range c.dropped {
			dx := float64(flat[(b*L+i)*2]) * recoveryScale
			dy := float64(flat[(b*L+i)*2+1]) * recoveryScale
			x0, y0 := LocalXY(c.interp[n], c.interp[n])
			pred = append(pred, FromLocalXY(c.interp[n], x0+dx, y0+dy))
		}
	}
	return recoveryResult(methodOf(m, ft), teCases, pred, cfg, len(trCases))
}
