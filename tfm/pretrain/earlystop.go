package pretrain

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"

	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/traj"
)

// EarlyStop is green training: hold out ValFrac of the training
// trajectories (seeded), every Every steps compute the objective's
// validation loss on a fixed set of batches of them (fixed views and
// masks, no update), and stop when it has not improved for Patience
// evaluations. The run keeps its last weights (not the best ones) and
// reports the best step and its loss (Result.BestStep, ValLoss). A resumed
// run starts its patience afresh. Every = 0 is off.
type EarlyStop struct {
	Every    int     // steps between validations (0: off)
	Patience int     // evaluations without improvement before stopping (≥ 1)
	ValFrac  float64 // share of the training trajectories held out, in (0, 1)
}

// MaxValBatches caps the validation set at this many batches of BatchSize.
const MaxValBatches = 8

// On reports whether early stopping is enabled.
func (e EarlyStop) On() bool { return e.Every > 0 }

// String is the spec ParseEarlyStop reads ("" when off).
func (e EarlyStop) String() string {
	if !e.On() {
		return ""
	}
	return fmt.Sprintf("every=%d,patience=%d,val=%s", e.Every, e.Patience, strconv.FormatFloat(e.ValFrac, 'g', -1, 64))
}

// ParseEarlyStop reads "every=50,patience=3,val=0.1" (missing keys:
// patience 3, val 0.1; "" or "off": off).
func ParseEarlyStop(spec string) (EarlyStop, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" || spec == "off" {
		return EarlyStop{}, nil
	}
	e := EarlyStop{Patience: 3, ValFrac: 0.1}
	for _, kv := range strings.Split(spec, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok {
			return e, fmt.Errorf("early stopping %q: want key=value (every, patience, val)", kv)
		}
		var err error
		switch k {
		case "every":
			e.Every, err = strconv.Atoi(v)
		case "patience":
			e.Patience, err = strconv.Atoi(v)
		case "val":
			e.ValFrac, err = strconv.ParseFloat(v, 64)
		default:
			return e, fmt.Errorf("early stopping: unknown key %q (want every, patience, val)", k)
		}
		if err != nil {
			return e, fmt.Errorf("early stopping %s=%q: not a number", k, v)
		}
	}
	if e.Every < 1 {
		return e, fmt.Errorf("early stopping needs every ≥ 1, got %d", e.Every)
	}
	return e, e.validate()
}

func (e EarlyStop) validate() error {
	if !e.On() {
		if e.Every < 0 {
			return fmt.Errorf("Options.EarlyStop.Every = %d: must be ≥ 0 (0 = off)", e.Every)
		}
		return nil
	}
	if e.Patience < 1 {
		return fmt.Errorf("Options.EarlyStop.Patience = %d: must be ≥ 1", e.Patience)
	}
	if !(e.ValFrac > 0 && e.ValFrac < 1) {
		return fmt.Errorf("Options.EarlyStop.ValFrac = %v: must be in (0, 1)", e.ValFrac)
	}
	return nil
}

// A Validator computes a validation loss on a step's inputs without
// changing any state (no queue, balancer or momentum update).
type Validator interface {
	ValidationLoss(scope *model.Scope, in tfm.Nodes) *Node
}

// ValidationLoss is NT-Xent between the two views (in-batch negatives,
// also with MoCo: its queue is left alone).
func (c *Contrastive) ValidationLoss(scope *model.Scope, in tfm.Nodes) *Node {
	loss, _ := c.loss(scope, c.M.Pooled(scope, in))
	return loss
}

// ValidationLoss is the reconstruction loss.
func (g *Generative) ValidationLoss(scope *model.Scope, in tfm.Nodes) *Node {
	loss, _ := g.Loss(scope, in)
	return loss
}

// ValidationLoss is L_gen + L_con, unweighted (a balancer's weights move
// during training; the validation metric must not).
func (h *Hybrid) ValidationLoss(scope *model.Scope, in tfm.Nodes) *Node {
	b := h.Gen.branch
	rows := branchRows(in, b)
	con, _ := h.Con.loss(scope, b.Encode(scope, sliceRows(in, b, 0, 2*rows/3)).Pooled)
	gen, _ := h.Gen.loss(scope, b.Encode(scope, sliceRows(in, b, 2*rows/3, rows)).Hidden, in["target"], in["positions"], in["weights"])
	return Add(gen, con)
}

// ValidationLoss is the causal objective's loss.
func (c *Causal) ValidationLoss(scope *model.Scope, in tfm.Nodes) *Node {
	loss, _ := c.Loss(scope, in)
	return loss
}

// holdOut splits ValFrac of trajs off (seeded, its own random stream) and
// makes the fixed validation feeds from them: full batches of
// min(BatchSize, held out), at most MaxValBatches.
func holdOut(obj Objective, trajs []*traj.Trajectory, opt Options) (train []*traj.Trajectory, val []tfm.Feed, err error) {
	if _, ok := obj.(Validator); !ok {
		return nil, nil, fmt.Errorf("pretrain: early stopping needs a validation loss; the %s objective has none (implement Validator)", obj.Name())
	}
	rng := rand.New(rand.NewPCG(uint64(opt.Seed), 0xea51))
	perm := rng.Perm(len(trajs))
	n := int(math.Round(opt.EarlyStop.ValFrac * float64(len(trajs))))
	if n < 2 || len(trajs)-n < 2 {
		return nil, nil, fmt.Errorf("pretrain: early stopping holds out %d of %d trajectories (val=%g): need at least 2 on each side",
			n, len(trajs), opt.EarlyStop.ValFrac)
	}
	held := make([]*traj.Trajectory, n)
	for i, p := range perm[:n] {
		held[i] = trajs[p]
	}
	for _, p := range perm[n:] {
		train = append(train, trajs[p])
	}
	bs := min(opt.BatchSize, n)
	for lo := 0; lo+bs <= n && len(val) < MaxValBatches; lo += bs {
		f, err := obj.Inputs(rng, held[lo:lo+bs])
		if err != nil {
			return nil, nil, fmt.Errorf("pretrain: validation batch %d: %w", len(val), err)
		}
		val = append(val, f)
	}
	return train, val, nil
}

// validation is the early-stopping state of a run.
type validation struct {
	feeds    []tfm.Feed
	exec     *tfm.Exec
	best     float64
	bestStep int
	since    int // evaluations since the best
}

// loss is the mean validation loss over the fixed batches.
func (v *validation) loss() (float64, error) {
	sum := 0.0
	for _, f := range v.feeds {
		t, err := v.exec.Call(f)
		if err != nil {
			return 0, err
		}
		sum += scalar(t)
	}
	return sum / float64(len(v.feeds)), nil
}

// newValidation compiles the validation loss of obj over m's store.
func newValidation(m *tfm.Model, obj Objective, feeds []tfm.Feed) *validation {
	val := obj.(Validator)
	exec := tfm.NewExec(m.Backend, m.Store, func(scope *model.Scope, in tfm.Nodes) *Node {
		return val.ValidationLoss(scope, in)
	})
	return &validation{feeds: feeds, exec: exec, best: math.Inf(1)}
}
