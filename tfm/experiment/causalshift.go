package experiment

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/tfm-course/course/datasets/synth"
	"github.com/tfm-course/course/tfm/diagnose"
	"github.com/tfm-course/course/tfm/encoder"
	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/pretrain"
	"github.com/tfm-course/course/tfm/tasks"
	"github.com/tfm-course/course/tfm/traj"
)

// CausalShiftOptions is the planted-bias setting of the causal-shift
// experiment: in training the label "motorised" equals the start-district
// group (residential or not) for a share P of trips, 15 % of training labels
// are flipped at random (so the shortcut beats the trajectory in training);
// the i.i.d. split is drawn like training, the shifted split flips the link
// (true label = group for a share 1-P). Both are scored against the true
// label.
var CausalShiftOptions = synth.SpuriousOptions{P: 0.9, TestFraction: 0.2, IIDFraction: 0.15, TestAgreement: 0.1, LabelNoise: 0.15}

// CausalDeconfound is the weight λ of the context-share term of the causal
// variant (pretrain.CausalConfig.Deconfound).
var CausalDeconfound = 2.0

// CausalShiftBase is the training setting every causal-shift variant
// shares: the causal paradigm on GPS, label synth.LabelKey, confounder the
// origin district type.
func CausalShiftBase(enc encoder.Config, steps int) pretrain.Options {
	base := pretrain.DefaultOptions()
	base.Encoder, base.Steps = enc, steps
	base.Paradigm, base.Modality = "causal", "gps"
	base.Causal.Label, base.Causal.Confounder = synth.LabelKey, "district_type_from"
	base.LearningRate = 2e-3
	return base
}

// CausalShiftVariants are the three classifiers of the causal-shift
// experiment: the plain one (learns P(Y|X), shortcut included), the
// inverse-propensity reweighting baseline, and the causal one (backdoor
// adjustment over the district-type dictionary + the deconfounding term).
func CausalShiftVariants(base pretrain.Options) []Variant {
	return []Variant{
		{"plain", with(base, func(o *pretrain.Options) { o.Causal.Plain = true })},
		{"reweight", with(base, func(o *pretrain.Options) { o.Causal.Plain, o.Causal.Reweight = true, true })},
		{"causal", with(base, func(o *pretrain.Options) { o.Causal.Deconfound = CausalDeconfound })},
	}
}

func init() {
	Experiments["causal-shift"] = Runner{
		Number:      4,
		Description: "plain vs inverse-propensity reweighting vs causal (backdoor-adjusted) classifiers on a planted-bias city: i.i.d. and shifted accuracy, context probe, bias by district",
		Tasks:       []string{"accuracy", "context_probe", "bias_shifted"},
		Variants:    func(base pretrain.Options, _ Config) []Variant { return CausalShiftVariants(base) },
		Custom:      runCausalShift,
	}
}

// runCausalShift trains each variant once per seed on the planted-bias
// train split of ts (a copy of its labels: ts is left as is) and measures:
//
//   - accuracy / iid, shifted: against the true label;
//   - context_probe / district_type: a linear probe of the origin district
//     type on the frozen embeddings of the test splits (and its majority
//     baseline, context_probe / majority);
//   - bias_shifted / TYPE: the share of shifted-split trips from district
//     type TYPE predicted motorised (the contextual-bias diagnostic).
func runCausalShift(ctx context.Context, name string, ts []*traj.Trajectory, cfg Config) (*Report, error) {
	rep := &Report{Name: name, Config: cfg, Headline: map[string]float64{}}
	base := CausalShiftBase(cfg.Encoder, cfg.PretrainSteps)
	for _, seed := range cfg.Seeds {
		ds, err := PlantedBias(ts, uint64(seed))
		if err != nil {
			return nil, err
		}
		splits := map[string][]*traj.Trajectory{}
		for _, t := range ds.Trajectories {
			splits[t.Labels[synth.SplitKey]] = append(splits[t.Labels[synth.SplitKey]], t)
		}
		for _, v := range CausalShiftVariants(base) {
			if err := ctx.Err(); err != nil {
				return rep, err
			}
			o := *v.Pretrain
			o.Seed = seed
			o.Filter = func(t *traj.Trajectory) bool { return t.Labels[synth.SplitKey] == "train" }
			cfg.logf("[%s] seed %d: training %s (%d steps, %d train trips)", name, seed, v.Name, o.Steps, len(splits["train"]))
			res, err := pretrain.Train(ctx, tasks.DefaultBackend(), ds, o)
			if err != nil {
				return rep, fmt.Errorf("%s: %w", v.Name, err)
			}
			add := func(task, metric string, x float64) {
				rep.Rows = append(rep.Rows, Row{name, v.Name, seed, task, tasks.Method(methodOf(v.Name)), metric, x})
			}
			accs := map[string]float64{}
			for _, split := range []string{"iid", "shifted"} {
				test := splits[map[string]string{"iid": "iid", "shifted": "test"}[split]]
				acc, rate, err := ClassifyReport(res.Model, test)
				if err != nil {
					return rep, err
				}
				add("accuracy", split, acc)
				accs[split] = acc
				if split == "shifted" {
					for _, typ := range slices.Sorted(maps.Keys(rate)) {
						add("bias_shifted", typ, rate[typ])
					}
				}
			}
			probeSet := append(slices.Clone(splits["iid"]), splits["test"]...)
			p, err := ContextProbe(res.Model, probeSet, uint64(seed))
			if err != nil {
				return rep, err
			}
			add("context_probe", "district_type", p.Accuracy)
			add("context_probe", "majority", p.Majority)
			cfg.logf("[%s] seed %d: %s: iid %.3f, shifted %.3f, context probe %.3f (majority %.3f)", name, seed, v.Name,
				accs["iid"], accs["shifted"], p.Accuracy, p.Majority)
		}
	}
	for _, v := range []string{"plain", "reweight", "causal"} {
		for _, split := range []string{"iid", "shifted"} {
			if s, ok := rep.Get(v, "accuracy", split); ok {
				rep.Headline[v+"_"+split] = s.Mean
			}
		}
		if s, ok := rep.Get(v, "context_probe", "district_type"); ok {
			rep.Headline[v+"_context_probe"] = s.Mean
		}
	}
	return rep, nil
}

// methodOf is the method column of the tables ("∣", not "|", which would
// split a Markdown cell).
func methodOf(variant string) string {
	switch variant {
	case "plain":
		return "P(y∣x)"
	case "reweight":
		return "P(y∣x), weights P(y)/P(y∣c)"
	}
	return "Σ_c P(y∣x,c)·P(c) + λ·η²"
}

// PlantedBias copies ts (labels cloned) and plants the causal-shift
// experiment's spurious split on the copy (CausalShiftOptions, seed).
func PlantedBias(ts []*traj.Trajectory, seed uint64) (*traj.Dataset, error) {
	ds := &traj.Dataset{Name: "planted-bias", Trajectories: make([]*traj.Trajectory, len(ts))}
	for i, t := range ts {
		c := *t
		c.Labels = maps.Clone(t.Labels)
		ds.Trajectories[i] = &c
	}
	opt := CausalShiftOptions
	opt.Seed = seed
	if _, err := synth.PlantSpurious(ds, opt); err != nil {
		return nil, err
	}
	return ds, nil
}

// ClassifyReport classifies test with a causal-paradigm model and returns
// its accuracy against the true label (synth.TrueLabelKey) and, by origin
// district type, the share predicted motorised.
func ClassifyReport(m *tfm.Model, test []*traj.Trajectory) (float64, map[string]float64, error) {
	if len(test) == 0 {
		return 0, nil, fmt.Errorf("nothing to classify")
	}
	pred, err := pretrain.Classify(m, test)
	if err != nil {
		return 0, nil, err
	}
	var acc float64
	pos, n := map[string]float64{}, map[string]float64{}
	for i, t := range test {
		if pred[i] == t.Labels[synth.TrueLabelKey] {
			acc++
		}
		typ := t.Labels["district_type_from"]
		n[typ]++
		if pred[i] == "1" {
			pos[typ]++
		}
	}
	for typ := range n {
		pos[typ] /= n[typ]
	}
	return acc / float64(len(test)), pos, nil
}

// ContextProbe is the context probe: how well a linear probe decodes the
// origin district type from the model's frozen embeddings of trajs.
func ContextProbe(m *tfm.Model, trajs []*traj.Trajectory, seed uint64) (diagnose.Probe, error) {
	emb, err := m.Embed(trajs)
	if err != nil {
		return diagnose.Probe{}, err
	}
	rows := make([][]float32, emb.Rows)
	ctxs := make([]string, emb.Rows)
	for i := range rows {
		rows[i] = emb.Data[i*emb.Cols : (i+1)*emb.Cols]
		ctxs[i] = trajs[i].Labels["district_type_from"]
	}
	return diagnose.ContextualBias(rows, ctxs, seed)
}
