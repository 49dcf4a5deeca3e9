package tasks_test

import (
	"fmt"

	"github.com/tfm-course/course/tfm/tasks"
)

// The metrics of every task, on hand-checkable numbers.
func Example() {
	tte, _ := tasks.Regression([]float64{110, 90, 300}, []float64{100, 100, 200})
	fmt.Printf("TTE: MAE %.1f s, MAPE %.1f %%, RMSE %.1f s\n", tte.MAE, tte.MAPE, tte.RMSE)

	sim, _ := tasks.Ranking([]int{1, 1, 2, 6})
	fmt.Printf("similarity: MR %.2f, HR@1 %.2f, HR@5 %.2f\n", sim.MeanRank, sim.HR1, sim.HR5)

	cls, _ := tasks.Classification([]string{"walk", "car"}, []int{0, 0, 1, 1}, []int{0, 1, 1, 1})
	fmt.Printf("classification: accuracy %.2f, macro-F1 %.3f\n%s", cls.Accuracy, cls.MacroF1, cls.Confusion)

	acc, _ := tasks.TokenAccuracy([]int{7, 8, 9, 10}, []int{7, 8, 0, 10})
	fmt.Printf("recovery: token accuracy %.2f\n", acc)
	// Output:
	// TTE: MAE 40.0 s, MAPE 23.3 %, RMSE 58.3 s
	// similarity: MR 2.50, HR@1 0.50, HR@5 0.75
	// classification: accuracy 0.75, macro-F1 0.733
	// | true \ pred | walk | car |
	// |---|---:|---:|
	// | walk | 1 | 1 |
	// | car | 0 | 2 |
	// recovery: token accuracy 0.75
}

// The self-similarity protocol of t2vec/TrajCL: odd points as the query,
// even points in the database among distractors.
func ExampleNewSelfSimilarity() {
	ts := tasks.RandomWalks(300, 1)
	queries, distractors := tasks.SplitQueries(ts, 50, 1)
	s, _ := tasks.NewSelfSimilarity(queries, distractors, 5)
	r, _ := s.Evaluate(tasks.NewResampleEmbedder(ts, 16), tasks.L2)
	fmt.Printf("%d queries, %d distractors, mean rank %.1f\n", r.Queries, r.Distractors, r.MeanRank)
	// Output:
	// 50 queries, 250 distractors, mean rank 1.0
}

// Fine-tuning with a fairness mitigation: group DRO over the transport
// modes, its final q read back per group (compiled, not run: it trains).
func ExampleFineTune_groupDRO() {
	ts := tasks.RandomWalks(200, 1)
	for i, t := range ts {
		t.Mode = []string{"car", "car", "car", "walk"}[i%4] // an under-represented group
	}
	m, _ := tasks.NewScratch(tasks.DefaultOptions("tte").Encoder, ts, 1)
	cfg := tasks.DefaultFineTuneConfig()
	cfg.Mitigation, cfg.GroupKey = "dro", "mode" // or "balanced", "reweight"; Groups for explicit groups
	ft, _ := tasks.FineTune(m, ts, tasks.TravelTimes(ts), nil, 0, cfg)
	fmt.Printf("q: car %.2f, walk %.2f\n", ft.GroupWeights["car"], ft.GroupWeights["walk"])
}
