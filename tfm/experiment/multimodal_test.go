package experiment

import (
	"context"
	"testing"

	"github.com/tfm-course/course/datasets"
)

// The multimodal experiment in quick mode, one seed: alignment makes
// cross-modal retrieval beat chance where a fresh model does not, the
// swapped texts are detected, every task has rows, and results.json
// regenerates the tables.
func TestMultimodalQuick(t *testing.T) {
	if testing.Short() {
		t.Skip("pre-trains two models and evaluates four")
	}
	d, err := datasets.Load("synthetic:seed=1,trajectories=700")
	if err != nil {
		t.Fatal(err)
	}
	cfg := QuickConfig()
	cfg.Seeds, cfg.Map, cfg.Data = []int64{1}, d.Map, "synthetic:seed=1,trajectories=700"
	cfg.Eval.FineTune.Steps, cfg.Eval.Probe.Steps = 50, 100
	rep, err := Run(context.Background(), "multimodal", d.Trajectories, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range Experiments["multimodal"].Tasks {
		if rep.Table(task) == "" {
			t.Errorf("no %s table", task)
		}
	}
	after, _ := rep.Get(CrossModalName("gps", "road", true), TaskCrossModal, "recall_at_10")
	before, _ := rep.Get(CrossModalName("gps", "road", false), TaskCrossModal, "recall_at_10")
	chance, _ := rep.Get(CrossModalName("gps", "road", true), TaskCrossModal, "chance_at_10")
	if !(after.Mean > 5*chance.Mean) || !(before.Mean < 3*chance.Mean) {
		t.Errorf("gps → road recall@10: %.3f aligned, %.3f before alignment, chance %.3f", after.Mean, before.Mean, chance.Mean)
	}
	if s, ok := rep.Get("gps–text, texts swapped (30 %)", TaskMisalignment, "auc"); !ok || !(s.Mean > 0.6) {
		t.Errorf("swapped texts: AUC %v (%v)", s.Mean, ok)
	}
	roundTrip(t, rep)
}
