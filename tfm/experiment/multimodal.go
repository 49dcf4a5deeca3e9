package experiment

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/tfm-course/course/datasets"
	"github.com/tfm-course/course/tfm/diagnose"
	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/pretrain"
	"github.com/tfm-course/course/tfm/tasks"
	"github.com/tfm-course/course/tfm/traj"
)

// The multimodal experiment's tasks (Report rows), besides the four
// downstream tasks (tte, similarity, classify, recover: the GPS model, the
// fused model, the fused model reading its GPS view alone, scratch and the
// classical baseline, every one fine-tuned as in pretrain-vs-scratch):
//
//	crossmodal     retrieval among the held-out trips, one variant per
//	               direction ("text → gps"), after and before alignment:
//	               recall_at_1, recall_at_10, mean_rank, chance_at_10, candidates
//	misalignment   the planted desync (diagnose.DetectMisalignment): auc,
//	               mean_intact, mean_desynced
//	ablation       the fused model reading a subset of its views (the others
//	               missing), frozen probes: tte_mae, classify_accuracy,
//	               similarity_mean_rank
//	gradients      each branch's gradient norm ‖∂L/∂p‖ over the last tenth of
//	               alignment pre-training: grad_gps, grad_road, grad_text
const (
	TaskCrossModal   = "crossmodal"
	TaskMisalignment = "misalignment"
	TaskAblation     = "ablation"
	TaskGradients    = "gradients"
)

// The multimodal experiment's model: the three views, gated fusion.
const (
	MultimodalModalities = "gps+road+text"
	MultimodalFusion     = tfm.FuseGated
	// MultimodalPairs are the aligned pairs: every pair of the three views
	// (text and road align directly through the streets a sentence names).
	MultimodalPairs = "gps-road,gps-text,road-text"
	// MultimodalBatch is the batch of both pre-trainings (alignment's
	// in-batch negatives: 63 per query).
	MultimodalBatch = 64
	// MultimodalData is the full-size data when the configuration's is the
	// default city: 3,000 trips, so that 600 held-out trips are ranked.
	MultimodalData = "synthetic:seed=1,trajectories=3000"
	// MultimodalSteps are both pre-trainings' steps at full size: alignment
	// needs more than the other experiments' 300 (text → GPS retrieval
	// among the held-out trips was below 0.5 recall@10 at 300).
	MultimodalSteps = 600
	// DesyncShare is the share of pairs the misalignment diagnostic desyncs.
	DesyncShare = diagnose.DefaultDesyncShare
)

// Variant names of the multimodal experiment.
const (
	MMSingle  = "gps contrastive"
	MMFused   = "align gps+road+text (gated)"
	MMGPSOnly = "align, GPS view only"
)

// CrossModalDirections are the retrieval directions reported.
var CrossModalDirections = [][2]string{{"gps", "road"}, {"road", "gps"}, {"text", "gps"}, {"gps", "text"}}

// ablationSubsets are the views the fused model reads in the ablation.
var ablationSubsets = []struct {
	name  string
	views []string
}{
	{"all views", []string{"gps", "road", "text"}},
	{"without road", []string{"gps", "text"}},
	{"without text", []string{"gps", "road"}},
	{"GPS only", []string{"gps"}},
}

func init() {
	Experiments["multimodal"] = Runner{
		Number: 8,
		Description: "multi-modal pre-training: GPS, road and text aligned (CLIP-style) and fused (gated) vs GPS-only contrastive " +
			"at equal steps and batch, on the four tasks; cross-modal retrieval; the planted misalignment; views dropped at inference",
		Tasks:     []string{"tte", "similarity", "classify", "recover", TaskCrossModal, TaskMisalignment, TaskAblation, TaskGradients},
		Custom:    runMultimodal,
		FineTunes: true,
		Steps:     MultimodalSteps,
	}
}

// CrossModalName names a retrieval direction's variant ("text → gps").
func CrossModalName(from, to string, aligned bool) string {
	s := from + " → " + to
	if !aligned {
		s += ", before alignment"
	}
	return s
}

func runMultimodal(ctx context.Context, name string, ts []*traj.Trajectory, cfg Config) (*Report, error) {
	rep := &Report{Name: name, Config: cfg, Headline: map[string]float64{}, Confusions: map[string]*tasks.ConfusionMatrix{}}
	mapOf := cfg.Map
	if !cfg.Quick && (cfg.Data == "" || cfg.Data == "synthetic") {
		d, err := datasets.Load(MultimodalData)
		if err != nil {
			return nil, err
		}
		ts, mapOf = d.Trajectories, d.Map
		cfg.logf("[%s] the default city with more trips: %s", name, MultimodalData)
	}
	if mapOf == nil {
		return nil, fmt.Errorf("multimodal: the road and text views need a map (the synthetic city has one; real GPS has neither roads nor POIs here)")
	}
	rep.Variants = []VariantInfo{{Name: MMSingle, Paradigm: "contrastive"}, {Name: MMFused, Paradigm: "align"},
		{Name: MMGPSOnly, Paradigm: "align"}, {Name: "scratch"}}
	eval := cfg.Eval
	eval.Mode = "" // TTE on every mode
	for _, seed := range cfg.Seeds {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		train, test, err := tasks.Split(ts, eval.TestFrac, uint64(seed))
		if err != nil {
			return nil, err
		}
		add := func(variant, task string, method tasks.Method, metric string, x float64) {
			rep.Rows = append(rep.Rows, Row{name, variant, seed, task, method, metric, x})
		}
		base := pretrain.DefaultOptions()
		base.Encoder, base.Steps, base.Seed, base.Map, base.BatchSize = cfg.Encoder, cfg.PretrainSteps, seed, mapOf, MultimodalBatch
		pre := func(variant string, o pretrain.Options) (*pretrain.Result, error) {
			cfg.logf("[%s] seed %d: pre-training %s (%d steps, batch %d)", name, seed, variant, o.Steps, o.BatchSize)
			t0 := time.Now()
			res, err := pretrain.Train(ctx, tasks.DefaultBackend(), &traj.Dataset{Name: "train", Trajectories: train}, o)
			if err != nil {
				return nil, fmt.Errorf("pre-training %s: %w", variant, err)
			}
			add(variant, TaskSeconds, "", "pretrain", time.Since(t0).Seconds())
			add(variant, "pretrain", "", "final_loss", res.LastLoss)
			cfg.logf("[%s] seed %d: pre-trained %s: %.1f steps/s, loss %.3f → %.3f", name, seed, variant, res.StepsPerSecond, res.FirstLoss, res.LastLoss)
			return res, nil
		}
		single := base
		single.Paradigm, single.Modality, single.Contrastive.Augment = "contrastive", "gps", "crop,jitter"
		sres, err := pre(MMSingle, single)
		if err != nil {
			return rep, err
		}
		fused := base
		fused.Paradigm, fused.Modality, fused.Fusion = "align", strings.ReplaceAll(MultimodalModalities, "+", ","), MultimodalFusion
		fused.Align.Pairs = MultimodalPairs
		fres, err := pre(MMFused, fused)
		if err != nil {
			return rep, err
		}
		aligned := fres.Model
		for k, v := range lastTerms(fres.History, "grad_") {
			add(MMFused, TaskGradients, "", k, v)
		}

		// Cross-modal retrieval among the held-out trips, after and before alignment.
		for _, m := range []*tfm.Model{aligned, aligned.Fresh(seed)} {
			for _, d := range CrossModalDirections {
				r, err := tasks.CrossModalRetrieval(m, test, d[0], d[1])
				if err != nil {
					return rep, err
				}
				v := CrossModalName(d[0], d[1], m == aligned)
				for _, k := range []string{"recall_at_1", "recall_at_10", "mean_rank", "chance_at_10", "candidates"} {
					add(v, TaskCrossModal, "align", k, r.Metrics()[k])
				}
				cfg.logf("[%s] seed %d: %s: recall@10 %.3f (chance %.3f) over %d", name, seed, v, r.RecallAt10, r.ChanceAt10, r.Candidates)
			}
		}
		// The planted misalignment.
		for _, c := range []struct{ a, b, kind, what string }{
			{"gps", "text", diagnose.DesyncSwap, "gps–text, texts swapped"},
			{"gps", "road", diagnose.DesyncShift, "gps–road, road view shifted in time"},
		} {
			trips := tasks.WithViews(aligned, test, c.a, c.b)
			mis, err := diagnose.DetectMisalignment(aligned, trips, c.a, c.b, c.kind, DesyncShare, uint64(seed))
			if err != nil {
				return rep, err
			}
			v := fmt.Sprintf("%s (%.0f %%)", c.what, 100*DesyncShare)
			add(v, TaskMisalignment, "align", "auc", mis.AUC)
			add(v, TaskMisalignment, "align", "mean_intact", mis.MeanIntact)
			add(v, TaskMisalignment, "align", "mean_desynced", mis.MeanDesynced)
			cfg.logf("[%s] seed %d: misalignment %s: AUC %.3f", name, seed, v, mis.AUC)
		}

		// The four tasks, every model fine-tuned with the same budget.
		gpsOnly, err := aligned.Only("gps")
		if err != nil {
			return rep, err
		}
		models := []struct {
			name string
			m    *tfm.Model
		}{{MMSingle, sres.Model}, {MMFused, aligned}, {MMGPSOnly, gpsOnly}, {"scratch", nil}}
		for _, task := range []string{"tte", "similarity", "classify", "recover"} {
			for i, v := range models {
				if err := ctx.Err(); err != nil {
					return rep, err
				}
				if task == "recover" && v.name == MMGPSOnly {
					continue // recovery reads the GPS branch's steps: the fused model's row already is this one
				}
				opt := eval
				opt.Task, opt.Seed, opt.Encoder, opt.Finetune = task, seed, cfg.Encoder, true
				opt.Perturbation.Seed = uint64(seed)
				t0 := time.Now()
				r, err := tasks.Evaluate(v.m, ts, opt)
				if err != nil {
					return rep, fmt.Errorf("%s with %s: %w", task, v.name, err)
				}
				add(v.name, TaskSeconds, "", task, time.Since(t0).Seconds())
				var line []string
				for _, k := range r.MetricNames() {
					add(v.name, task, r.Method, k, r.Metrics[k])
					line = append(line, fmt.Sprintf("%s %s", k, fmtNum(r.Metrics[k])))
				}
				cfg.logf("[%s] seed %d: %s with %s: %s (%s)", name, seed, task, v.name, strings.Join(line, ", "), time.Since(t0).Round(100*time.Millisecond))
				if i == 0 {
					for k, b := range r.Baseline {
						add(baselineName(task), task, tasks.MethodBaseline, k, b)
					}
				}
				if r.Confusion != nil && rep.Confusions[v.name] == nil {
					rep.Confusions[v.name] = r.Confusion
				}
			}
		}

		// Views dropped at inference: frozen probes on the fused model reading a subset.
		for _, s := range ablationSubsets {
			m, err := aligned.Only(s.views...)
			if err != nil {
				return rep, err
			}
			for _, t := range []struct{ task, metric string }{{"tte", "mae"}, {"classify", "accuracy"}, {"similarity", "mean_rank"}} {
				opt := eval
				opt.Task, opt.Seed, opt.Encoder, opt.Finetune = t.task, seed, cfg.Encoder, false
				opt.Perturbation.Seed = uint64(seed)
				r, err := tasks.Evaluate(m, ts, opt)
				if err != nil {
					return rep, fmt.Errorf("ablation %s, %s: %w", s.name, t.task, err)
				}
				add(s.name, TaskAblation, r.Method, t.task+"_"+t.metric, r.Metrics[t.metric])
			}
			cfg.logf("[%s] seed %d: ablation %s done", name, seed, s.name)
		}
	}
	for _, d := range [][2]string{{"gps", "road"}, {"text", "gps"}} {
		if s, ok := rep.Get(CrossModalName(d[0], d[1], true), TaskCrossModal, "recall_at_10"); ok {
			rep.Headline[d[0]+"_to_"+d[1]+"_recall_at_10"] = s.Mean
		}
	}
	return rep, nil
}

// lastTerms is the mean of each term with the prefix over the last tenth
// of the steps (at least one).
func lastTerms(h []pretrain.StepMetrics, prefix string) map[string]float64 {
	out := map[string]float64{}
	if len(h) == 0 {
		return out
	}
	from := len(h) - max(1, len(h)/10)
	for _, s := range h[from:] {
		for k, v := range s.Terms {
			if strings.HasPrefix(k, prefix) && !math.IsNaN(v) {
				out[k] += v / float64(len(h)-from)
			}
		}
	}
	return out
}
