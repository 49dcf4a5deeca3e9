package tasks

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/tfm-course/course/tfm/fairness"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train"
	"github.com/gomlx/gomlx/ml/train/loss"

	"github.com/tfm-course/course/tfm/traj"
)

// Fairness mitigations of fine-tuning (FineTuneConfig.Mitigation), each
// over G groups of training examples (FineTuneConfig.Groups or GroupKey),
// compared with none (every example alike, the plain mean loss):
//
//   - balanced: each batch slot draws a group uniformly, then an example of
//     that group, so every group fills ≈ 1/G of the batches.
//   - reweight: importance weights w_i = N / (G·n_g(i)) (n_g examples of
//     group g among N), batch loss Σ_i w_i·ℓ_i / Σ_i w_i: every group
//     weighs the same in expectation.
//   - dro: online group DRO (Sagawa et al. 2020), the loss of the group
//     doing worst, softly: see droLoss.

// Mitigations lists FineTuneConfig.Mitigation's values ("" is none).
var Mitigations = []string{"none", "balanced", "reweight", "dro"}

// DefaultDROStep is group DRO's step size η when FineTuneConfig.DROStep is
// 0: Sagawa et al.'s 0.01. On standardised regression targets and
// cross-entropy, q already leans clearly toward a group that stays worse
// within the course's 300 fine-tuning steps (TTE on the synthetic city, by
// mode: walk's q ≈ 0.66); 0.05 collapses q onto it (the other groups'
// weights ≈ 0.003) without narrowing the gap further.
const DefaultDROStep = 0.01

// droScope holds group DRO's q (non-trainable: updated in the step graph).
const droScope = "/task_group_dro"

// mitigation is cfg's mitigation, "" read as none.
func (cfg FineTuneConfig) mitigation() string {
	if cfg.Mitigation == "" {
		return "none"
	}
	return cfg.Mitigation
}

// trainingGroups checks cfg's mitigation settings for the n examples ts
// and returns each example's group: cfg.Groups, or the groups of ts under
// cfg.GroupKey (nil for none without groups).
func (cfg FineTuneConfig) trainingGroups(ts []*traj.Trajectory) ([]string, error) {
	m := cfg.mitigation()
	if !slices.Contains(Mitigations, m) {
		return nil, fmt.Errorf("tasks: FineTuneConfig.Mitigation %q: want one of %v", cfg.Mitigation, Mitigations)
	}
	if cfg.DROStep < 0 {
		return nil, fmt.Errorf("tasks: FineTuneConfig.DROStep %g: want ≥ 0 (0 = default %g)", cfg.DROStep, DefaultDROStep)
	}
	groups := cfg.Groups
	if groups == nil && cfg.GroupKey != "" {
		var err error
		if groups, err = fairness.GroupsOf(ts, cfg.GroupKey); err != nil {
			return nil, fmt.Errorf("tasks: FineTuneConfig.GroupKey: %w", err)
		}
	}
	if groups == nil {
		if m != "none" {
			return nil, fmt.Errorf("tasks: FineTuneConfig.Mitigation %q needs FineTuneConfig.Groups (one group per training example) or GroupKey", m)
		}
		return nil, nil
	}
	if len(groups) != len(ts) {
		return nil, fmt.Errorf("tasks: FineTuneConfig.Groups has %d entries for %d training examples (want one each)", len(groups), len(ts))
	}
	for i, g := range groups {
		if g == "" {
			return nil, fmt.Errorf("tasks: FineTuneConfig.Groups[%d] (trajectory %q) is empty", i, ts[i].ID)
		}
	}
	return groups, nil
}

// groupIndex returns the sorted distinct groups and each example's index
// into them.
func groupIndex(groups []string) (names []string, idx []int) {
	seen := map[string]bool{}
	for _, g := range groups {
		if !seen[g] {
			seen[g] = true
			names = append(names, g)
		}
	}
	sort.Strings(names)
	pos := make(map[string]int, len(names))
	for i, g := range names {
		pos[g] = i
	}
	idx = make([]int, len(groups))
	for i, g := range groups {
		idx[i] = pos[g]
	}
	return names, idx
}

// reweightWeights are the importance weights w_i = N / (G·n_g(i)) of the
// examples with group indices idx over G groups: Σ_i w_i = N and each
// group's weights sum to N/G.
func reweightWeights(idx []int, G int) []float64 {
	n := make([]int, G)
	for _, g := range idx {
		n[g]++
	}
	w := make([]float64, len(idx))
	for i, g := range idx {
		w[i] = float64(len(idx)) / float64(G*n[g])
	}
	return w
}

// balancedSampler draws a group uniformly, then the next example of that
// group in a seeded cyclic shuffle of its members.
type balancedSampler struct {
	rng     *rand.Rand
	members [][]int
	order   []*shuffler
}

func newBalancedSampler(idx []int, G int, seed uint64) *balancedSampler {
	s := &balancedSampler{rng: rand.New(rand.NewPCG(seed, 0xba1a)), members: make([][]int, G)}
	for i, g := range idx {
		s.members[g] = append(s.members[g], i)
	}
	for g := range G {
		s.order = append(s.order, newShuffler(len(s.members[g]), seed, 0xba1b+uint64(g)))
	}
	return s
}

func (s *balancedSampler) next() int {
	g := s.rng.IntN(len(s.members))
	return s.members[g][s.order[g].next()]
}

// exampleLosses is ℓ_i of each batch example, [B]: the squared error
// (y_i − ŷ_i)² for regression, the cross-entropy −log softmax(z_i)[y_i]
// for classification.
func exampleLosses(label, pred *graph.Node, regression bool) *graph.Node {
	if regression {
		return graph.ReduceSum(graph.Square(graph.Sub(label, pred)), -1)
	}
	b, k := pred.Shape().Dimensions[0], pred.Shape().Dimensions[1]
	onehot := graph.OneHot(graph.Reshape(label, b), k, pred.DType())
	return graph.Neg(graph.ReduceSum(graph.Mul(onehot, graph.LogSoftmax(pred, -1)), -1))
}

// mitigatedLoss is the training loss of mitigation: the plain mean loss
// (GoMLX's MSE or sparse softmax cross-entropy) for none and balanced; for
// reweight labels[1] holds w_i [B]; for dro labels[1] holds the group
// indices [B] and q is created (uniform) in store (see droLoss).
func mitigatedLoss(store *model.Store, mitigation string, regression bool, G int, eta float64) (train.LossFn, error) {
	switch mitigation {
	case "reweight":
		return func(labels, predictions []*graph.Node) *graph.Node {
			l, w := exampleLosses(labels[0], predictions[0], regression), labels[1]
			return graph.Div(graph.ReduceAllSum(graph.Mul(w, l)), graph.ReduceAllSum(w))
		}, nil
	case "dro":
		q, err := store.CreateVariable(droScope+"/q", tensors.FromValue(uniform(G)))
		if err != nil {
			return nil, err
		}
		q.SetTrainable(false)
		return func(labels, predictions []*graph.Node) *graph.Node {
			return droLoss(q, exampleLosses(labels[0], predictions[0], regression), labels[1], G, eta)
		}, nil
	}
	if regression {
		return loss.MeanSquaredError, nil
	}
	return loss.SparseCategoricalCrossEntropyLogits, nil
}

// droLoss is online group DRO (Sagawa, Koh, Hashimoto & Liang 2020,
// "Distributionally Robust Neural Networks", Algorithm 1): q lies on the
// simplex over the G groups; each step, with L̂_g the mean loss of the
// batch's examples of group g (0 when the batch has none),
//
//	q_g ← q_g·exp(η·L̂_g) / Σ_h q_h·exp(η·L̂_h),   L = Σ_g q_g·L̂_g
//
// an exponentiated-gradient ascent on the worst-group mix, the model
// descending on L with q held fixed. q starts uniform and is kept in the
// store as the non-trainable variable qVar, updated in the step graph.
func droLoss(qVar *model.Variable, l, group *graph.Node, G int, eta float64) *graph.Node {
	g := l.Graph()
	onehot := graph.OneHot(group, G, l.DType()) // [B, G]
	count := graph.MaxScalar(graph.ReduceSum(onehot, 0), 1)
	lg := graph.Div(graph.ReduceSum(graph.Mul(onehot, graph.InsertAxes(l, -1)), 0), count) // L̂_g, [G]
	q := graph.Mul(qVar.NodeValue(g), graph.Exp(graph.MulScalar(graph.StopGradient(lg), eta)))
	q = graph.StopGradient(graph.Div(q, graph.ReduceAllSum(q)))
	qVar.SetNodeValue(q)
	return graph.ReduceAllSum(graph.Mul(q, lg))
}

func uniform(G int) []float32 {
	q := make([]float32, G)
	for i := range q {
		q[i] = 1 / float32(G)
	}
	return q
}

// droWeights reads q after training, by group name.
func droWeights(store *model.Store, names []string) (map[string]float64, error) {
	v := store.GetVariable(droScope + "/q")
	if v == nil {
		return nil, fmt.Errorf("tasks: group DRO's q was not created")
	}
	t, err := v.Value()
	if err != nil {
		return nil, err
	}
	q := tensors.MustCopyFlatData[float32](t)
	out := make(map[string]float64, len(names))
	for i, n := range names {
		out[n] = float64(q[i])
	}
	return out, nil
}

// groupLabel is the batch's second label tensor of a mitigation, or nil.
func groupLabel(mitigation string, rows []int, idx []int, w []float64) *tensors.Tensor {
	switch mitigation {
	case "reweight":
		f := make([]float32, len(rows))
		for b, i := range rows {
			f[b] = float32(w[i])
		}
		return tensors.FromFlatDataAndDimensions(f, len(rows))
	case "dro":
		g := make([]int32, len(rows))
		for b, i := range rows {
			g[b] = int32(idx[i])
		}
		return tensors.FromFlatDataAndDimensions(g, len(rows))
	}
	return nil
}
