package pretrain

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/model"

	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/traj"
)

// Causal is deconfounded representation learning by backdoor adjustment.
// The structural causal model: the geospatial context C (district type)
// causes both the trajectory X (where and how people move) and the label Y,
// so P(Y|X) mixes the effect of X with the spurious path X ← C → Y. The
// intervention cuts it:
//
//	P(Y | do(X)) = Σ_c P(Y | X, c)·P(c)
//
// The model learns P(Y | X, c) with a confounder dictionary of learned
// context prototypes u_c (one per district type):
//
//	logits(x, c) = W·f(x) + V·u_c + b                    (training: the trip's own c)
//	P(Y | do(x)) = Σ_k P(c_k)·softmax(logits(x, c_k))    (prediction: prototypes weighted by their prior)
//
// Given C explicitly, the context's share of the label is explained by u_c
// instead of being squeezed into f(x), and the prior-weighted sum removes it
// at prediction time. With Deconfound = λ > 0 the encoder is also trained to
// drop the context from f(x) itself (representation learning, not only the
// head):
//
//	loss = CE(logits(x, c), y) + λ·η²_w(f(x); c)    (contextShare)
//
// where η²_w is the share of the embedding's variance the context explains,
// measured with inverse-propensity weights w = P(y)/P(y|c) (under which Y
// is independent of C, so the label's signal is not what it removes).
//
// With Adjust=false the head is W·f(x)+b only: the plain model, which learns
// the shortcut when the training data has one (with Reweight, trained on
// inverse-propensity weights instead: the reweighting baseline).
type Causal struct {
	M      *tfm.Model
	Adjust bool // backdoor adjustment on (false: plain classifier)
	// Deconfound weighs the context-share term (CausalConfig.Deconfound).
	Deconfound float64

	CausalHead
	labelID map[string]int
	ctxID   map[string]int
	weight  [][]float64 // [label][context] → P(y)/P(y|c) (Reweight)
}

// CausalConfig configures causal pre-training.
type CausalConfig struct {
	Label      string // label key to predict ("mode" = Trajectory.Mode)
	Confounder string // label key of the confounder
	Plain      bool   // no backdoor adjustment: the confounded baseline
	// Reweight (with Plain) weights each training trip by the inverse
	// propensity of its label given its context, w = P(y)/P(y|c), so that
	// in the weighted data Y is independent of C: the reweighting baseline.
	Reweight bool
	// Deconfound (adjusted models only) weighs a term that trains the
	// encoder to drop the context the dictionary accounts for: the share of
	// the embeddings' variance the context explains, inverse-propensity
	// weighted (contextShare). 0 = off.
	Deconfound float64
}

// DefaultCausalConfig predicts the travel mode, deconfounded from the
// district type the trip starts in.
func DefaultCausalConfig() CausalConfig {
	return CausalConfig{Label: "mode", Confounder: "district_type_from"}
}

// CausalHead is what the checkpoint records of the causal head
// (tfm.Meta.Head): the names behind its ids and the context prior P(c).
type CausalHead struct {
	Label      string    `json:"label"`
	Confounder string    `json:"confounder"`
	Plain      bool      `json:"plain,omitempty"`
	Reweight   bool      `json:"reweight,omitempty"`
	Classes    []string  `json:"classes"`  // label values, by id
	Contexts   []string  `json:"contexts"` // confounder values, by id
	Prior      []float64 `json:"prior"`    // P(c_k) in the training data
}

// NewCausal builds the objective over m (any modalities: it classifies the
// fused embedding).
func NewCausal(m *tfm.Model, cfg CausalConfig) (*Causal, error) {
	if cfg.Label == "" || cfg.Confounder == "" {
		return nil, fmt.Errorf("causal: need a label and a confounder key")
	}
	if cfg.Reweight && !cfg.Plain {
		return nil, fmt.Errorf("causal: Reweight is the plain classifier's baseline (set Plain too)")
	}
	return &Causal{M: m, Adjust: !cfg.Plain, Deconfound: cfg.Deconfound,
		CausalHead: CausalHead{Label: cfg.Label, Confounder: cfg.Confounder, Plain: cfg.Plain, Reweight: cfg.Reweight}}, nil
}

func (c *Causal) Name() string { return "causal" }
func (c *Causal) Terms() []string {
	if c.Adjust && c.Deconfound > 0 {
		return []string{"cls", "accuracy", "context_share"}
	}
	return []string{"cls", "accuracy"}
}

// Fit collects the classes, contexts and context prior from trajs (or
// reuses the given names when resuming).
func (c *Causal) Fit(trajs []*traj.Trajectory, classes, contexts []string) error {
	count := map[string]int{}
	labels := map[string]bool{}
	joint := map[[2]string]int{}
	for _, t := range trajs {
		y, ctx := t.Label(c.Label), t.Label(c.Confounder)
		if y == "" || ctx == "" {
			continue
		}
		labels[y] = true
		count[ctx]++
		joint[[2]string{y, ctx}]++
	}
	if classes == nil {
		for y := range labels {
			classes = append(classes, y)
		}
		sort.Strings(classes)
		for ctx := range count {
			contexts = append(contexts, ctx)
		}
		sort.Strings(contexts)
	}
	if len(classes) < 2 || len(contexts) < 1 {
		return fmt.Errorf("causal: need ≥ 2 values of label %q and ≥ 1 of confounder %q in the data (found %d and %d)",
			c.Label, c.Confounder, len(classes), len(contexts))
	}
	c.Classes, c.Contexts = classes, contexts
	c.labelID, c.ctxID = index(classes), index(contexts)
	total := 0
	for _, n := range count {
		total += n
	}
	c.Prior = make([]float64, len(contexts))
	for k, ctx := range contexts {
		c.Prior[k] = (float64(count[ctx]) + 1) / (float64(total) + float64(len(contexts))) // Laplace
	}
	// Inverse propensity weights w(y, c) = P(y)/P(y|c) = P(y)·n_c/n_yc.
	c.weight = make([][]float64, len(classes))
	for i, y := range classes {
		ny := 0
		for _, ctx := range contexts {
			ny += joint[[2]string{y, ctx}]
		}
		c.weight[i] = make([]float64, len(contexts))
		for k, ctx := range contexts {
			if n := joint[[2]string{y, ctx}]; n > 0 { // an empty cell has no trips to weigh
				c.weight[i][k] = float64(ny) / float64(total) * float64(count[ctx]) / float64(n)
			}
		}
	}
	return nil
}

// Usable keeps the trajectories with a known label and context.
func (c *Causal) Usable(trajs []*traj.Trajectory) []*traj.Trajectory {
	var out []*traj.Trajectory
	for _, t := range trajs {
		_, ok1 := c.labelID[t.Label(c.Label)]
		_, ok2 := c.ctxID[t.Label(c.Confounder)]
		if ok1 && ok2 {
			out = append(out, t)
		}
	}
	return out
}

func (c *Causal) Inputs(_ *rand.Rand, trajs []*traj.Trajectory) (tfm.Feed, error) {
	bs, err := c.M.Batches(trajs)
	if err != nil {
		return nil, err
	}
	f, err := c.M.Feed(bs...)
	if err != nil {
		return nil, err
	}
	y := make([]int32, len(trajs))
	ctx := make([]int32, len(trajs))
	for i, t := range trajs {
		yi, ok := c.labelID[t.Label(c.Label)]
		ci, ok2 := c.ctxID[t.Label(c.Confounder)]
		if !ok || !ok2 {
			return nil, fmt.Errorf("causal: trajectory %q has no known %q/%q label", t.ID, c.Label, c.Confounder)
		}
		y[i], ctx[i] = int32(yi), int32(ci)
	}
	f["label"] = tensors.FromFlatDataAndDimensions(y, len(y))
	f["context"] = tensors.FromFlatDataAndDimensions(ctx, len(ctx))
	if c.Reweight || c.Adjust && c.Deconfound > 0 {
		w := make([]float32, len(trajs))
		for i := range trajs {
			w[i] = float32(c.weight[y[i]][ctx[i]])
		}
		key := "weight" // the reweighting baseline's loss weights
		if c.Adjust {
			key = "ipw" // the context share's weights only
		}
		f[key] = tensors.FromFlatDataAndDimensions(w, len(w))
	}
	return f, nil
}

func (c *Causal) Loss(scope *model.Scope, in tfm.Nodes) (*Node, []*Node) {
	z := c.M.Pooled(scope, in)
	y, ctx := in["label"], in["context"]
	var logits *Node
	if c.Adjust {
		cond := c.ConditionalLogits(scope, z)                // [B, K, classes]
		onehot := OneHot(ctx, len(c.Contexts), cond.DType()) // [B, K]
		logits = Einsum("bkc,bk->bc", cond, onehot)          // logits(x, c_true)
	} else {
		logits = c.ConditionalLogits(scope, z)
	}
	var cls *Node
	if w, ok := in["weight"]; ok { // Σ w·CE / Σ w
		cls = Div(ReduceAllSum(Mul(w, crossEntropy(logits, y))), ReduceAllSum(w))
	} else {
		cls = ReduceAllMean(crossEntropy(logits, y))
	}
	pred := ConvertDType(ArgMax(c.Predict(scope, z), -1), dtypes.Int32)
	acc := ReduceAllMean(ConvertDType(Equal(pred, y), dtypes.Float32))
	if !c.Adjust || c.Deconfound <= 0 {
		return cls, []*Node{cls, acc}
	}
	share := contextShare(z, ctx, in["ipw"], len(c.Contexts))
	return Add(cls, MulScalar(share, c.Deconfound)), []*Node{cls, acc, share}
}

// contextShare is the share of the embeddings' variance that the context
// explains in the batch, per embedding dimension d and averaged over them,
// in the inverse-propensity-weighted data (weights w, in which the label is
// independent of the context, so the label's own signal is not what gets
// removed): with z̄ the weighted mean and z̄_c that of context c,
//
//	η² = mean_d Σ_b w_b·(z̄_{c_b,d} − z̄_d)² / Σ_b w_b·(z_{b,d} − z̄_d)²
//
// At 0 every context has the same mean embedding, so no linear read-out of
// z tells the contexts apart by their means. Per dimension, so that a
// dimension with little variance is not ignored (a probe standardises it);
// a ratio, so the encoder cannot lower it by shrinking z.
func contextShare(z, ctx, w *Node, contexts int) *Node {
	wb := ExpandAxes(w, 1)                                                                            // [B, 1]
	onehot := Mul(OneHot(ctx, contexts, z.DType()), wb)                                               // w_b·[c_b = k], [B, K]
	mean := Div(ReduceAndKeep(Mul(wb, z), ReduceSum, 0), ReduceAllSum(w))                             // z̄ [1, D]
	n := ReduceSum(onehot, 0)                                                                         // [K]
	means := Div(Einsum("bk,bd->kd", onehot, z), ExpandAxes(Max(n, MulScalar(OnesLike(n), 1e-6)), 1)) // z̄_k [K, D]
	own := Einsum("bk,kd->bd", OneHot(ctx, contexts, z.DType()), means)                               // z̄_{c_b} [B, D]
	between := ReduceSum(Mul(wb, Square(Sub(own, mean))), 0)                                          // [D]
	total := ReduceSum(Mul(wb, Square(Sub(z, mean))), 0)                                              // [D]
	return ReduceAllMean(Div(between, AddScalar(total, 1e-6)))
}

// ConditionalLogits returns logits(x, c_k) = W·z + V·u_k + b for every
// context, [B, K, classes] (with Adjust=false: W·z + b, [B, classes]).
func (c *Causal) ConditionalLogits(scope *model.Scope, z *Node) *Node {
	s := scope.At("causal")
	fromX := layers.DenseWithBias(s.At("from_x"), z, len(c.Classes)) // [B, classes]
	if !c.Adjust {
		return fromX
	}
	D, K := z.Shape().Dim(-1), len(c.Contexts)
	protos := s.At("dictionary").VariableWithShape("prototypes", shapes.Make(dtypes.Float32, K, D)).NodeValue(z.Graph()) // u_k
	fromC := layers.Dense(s.At("from_context"), protos, false, len(c.Classes))                                           // [K, classes]
	return Add(ExpandAxes(fromX, 1), ExpandAxes(fromC, 0))
}

// Predict returns class probabilities [B, classes]: P(Y | do(x)) =
// Σ_k P(c_k)·softmax(logits(x, c_k)) when adjusted, softmax(logits(x)) if not.
func (c *Causal) Predict(scope *model.Scope, z *Node) *Node {
	cond := c.ConditionalLogits(scope, z)
	if !c.Adjust {
		return Softmax(cond, -1)
	}
	prior := make([]float32, len(c.Prior))
	for k, p := range c.Prior {
		prior[k] = float32(p)
	}
	return Einsum("bkc,k->bc", Softmax(cond, -1), Const(z.Graph(), prior))
}

func index(names []string) map[string]int {
	m := make(map[string]int, len(names))
	for i, n := range names {
		m[n] = i
	}
	return m
}

// Head is the record the checkpoint keeps (tfm.Meta.Head).
func (c *Causal) Head() ([]byte, error) { return json.Marshal(c.CausalHead) }

// Classify predicts the label of each trajectory with a causal model:
// argmax P(Y | do(x)) with backdoor adjustment, argmax P(Y | x) for a plain
// one. Models of other paradigms have no classifier.
func Classify(m *tfm.Model, trajs []*traj.Trajectory) ([]string, error) {
	if m.Meta.Paradigm != "causal" || len(m.Meta.Head) == 0 {
		return nil, fmt.Errorf("Classify needs a causal model (this one is %q)", m.Meta.Paradigm)
	}
	var head CausalHead
	if err := json.Unmarshal(m.Meta.Head, &head); err != nil {
		return nil, fmt.Errorf("causal head: %w", err)
	}
	c := &Causal{M: m, Adjust: !head.Plain, CausalHead: head}
	exec := tfm.NewExec(m.Backend, m.Store, func(scope *model.Scope, in tfm.Nodes) *Node {
		return c.Predict(scope, m.Pooled(scope, in))
	})
	k := len(c.Classes)
	p, err := m.Apply(exec, trajs, k)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(trajs))
	for r := range out {
		best := 0
		for j := 1; j < k; j++ {
			if p[r*k+j] > p[r*k+best] {
				best = j
			}
		}
		out[r] = c.Classes[best]
	}
	return out, nil
}
