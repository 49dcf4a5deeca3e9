package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/gomlx/compute"

	"github.com/tfm-course/course/datasets"
	"github.com/tfm-course/course/tfm/continual"
	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/pretrain"
	"github.com/tfm-course/course/tfm/traj"
)

// continueFlags are tfm pretrain's continual pre-training flags.
type continueFlags struct {
	from, strategy, oldData *string
	s                       continual.Strategy
}

func addContinueFlags(fs *flag.FlagSet) *continueFlags {
	d := continual.DefaultStrategy("naive")
	c := &continueFlags{
		from:     fs.String("continue-from", "", "continue pre-training this checkpoint (never written to) on --data, into --checkpoint OUT"),
		strategy: fs.String("strategy", d.Name, "with --continue-from: "+strings.Join(continual.Names, "|")),
		oldData:  fs.String("old-data", "", "with --continue-from: the old data (replay's and distill's buffer, ewc's Fisher; default: the data recorded in the checkpoint)"),
	}
	fs.IntVar(&c.s.ReplaySize, "replay-size", d.ReplaySize, "replay, distill: old trips in the buffer (reservoir-sampled)")
	fs.Float64Var(&c.s.ReplayRatio, "replay-ratio", d.ReplayRatio, "replay, distill: share of each batch drawn from the buffer")
	fs.Float64Var(&c.s.DistillWeight, "distill-weight", d.DistillWeight, "distill: μ of (μ/2)·mean ‖h_θ−h_θ*‖² over the replayed trips")
	fs.Float64Var(&c.s.EWCLambda, "ewc-lambda", d.EWCLambda, "ewc: λ of (λ/2)·Σ F(θ−θ*)² (Fisher normalised to mean 1)")
	fs.IntVar(&c.s.FisherBatches, "fisher-batches", d.FisherBatches, "ewc: old batches the Fisher is averaged over")
	fs.Float64Var(&c.s.L2SPLambda, "l2sp-lambda", d.L2SPLambda, "l2sp: λ of (λ/2)·Σ (θ−θ*)²")
	fs.IntVar(&c.s.LoRARank, "lora-rank", d.LoRARank, "lora: rank r")
	fs.Float64Var(&c.s.LoRAAlpha, "lora-alpha", d.LoRAAlpha, "lora: α (updates scaled by α/r)")
	fs.IntVar(&c.s.AdapterWidth, "adapter-width", d.AdapterWidth, "adapter: bottleneck width")
	return c
}

// inherit takes the old run's settings from --continue-from's record (but
// not its data or schedule), unless OUT already holds the continued run
// (then its own record was taken), and checks the pair of directories.
func (c *continueFlags) inherit(fs *flag.FlagSet, out string, quiet bool) (resumed bool, err error) {
	if *c.from == "" {
		for _, k := range []string{"strategy", "old-data", "replay-size", "replay-ratio", "distill-weight", "ewc-lambda", "fisher-batches", "l2sp-lambda", "lora-rank", "lora-alpha", "adapter-width"} {
			if explicitFlags(fs)[k] {
				return false, fmt.Errorf("--%s needs --continue-from CKPT", k)
			}
		}
		return false, nil
	}
	if out == "" {
		return false, fmt.Errorf("--continue-from needs --checkpoint OUT: where the continued run goes (the old checkpoint is never written to)")
	}
	if same, _ := sameDir(out, *c.from); same {
		return false, fmt.Errorf("--checkpoint %s is --continue-from's directory: continue into another one (the old checkpoint is never written to)", out)
	}
	md, ok, err := tfm.ReadMeta(out)
	if err != nil {
		return false, err
	}
	if ok && md.Run != nil {
		return true, nil
	}
	from, ok, err := tfm.ReadMeta(*c.from)
	if err != nil {
		return false, err
	}
	if !ok {
		return false, fmt.Errorf("--continue-from %s: not a checkpoint directory (no %s)", *c.from, tfm.MetaFile)
	}
	if from.Run != nil && *c.oldData == "" {
		*c.oldData = from.Run.Settings["data"]
	}
	return false, inheritSettings(fs, *c.from, nil, quiet, "data")
}

func sameDir(a, b string) (bool, error) {
	sa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	sb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(sa, sb), nil
}

// prepare applies the strategy (a fresh continued run: to the loaded old
// model; a resumed one: the plan only) and sets it into opt.
func (c *continueFlags) prepare(be compute.Backend, opt *pretrain.Options, resumed bool, network string, newTrips []*traj.Trajectory) (*continual.Plan, error) {
	s := c.s
	s.Name, s.Seed = *c.strategy, opt.Seed
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("--strategy: %w", err)
	}
	more := map[string]string{"continue-from": *c.from}
	var old []*traj.Trajectory
	if s.NeedsOldData() {
		if *c.oldData == "" {
			return nil, fmt.Errorf("--strategy %s needs the old data: --old-data SPEC (%s records none)", s.Name, *c.from)
		}
		d, err := datasets.LoadWithNetwork(*c.oldData, network)
		if err != nil {
			return nil, fmt.Errorf("--old-data: %w", err)
		}
		old, more["old-data"] = d.Trajectories, *c.oldData
	}
	var p *continual.Plan
	var err error
	if resumed {
		p, err = continual.Resume(s, old)
	} else {
		var m *tfm.Model
		if m, err = tfm.LoadOn(be, *c.from); err != nil {
			return nil, fmt.Errorf("--continue-from: %w", err)
		}
		p, err = continual.Prepare(m, s, *opt, old, newTrips)
	}
	if err != nil {
		return nil, err
	}
	p.Apply(opt)
	for k, v := range more {
		opt.MoreSettings[k] = v
	}
	return p, nil
}

// frozen writes the prepared (grown) old model into OUT untrained, with
// the run's settings recorded; a second run finds it there.
func frozen(be compute.Backend, p *continual.Plan, opt pretrain.Options, data string, n int) (*pretrain.Result, error) {
	m := p.Model
	if m == nil { // resumed: OUT holds it
		var err error
		if m, err = tfm.LoadOn(be, opt.CheckpointDir); err != nil {
			return nil, err
		}
	} else {
		m.Meta.Run = &tfm.Run{Settings: opt.Settings(data, n)}
		if err := m.Save(opt.CheckpointDir, 1); err != nil {
			return nil, err
		}
	}
	if err := p.Loaded(m); err != nil {
		return nil, err
	}
	return &pretrain.Result{Paradigm: opt.Paradigm, Modality: opt.Modality, Backend: be.Name(),
		Encoder: m.Primary().Encoder.String(), Checkpoint: opt.CheckpointDir, Model: m}, nil
}
