package explore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/gomlx/compute"

	_ "github.com/tfm-course/course/tfm/modality/all" // pretrain fits the modality by name
	"github.com/tfm-course/course/tfm/pretrain"
	"github.com/tfm-course/course/tfm/tasks"
	"github.com/tfm-course/course/tfm/traj"
)

// Config is what every run of an explorer shares: the small model, its
// short training and the two cheap evaluations. DefaultConfig trains in
// seconds on two CPU cores.
type Config struct {
	Modality  string // the modality of the hybrid model (gps: coordinates, recovery in metres)
	Encoder   string // encoder settings, as `tfm pretrain --set` ("layers=1;dim=32;…")
	Steps     int    // pre-training steps of one run
	BatchSize int
	Trips     int   // trajectories used (the data set's first Trips; 0 = all)
	Seed      int64 // pre-training, split and probe seed (a Setting's Seed overrides it)
	// Local is the local task: "recover" (recovery error of dropped
	// points, metres, lower is better).
	Local string
	// Global is the global task: "classify" (transport-mode accuracy of a
	// probe on the frozen embeddings, higher is better) or "similarity"
	// (mean rank of a trip's other half among the others, lower is better).
	Global     string
	ProbeSteps int // training steps of the recovery head and the classification probe
	// Map is the data set's map (datasets.Data.Map), needed by the road and
	// text modalities only.
	Map any
}

// DefaultConfig: a one-layer, 32-wide encoder pre-trained for 60 steps on
// 500 trips, recovery (local) against self-similarity (global): 2–5 s a
// run on two cores.
func DefaultConfig() Config {
	return Config{
		Modality: "gps", Encoder: "layers=1;dim=32;heads=2;ffn=64;maxlen=32",
		Steps: 60, BatchSize: 16, Trips: 500, Seed: 1,
		Local: "recover", Global: "similarity", ProbeSteps: 100,
	}
}

// Locals and Globals list the tasks a Config may name.
var (
	Locals  = []string{"recover"}
	Globals = []string{"classify", "similarity"}
)

// Validate names the first bad field.
func (c Config) Validate() error {
	switch {
	case c.Modality == "":
		return errors.New("explore: Config.Modality is empty (want a modality such as gps)")
	case c.Steps < 1:
		return fmt.Errorf("explore: Config.Steps = %d, want ≥ 1", c.Steps)
	case c.BatchSize < 2:
		return fmt.Errorf("explore: Config.BatchSize = %d, want ≥ 2 (contrastive negatives come from the batch)", c.BatchSize)
	case c.Trips < 0:
		return fmt.Errorf("explore: Config.Trips = %d, want ≥ 0 (0: all)", c.Trips)
	case c.ProbeSteps < 1:
		return fmt.Errorf("explore: Config.ProbeSteps = %d, want ≥ 1", c.ProbeSteps)
	case !slices.Contains(Locals, c.Local):
		return fmt.Errorf("explore: Config.Local = %q, want one of %v", c.Local, Locals)
	case !slices.Contains(Globals, c.Global):
		return fmt.Errorf("explore: Config.Global = %q, want one of %v", c.Global, Globals)
	}
	return nil
}

// Setting is what one press of "run" chooses: the balancer and, for the
// fixed one, λ.
type Setting struct {
	// Balance is a balancer spec: NAME or NAME:key=value,… with NAME one of
	// pretrain.Balancers ("" is fixed).
	Balance string
	// Lambda is the generative weight λ of the fixed balancer, in [0, 1]:
	// L = λ·L_gen + (1−λ)·L_con.
	Lambda float64
	Seed   int64 // 0: the Config's seed
	// Balancer, when set, is used instead of Balance: a balancer of one's
	// own (pretrain.HybridConfig.Balancer), named by its Name().
	Balancer pretrain.Balancer
}

// balancer is the setting's balancer name ("fixed" when empty).
func (s Setting) balancer() string {
	if s.Balancer != nil {
		return s.Balancer.Name()
	}
	name, _, _ := strings.Cut(s.Balance, ":")
	if name = strings.TrimSpace(name); name == "" {
		return "fixed"
	}
	return name
}

// Label names the setting on the figure: "fixed λ=0.3", the balancer's
// spec, or a custom balancer's name.
func (s Setting) Label() string {
	if s.Balancer != nil {
		return s.Balancer.Name()
	}
	if s.balancer() == "fixed" && !strings.Contains(s.Balance, "lambda=") {
		return fmt.Sprintf("fixed λ=%s", trimFloat(s.Lambda))
	}
	return s.Balance
}

func trimFloat(v float64) string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", v), "0"), ".")
}

// Point is one finished run: its setting, the two task scores and what the
// balancer did.
type Point struct {
	Setting Setting
	Label   string  // Setting.Label()
	Local   float64 // the local task's score (recovery error, m)
	Global  float64 // the global task's score (accuracy, or mean rank)
	// GenShare is the generative share of the weights at the last step,
	// w_gen/(w_gen+w_con).
	GenShare float64
	Terms    map[string]float64 // the last step's logged terms
	Seconds  float64            // wall time of training and evaluation
}

// Progress receives a run's phase ("training", "evaluating") and, while
// training, the step reached.
type Progress func(phase string, step, steps int)

// Run trains the small hybrid model of cfg with setting s on ds and scores
// it on the local and the global task. The same inputs give the same Point
// (batches, initialisation, split and probes are seeded).
func Run(ctx context.Context, be compute.Backend, ds *traj.Dataset, cfg Config, s Setting, progress Progress) (Point, error) {
	start := time.Now()
	if err := cfg.Validate(); err != nil {
		return Point{}, err
	}
	if s.Lambda < 0 || s.Lambda > 1 || math.IsNaN(s.Lambda) {
		return Point{}, fmt.Errorf("explore: Setting.Lambda = %v, want a value in [0, 1]", s.Lambda)
	}
	if ds == nil || len(ds.Trajectories) == 0 {
		return Point{}, errors.New("explore: no trajectories")
	}
	if s.Balancer == nil {
		if _, err := pretrain.BalancerByName(s.Balance, s.Lambda); err != nil {
			return Point{}, fmt.Errorf("explore: Setting.Balance = %q: %w", s.Balance, err)
		}
	}
	seed := cfg.Seed
	if s.Seed != 0 {
		seed = s.Seed
	}
	trips := ds.Trajectories
	if cfg.Trips > 0 && len(trips) > cfg.Trips {
		trips = trips[:cfg.Trips]
	}
	train, test, err := tasks.Split(trips, 0.25, uint64(seed))
	if err != nil {
		return Point{}, err
	}
	opt := pretrain.DefaultOptions()
	opt.Paradigm, opt.Modality, opt.Map = "hybrid", cfg.Modality, cfg.Map
	if err := opt.Encoder.Set(cfg.Encoder); err != nil {
		return Point{}, fmt.Errorf("explore: Config.Encoder: %w", err)
	}
	opt.Steps, opt.BatchSize, opt.Seed = cfg.Steps, cfg.BatchSize, seed
	opt.WarmupSteps = max(1, min(opt.WarmupSteps, cfg.Steps/5))
	opt.CheckpointEvery = 0
	opt.Hybrid.Balance, opt.Hybrid.Lambda, opt.Hybrid.Balancer = s.Balance, s.Lambda, s.Balancer
	if opt.Hybrid.Balance == "" {
		opt.Hybrid.Balance = "fixed"
	}
	if progress != nil {
		progress("training", 0, cfg.Steps)
		opt.OnStep = func(sm pretrain.StepMetrics) { progress("training", sm.Step, cfg.Steps) }
	}
	res, err := pretrain.Train(ctx, be, &traj.Dataset{Name: ds.Name, Trajectories: train}, opt)
	if err != nil {
		return Point{}, err
	}
	if progress != nil {
		progress("evaluating", cfg.Steps, cfg.Steps)
	}
	p := Point{Setting: s, Label: s.Label(), Terms: res.Terms}
	if wg, wc := res.Terms["w_gen"], res.Terms["w_con"]; wg+wc > 0 {
		p.GenShare = wg / (wg + wc)
	}
	ft := tasks.DefaultFineTuneConfig()
	ft.Steps, ft.Seed, ft.Freeze, ft.LogEvery = cfg.ProbeSteps, seed, true, 0
	rec, err := tasks.RecoverFineTune(res.Model, train, test, tasks.DefaultRecoveryConfig(), ft)
	if err != nil {
		return Point{}, fmt.Errorf("explore: local task (recover): %w", err)
	}
	p.Local = rec.ErrorM
	switch cfg.Global {
	case "classify":
		pc := tasks.DefaultProbeConfig()
		pc.Steps, pc.Seed, pc.Backend = cfg.ProbeSteps*5, seed, be
		c, err := tasks.ClassifyProbe(res.Model, train, test, "mode", pc)
		if err != nil {
			return Point{}, fmt.Errorf("explore: global task (classify): %w", err)
		}
		p.Global = c.Accuracy
	case "similarity":
		q, d := tasks.SplitQueries(test, len(test), uint64(seed))
		s, err := tasks.NewSelfSimilarityPerturbed(q, append(d, train...), 5, tasks.Perturbation{DropRate: 0.5, NoiseM: 30, Seed: uint64(seed)})
		if err != nil {
			return Point{}, fmt.Errorf("explore: global task (similarity): %w", err)
		}
		r, err := s.Evaluate(res.Model, tasks.L2)
		if err != nil {
			return Point{}, fmt.Errorf("explore: global task (similarity): %w", err)
		}
		p.Global = r.MeanRank
	}
	p.Seconds = time.Since(start).Seconds()
	return p, nil
}
