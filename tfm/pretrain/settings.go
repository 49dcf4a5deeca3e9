package pretrain

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	tfm "github.com/tfm-course/course/tfm/model"
)

// Validate checks the options' ranges (and the paradigm's name), so an
// out-of-range setting is an error naming the field, not a silently clamped
// value or a panic inside the training graph.
func (o Options) Validate() error {
	var errs []string
	check := func(field string, v float64, ok bool, want string) {
		if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
			errs = append(errs, fmt.Sprintf("Options.%s = %v: must be %s", field, v, want))
		}
	}
	if _, ok := Paradigms[o.Paradigm]; !ok {
		return fmt.Errorf("pretrain: unknown paradigm %q (want one of %v)", o.Paradigm, ParadigmNames)
	}
	check("Steps", float64(o.Steps), o.Steps > 0, "> 0")
	check("BatchSize", float64(o.BatchSize), o.BatchSize >= 2, "≥ 2")
	check("LearningRate", o.LearningRate, o.LearningRate > 0, "> 0")
	check("WeightDecay", o.WeightDecay, o.WeightDecay >= 0, "≥ 0")
	check("WarmupSteps", float64(o.WarmupSteps), o.WarmupSteps >= 0, "≥ 0")
	check("ClipNorm", o.ClipNorm, o.ClipNorm >= 0, "≥ 0 (0 = off)")
	check("CheckpointEvery", float64(o.CheckpointEvery), o.CheckpointEvery >= 0, "≥ 0")
	check("KeepCheckpoints", float64(o.KeepCheckpoints), o.KeepCheckpoints >= 0, "≥ 0")
	if o.Paradigm == "contrastive" || o.Paradigm == "hybrid" {
		c := o.Contrastive
		check("Contrastive.Temperature", c.Temperature, c.Temperature > 0, "> 0")
		check("Contrastive.ProjDim", float64(c.ProjDim), c.ProjDim > 0, "> 0")
		check("Contrastive.Queue", float64(c.Queue), c.Queue >= 0, "≥ 0 (0 = in-batch negatives)")
		check("Contrastive.Momentum", c.Momentum, c.Momentum >= 0 && c.Momentum < 1, "in [0, 1)")
	}
	if o.Paradigm == "generative" || o.Paradigm == "hybrid" {
		r := o.Generative.MaskRatio
		check("Generative.MaskRatio", r, r > 0 && r < 1, "in (0, 1)")
	}
	if o.Paradigm == "hybrid" {
		check("Hybrid.Lambda", o.Hybrid.Lambda, o.Hybrid.Lambda >= 0 && o.Hybrid.Lambda <= 1, "in [0, 1] (weights λ and 1−λ)")
		if o.Hybrid.Balancer == nil {
			if _, err := BalancerByName(o.Hybrid.Balance, o.Hybrid.Lambda); err != nil {
				errs = append(errs, fmt.Sprintf("Hybrid.Balance: %v", err))
			}
		}
	}
	if o.Paradigm == "align" {
		o.Align.validate(check)
		if len(ModalityNames(o.Modality)) < 2 {
			errs = append(errs, fmt.Sprintf("Options.Modality = %q: align pre-training aligns two or more modalities (gps+road+text)", o.Modality))
		}
	}
	if o.Replay != nil {
		check("Replay.Ratio", o.Replay.Ratio, o.Replay.Ratio >= 0 && o.Replay.Ratio < 1, "in [0, 1)")
		if len(o.Replay.Buffer) == 0 {
			errs = append(errs, "Options.Replay.Buffer is empty: replay needs old trajectories")
		}
	}
	if err := o.EarlyStop.validate(); err != nil {
		errs = append(errs, err.Error())
	}
	if err := o.Energy.Validate(); err != nil {
		errs = append(errs, err.Error())
	}
	if len(errs) > 0 {
		return fmt.Errorf("pretrain: %s", strings.Join(errs, "; "))
	}
	return nil
}

// Change is a setting a resumed run changed on purpose (Options.Change),
// from the checkpoint's value to the new one, at global step Step.
type Change struct {
	Setting string `json:"setting"`
	From    string `json:"from"`
	To      string `json:"to"`
	Step    int    `json:"step"`
}

// fixedSettings shape the model's variables or objective: a checkpoint
// cannot change them.
var fixedSettings = []string{"paradigm", "modality", "set", "queue", "proj-dim"}

// Settings is the record of every option that shapes a run, keyed by the
// `tfm pretrain` flag name, the value in flag syntax; data names the
// training data (Options.Data, or the data set's name) and trajectories
// counts the usable ones. The learning-rate horizon (Steps) is recorded
// as the schedule instead.
func (o Options) Settings(data string, trajectories int) map[string]string {
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	i := strconv.Itoa
	s := map[string]string{
		"paradigm": o.Paradigm, "modality": strings.Join(ModalityNames(o.Modality), ","), "set": o.SetString(),
		"seed": strconv.FormatInt(o.Seed, 10), "batch": i(o.BatchSize), "lr": f(o.LearningRate),
		"weight-decay": f(o.WeightDecay), "warmup": i(o.WarmupSteps), "clip": f(o.ClipNorm),
		"data": data, "trajectories": i(trajectories),
	}
	if o.GroupBalance != "" {
		s["group-balance"] = o.GroupBalance
	}
	if o.Paradigm == "contrastive" || o.Paradigm == "hybrid" {
		c := o.Contrastive
		s["temperature"], s["proj-dim"], s["augment"], s["queue"] = f(c.Temperature), i(c.ProjDim), c.Augment, i(c.Queue)
		if c.Queue > 0 {
			s["momentum"] = f(c.Momentum)
		}
	}
	if o.Paradigm == "generative" || o.Paradigm == "hybrid" {
		s["masking"], s["mask-ratio"] = o.Generative.Masking, f(o.Generative.MaskRatio)
	}
	if o.Paradigm == "hybrid" {
		s["balance"], s["lambda"] = o.Hybrid.BalanceName(), f(o.Hybrid.Lambda)
	}
	if o.Replay != nil {
		s["replay-ratio"] = f(o.Replay.Ratio)
	}
	for k, v := range o.MoreSettings {
		s[k] = v
	}
	if o.EarlyStop.On() { // it holds trajectories out of training
		s["early-stop"] = o.EarlyStop.String()
	}
	if o.Paradigm == "causal" {
		s["label"], s["confounder"], s["plain"] = o.Causal.Label, o.Causal.Confounder, strconv.FormatBool(o.Causal.Plain)
	}
	return s
}

// compareSettings checks a resumed run's settings against the checkpoint's
// record: a difference is an error naming both values unless the setting
// is in opt.Change (and may change), then it is returned as a Change.
func compareSettings(dir string, old, now map[string]string, allow []string, step int) ([]Change, error) {
	for _, a := range allow {
		if _, ok := now[a]; !ok {
			if _, ok := old[a]; !ok {
				keys := make([]string, 0, len(now))
				for k := range now {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				return nil, fmt.Errorf("Change: %q is not a setting of this run (settings: %s)", a, strings.Join(keys, ", "))
			}
		}
	}
	allowed := func(k string) bool {
		return slices.Contains(allow, k) || (k == "trajectories" && slices.Contains(allow, "data"))
	}
	keys := map[string]bool{}
	for k := range old {
		keys[k] = true
	}
	for k := range now {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	var changes []Change
	var conflicts, fixed []string
	for _, k := range sorted {
		o, n := old[k], now[k]
		if o == n {
			continue
		}
		show := func(v string) string {
			if v == "" {
				return "(unset)"
			}
			return v
		}
		line := fmt.Sprintf("%s: the checkpoint's run has %s, now %s", k, show(o), show(n))
		if k == "trajectories" {
			line += " (usable training trajectories: other data, or another --limit / Filter?)"
		}
		switch {
		case slices.Contains(fixedSettings, k):
			fixed = append(fixed, line)
		case allowed(k):
			changes = append(changes, Change{Setting: k, From: o, To: n, Step: step})
		default:
			conflicts = append(conflicts, line)
		}
	}
	if len(fixed) > 0 {
		return nil, fmt.Errorf("checkpoint %s: cannot change %s on resume (it shapes the model's variables or objective; use another checkpoint directory)", dir, strings.Join(fixed, "; "))
	}
	if len(conflicts) > 0 {
		return nil, fmt.Errorf("checkpoint %s was trained with other settings:\n  %s\nresume with the checkpoint's values, or change them on purpose with Change (tfm pretrain --change NAME,...)",
			dir, strings.Join(conflicts, "\n  "))
	}
	return changes, nil
}

// planSchedule picks the learning-rate phase the steps of this run follow:
// a fresh run's phase spans [0, Steps); a resumed run continues its last
// phase when Steps is that phase's end, or starts a new one at the
// checkpoint's step with Extend (or when the learning rate or warm-up was
// changed on purpose). fresh tells whether a new phase begins.
func planSchedule(dir string, rec []tfm.Phase, step int, opt Options, changes []Change) (p tfm.Phase, fresh bool, err error) {
	next := tfm.Phase{Start: step, End: opt.Steps, Warmup: opt.WarmupSteps, LR: opt.LearningRate, MinLR: opt.LearningRate / 10}
	if len(rec) == 0 {
		if step > 0 { // a checkpoint of an older version: its horizon was Steps
			next.Start = 0
		}
		return next, true, nil
	}
	// A phase begun mid-run warms up over at most a fifth of its steps, so
	// a short extension still reaches its decay.
	next.Warmup = min(next.Warmup, (next.End-next.Start)/5)
	cur := rec[len(rec)-1]
	if step > opt.Steps {
		return p, false, fmt.Errorf("checkpoint %s is at step %d, past Steps = %d", dir, step, opt.Steps)
	}
	if opt.Extend {
		if opt.Steps <= step {
			return p, false, fmt.Errorf("Extend (--extend): Steps = %d must be past the checkpoint's step %d", opt.Steps, step)
		}
		return next, true, nil
	}
	if opt.Steps != cur.End {
		return p, false, fmt.Errorf("checkpoint %s: its run is at step %d of a schedule that ends at step %d "+
			"(warm-up %d steps, cosine decay from %g to %g), not at Steps = %d; resume with Steps = %d to continue that schedule, "+
			"or set Extend (--extend) to train on to step %d under a new phase starting at step %d "+
			"(warm-up %d steps to %g, cosine decay to %g at step %d)",
			dir, step, cur.End, cur.Warmup, cur.LR, cur.MinLR, opt.Steps, cur.End, opt.Steps, step,
			next.Warmup, next.LR, next.MinLR, next.End)
	}
	for _, c := range changes {
		if (c.Setting == "lr" || c.Setting == "warmup") && step < opt.Steps {
			return next, true, nil // the rest of the phase under the new rate
		}
	}
	return cur, false, nil
}
