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
	dir := "/tmp/tasksplay/ckpt"
	var pe *tasks.Encoder
	if _, err := os.Stat(dir + "/tfm.json"); err != nil {
		opt := pretrain.DefaultOptions()
		opt.CheckpointDir = dir
		if _, err := pretrain.Train(context.Background(), tasks.DefaultBackend(), &traj.Dataset{Trajectories: tr}, opt); err != nil {
			panic(err)
		}
	}
	pe, err = tasks.LoadEncoder(dir)
	if err != nil {
		panic(err)
	}
	se := tasks.ScratchLike(pe, 1)
	for _, mode := range []string{"car", "bus"} {
		ctr, cte := byMode(tr, mode), byMode(te, mode)
		b, _ := tasks.TTESpeedBaseline(ctr, cte)
		pp, _ := tasks.TTEProbe(pe, ctr, cte, tasks.DefaultRouteConfig(), tasks.DefaultProbeConfig())
		sp, _ := tasks.TTEProbe(se, ctr, cte, tasks.DefaultRouteConfig(), tasks.DefaultProbeConfig())
		fmt.Printf("%s n=%d/%d baseline %.1f TTE probe pre %.1f scratch %.1f\n", mode, len(ctr), len(cte), b.MAE, pp.MAE, sp.MAE)
		for _, lr := range []float64{1e-3, 3e-4} {
			fc := tasks.DefaultFineTuneConfig()
			fc.Steps = 300
			fc.LearningRate = lr
			pf, _ := tasks.TTEFineTune(pe, ctr, cte, tasks.DefaultRouteConfig(), fc)
			sf, _ := tasks.TTEFineTune(se, ctr, cte, tasks.DefaultRouteConfig(), fc)
			fmt.Printf("  lr %g finetune pre %.1f scratch %.1f\n", lr, pf.MAE, sf.MAE)
		}
	}
}
