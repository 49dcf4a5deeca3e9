package main

import (
	"context"
	"fmt"

	"github.com/tfm-course/course/datasets/synth"
	"github.com/tfm-course/course/tfm/pretrain"
	"github.com/tfm-course/course/tfm/tasks"
	"github.com/tfm-course/course/tfm/traj"
)

func byMode(ts []*traj.Trajectory, m string) (out []*traj.Trajectory) {
	for _, t := range ts {
		if t.Mode == m {
			out = append(out, t)
		}
	}
	return
}

func pre(par string, train []*traj.Trajectory, seed int64) *tasks.Encoder {
	cfg := tasks.QuickExperimentConfig()
	o := pretrain.DefaultOptions()
	o.Paradigm, o.Encoder, o.Steps, o.Seed = par, cfg.Encoder, cfg.PretrainSteps, seed
	o.Augment, o.Masking = "crop,jitter", "random"
	res, err := pretrain.Train(context.Background(), tasks.DefaultBackend(), &traj.Dataset{Trajectories: train}, o)
	if err != nil {
		panic(err)
	}
	return tasks.FromPretrained(res.Model, par)
}

func main() {
	c, _ := synth.Generate(synth.DefaultConfig())
	all := c.Dataset().Trajectories
	for seed := int64(1); seed <= 3; seed++ {
		train, test, _ := tasks.Split(all, 0.2, uint64(seed))
		con := pre("contrastive", train, seed)
		gen := pre("generative", train, seed)
		sc := tasks.ScratchLike(con, seed)
		q, d := tasks.SplitQueries(test, 300, uint64(seed))
		d = append(d, train...)
		for _, p := range []tasks.Perturbation{{}, {NoiseM: 30}, {NoiseM: 60}, {DropRate: 0.3, NoiseM: 30}, {DropRate: 0.5, NoiseM: 30}} {
			p.Seed = uint64(seed)
			s, _ := tasks.NewSelfSimilarityPerturbed(q, d, 5, p)
			a, _ := s.Evaluate(con, tasks.L2)
			b, _ := s.Evaluate(gen, tasks.L2)
			cc, _ := s.Evaluate(sc, tasks.L2)
			fmt.Printf("seed %d %+v: con %.2f gen %.2f scratch %.2f (distractors %d)\n", seed, p, a.MeanRank, b.MeanRank, cc.MeanRank, a.Distractors)
		}
		ft := tasks.QuickExperimentConfig().Eval.FineTune
		ft.Seed = seed
		g, _ := tasks.TTEFineTune(gen, byMode(train, "car"), byMode(test, "car"), tasks.DefaultRouteConfig(), ft)
		s2, _ := tasks.TTEFineTune(tasks.ScratchLike(gen, seed), byMode(train, "car"), byMode(test, "car"), tasks.DefaultRouteConfig(), ft)
		b, _ := tasks.TTESpeedBaseline(byMode(train, "car"), byMode(test, "car"))
		fmt.Printf("seed %d TTE gen %.1f scratch %.1f base %.1f\n", seed, g.MAE, s2.MAE, b.MAE)
	}
}
