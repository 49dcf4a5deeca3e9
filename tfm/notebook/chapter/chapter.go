// Package chapter holds the setup every chapter of the course shares, so a
// chapter's first cells import it instead of copying helpers: the synthetic
// city at the chapter's size (quick mode shrinks it), the GeoLife sample
// beside the checkout, pre-training options and runs at chapter size, and
// models pre-trained once and cached on disk.
package chapter

import (
	"context"
	"fmt"
	"hash/fnv"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/tfm-course/course/datasets"
	"github.com/tfm-course/course/tfm/backend"
	"github.com/tfm-course/course/tfm/encoder"
	_ "github.com/tfm-course/course/tfm/modality/all" // every modality, by name
	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/notebook"
	"github.com/tfm-course/course/tfm/pretrain"
	"github.com/tfm-course/course/tfm/traj"
)

// Must panics on error: a failing cell stops loudly.
func Must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Must2 is Must for two results.
func Must2[A, B any](a A, b B, err error) (A, B) {
	if err != nil {
		panic(err)
	}
	return a, b
}

// City loads the synthetic city (seed 1) with full trips, or quick trips in
// quick mode (TFM_QUICK=1), with its map.
func City(full, quick int) *datasets.Data {
	return Must(datasets.Load(fmt.Sprintf("synthetic:seed=1,trajectories=%d", notebook.Size(full, quick))))
}

// Split is the first 80 % of trajectories as train, the rest as test.
func Split(all []*traj.Trajectory) (train, test []*traj.Trajectory) {
	n := len(all) * 8 / 10
	return all[:n], all[n:]
}

// GeolifeDir is the GeoLife sample beside the course checkout
// (../shared/datasets/geolife), "" when absent.
func GeolifeDir() string { return sharedDataset("geolife") }

// GeolifeLabelledDir is the labelled GeoLife sample (user 010, 2008), "" when absent.
func GeolifeLabelledDir() string { return sharedDataset("geolife-labelled") }

func sharedDataset(name string) string {
	root, err := notebook.RepoRoot(os.Getenv("GONB_DIR"))
	if err != nil {
		return ""
	}
	dir := filepath.Join(root, "..", "shared", "datasets", name)
	if _, err := os.Stat(dir); err != nil {
		return ""
	}
	return dir
}

// Encoder is the chapters' architecture: the course default (2 layers,
// d = 64), a smaller one in quick mode.
func Encoder() encoder.Config {
	cfg := encoder.DefaultConfig()
	if notebook.Quick() {
		cfg.Layers, cfg.Dim, cfg.Heads, cfg.FFN, cfg.MaxLen = 1, 32, 2, 64, 32
	}
	return cfg
}

// Options are the chapters' pre-training settings for paradigm on the gps
// modality: the default options with Encoder(), 300 steps (25 quick).
func Options(paradigm string) pretrain.Options {
	opt := pretrain.DefaultOptions()
	opt.Paradigm, opt.Modality, opt.Encoder = paradigm, "gps", Encoder()
	opt.Steps = notebook.Size(300, 25)
	if notebook.Quick() {
		opt.BatchSize, opt.WarmupSteps = 16, 5
	}
	return opt
}

// Train pre-trains and prints one summary line.
func Train(ds *traj.Dataset, opt pretrain.Options) *pretrain.Result {
	res := Must(pretrain.Train(context.Background(), backend.MustNew(), ds, opt))
	fmt.Printf("%s: loss %.3f (step 1) → %.3f (mean of the last %d steps) in %d steps (%.1f steps/s)\n",
		opt.Paradigm, res.FirstLoss, res.LastLoss, res.LastLossSteps, res.Steps, res.StepsPerSecond)
	return res
}

// Pretrained pre-trains opt on trajs once and caches the checkpoint in the
// temporary folder under name (a later call, or a rerun of the chapter,
// loads it). The folder is keyed by every setting that shapes the run, the
// horizon and the trajectories' IDs, so a changed seed, setting or data
// trains anew instead of loading a model trained otherwise.
func Pretrained(name string, trajs []*traj.Trajectory, opt pretrain.Options) *tfm.Model {
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("tfm_%s_%d_%d_%016x", name, len(trajs), opt.Steps, runKey(trajs, opt)))
	if _, ok, err := tfm.ReadMeta(dir); err != nil || !ok {
		opt.CheckpointDir = dir
		Train(&traj.Dataset{Trajectories: trajs}, opt)
	}
	return Must(tfm.Load(dir))
}

// runKey hashes what makes two pre-training runs the same run.
func runKey(trajs []*traj.Trajectory, opt pretrain.Options) uint64 {
	h := fnv.New64a()
	settings := opt.Settings("", len(trajs))
	keys := slices.Sorted(maps.Keys(settings))
	for _, k := range keys {
		fmt.Fprintf(h, "%s=%s;", k, settings[k])
	}
	fmt.Fprintf(h, "steps=%d;", opt.Steps)
	for _, t := range trajs {
		fmt.Fprintf(h, "%s:%d,", t.ID, len(t.Points))
	}
	return h.Sum64()
}
