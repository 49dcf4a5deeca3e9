package continual

import (
	"fmt"

	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/pretrain"
	"github.com/tfm-course/course/tfm/tasks"
	"github.com/tfm-course/course/tfm/traj"
)

// Deployment is what was built on the old encoder for the old city and is
// kept when the encoder is updated: the travel-time probe and the
// mode-classifier probe (trained on the old encoder's embeddings of the
// old city's training split) and the similarity search's database index
// (the old encoder's embeddings of the candidates). Scoring a continued
// encoder through it measures the forgetting a deployed system sees:
// heads and index stay, only the encoder changes (backward compatibility,
// Shen et al. 2020). Re-probing (tasks.Evaluate on the continued encoder)
// measures the representation alone; the chapter reports both.
type Deployment struct {
	opt tasks.Options

	tteTest []*traj.Trajectory // route inputs of the test trips
	tteTrue []float64
	tte     *tasks.Probe

	classTest []*traj.Trajectory
	classTrue []int
	classes   []string
	classify  *tasks.Probe

	sim *tasks.SelfSimilarity
	db  tasks.Matrix // the old encoder's index of sim.Database
}

// Deployed scores are keyed "tte/mae", "classify/accuracy" and
// "similarity/mean_rank".
const (
	DeployedTTE        = "tte/mae"
	DeployedClassify   = "classify/accuracy"
	DeployedSimilarity = "similarity/mean_rank"
)

// Deploy builds the deployment of m on the city ts with the evaluation
// protocol of opt (tasks.Evaluate's split, probe settings, label, queries
// and perturbation; opt.Seed seeds the split), so Score(m) equals what
// tasks.Evaluate reports for m on the same options.
func Deploy(m *tfm.Model, ts []*traj.Trajectory, opt tasks.Options) (*Deployment, error) {
	d := &Deployment{opt: opt}
	trainAll, test, err := tasks.Split(ts, opt.TestFrac, uint64(opt.Seed))
	if err != nil {
		return nil, err
	}
	probe := opt.Probe
	probe.Seed = opt.Seed

	// Travel time: a regression probe on the route inputs.
	tr, te := tasks.ValidTTE(trainAll), tasks.ValidTTE(test)
	rtr, err := tasks.RouteInputs(tr, opt.Route)
	if err != nil {
		return nil, err
	}
	if d.tteTest, err = tasks.RouteInputs(te, opt.Route); err != nil {
		return nil, err
	}
	x, err := m.Embed(rtr)
	if err != nil {
		return nil, err
	}
	if d.tte, err = tasks.TrainRegressionProbe(x, tasks.TravelTimes(tr), probe); err != nil {
		return nil, fmt.Errorf("continual: deploying the TTE probe: %w", err)
	}
	d.tteTrue = tasks.TravelTimes(te)

	// Classification: a probe on the label (mode).
	ctr, classes, ytr := tasks.Labelled(trainAll, opt.Label)
	if len(classes) < 2 {
		return nil, fmt.Errorf("continual: label %q has %d classes in the training split, need 2", opt.Label, len(classes))
	}
	cte, _, _ := tasks.Labelled(test, opt.Label)
	for i, c := range tasks.ClassIndices(cte, opt.Label, classes) {
		if c >= 0 {
			d.classTest, d.classTrue = append(d.classTest, cte[i]), append(d.classTrue, c)
		}
	}
	d.classes = classes
	if x, err = m.Embed(ctr); err != nil {
		return nil, err
	}
	if d.classify, err = tasks.TrainClassifierProbe(x, ytr, len(classes), probe); err != nil {
		return nil, fmt.Errorf("continual: deploying the classifier: %w", err)
	}

	// Similarity: the candidates indexed once, by the old encoder.
	queries, distractors := tasks.SplitQueries(test, opt.Queries, uint64(opt.Seed))
	if d.sim, err = tasks.NewSelfSimilarityPerturbed(queries, append(distractors, trainAll...), opt.MinPoints, opt.Perturbation); err != nil {
		return nil, err
	}
	if d.db, err = m.Embed(d.sim.Database); err != nil {
		return nil, err
	}
	return d, nil
}

// Score runs the deployed heads and index on m's embeddings: m is the
// continued encoder (the deployment's own encoder gives the re-probed
// scores of tasks.Evaluate).
func (d *Deployment) Score(m *tfm.Model) (map[string]float64, error) {
	out := map[string]float64{}
	x, err := m.Embed(d.tteTest)
	if err != nil {
		return nil, err
	}
	pred, err := d.tte.PredictRegression(x)
	if err != nil {
		return nil, err
	}
	out[DeployedTTE] = tasks.MAE(pred, d.tteTrue)

	if x, err = m.Embed(d.classTest); err != nil {
		return nil, err
	}
	classes, err := d.classify.PredictClasses(x)
	if err != nil {
		return nil, err
	}
	c, err := tasks.Classification(d.classes, d.classTrue, classes)
	if err != nil {
		return nil, err
	}
	out[DeployedClassify] = c.Accuracy

	q, err := m.Embed(d.sim.Queries) // new queries against the old index
	if err != nil {
		return nil, err
	}
	r, err := d.sim.EvaluateEmbeddings(q, d.db, tasks.L2)
	if err != nil {
		return nil, err
	}
	out[DeployedSimilarity] = r.MeanRank
	return out, nil
}

// Watch is a pretrain.Options.OnStep hook that scores m, the model being
// trained in place (Plan.Model), through the deployment every `every`
// steps and at the last step (steps: the run's Options.Steps), and hands
// the scores to seen: forgetting as it happens, for a live chart. Each
// score embeds with a copy of the weights of that step (Model.Clone), so
// the training graph is left alone; a failed score ends in seen's err.
func (d *Deployment) Watch(m *tfm.Model, every, steps int, seen func(step int, scores map[string]float64, err error)) func(pretrain.StepMetrics) {
	return func(sm pretrain.StepMetrics) {
		if sm.Step%every != 0 && sm.Step != steps {
			return
		}
		c, err := m.Clone(m.Meta.Seed)
		if err != nil {
			seen(sm.Step, nil, err)
			return
		}
		scores, err := d.Score(c)
		seen(sm.Step, scores, err)
	}
}
