package main

import (
	"context"
	"fmt"
	"os"

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

func main() {
	cfg := synth.DefaultConfig()
	c, err := synth.Generate(cfg)
	if err != nil {
		panic(err)
	}
	ts := c.Dataset().Trajectories
	tr, te, _ := tasks.Split(ts, 0.2, 1)
	ctr, cte := byMode(tr, "car"), byMode(te, "car")
	for _, par := range []string{"generative", "hybrid"} {
		dir := "/tmp/tasksplay/ckpt_" + par
		if _, err := os.Stat(dir + "/tfm.json"); err != nil {
			opt := pretrain.DefaultOptions()
			opt.Paradigm = par
			opt.CheckpointDir = dir
			if _, err := pretrain.Train(context.Background(), tasks.DefaultBackend(), &traj.Dataset{Trajectories: tr}, opt); err != nil {
				panic(err)
			}
		}
		pe, err := tasks.LoadEncoder(dir)
		if err != nil {
			panic(err)
		}
		pp, _ := tasks.TTEProbe(pe, ctr, cte, tasks.DefaultRouteConfig(), tasks.DefaultProbeConfig())
		fmt.Printf("%s probe %.1f\n", par, pp.MAE)
		for seed := int64(1); seed <= 3; seed++ {
			fc := tasks.DefaultFineTuneConfig()
			fc.Seed = seed
			pf, _ := tasks.TTEFineTune(pe, ctr, cte, tasks.DefaultRouteConfig(), fc)
			fmt.Printf("%s seed %d: finetune %.1f\n", par, seed, pf.MAE)
		}
	}
}
