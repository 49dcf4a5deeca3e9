package experiment

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tfm-course/course/datasets/synth"
	"github.com/tfm-course/course/tfm/pretrain"
)

// The registry lists the experiments in course order; each of the
// variants × tasks kind compares pre-trained variants with the scratch
// baseline (causal-shift, a Custom run, compares three classifiers).
func TestRegistry(t *testing.T) {
	if got, want := Names(), []string{"pretrain-vs-scratch", "masking-ablation", "hybrid-sweep", "causal-shift", "fairness", "green", "continual", "multimodal"}; !slices.Equal(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
	base := pretrain.DefaultOptions()
	for name, r := range Experiments {
		if r.Variants == nil { // fairness, green: arms of their own (FairnessArms, GreenSizes)
			if r.Custom == nil || len(r.Tasks) == 0 {
				t.Errorf("%s: no variants and no custom run", name)
			}
			continue
		}
		vs := r.Variants(base, DefaultConfig())
		if r.Custom != nil {
			if len(vs) != 3 || vs[0].Name != "plain" || !vs[0].Pretrain.Causal.Plain || vs[2].Pretrain.Causal.Plain {
				t.Errorf("%s: variants %+v", name, vs)
			}
			continue
		}
		if len(r.Tasks) == 0 || len(vs) < 2 {
			t.Errorf("%s: %d tasks, %d variants", name, len(r.Tasks), len(vs))
			continue
		}
		if last := vs[len(vs)-1]; last.Name != "scratch" || last.Pretrain != nil {
			t.Errorf("%s: last variant %+v, want the scratch baseline", name, last)
		}
		seen := map[string]bool{}
		for _, v := range vs[:len(vs)-1] {
			if v.Pretrain == nil || v.Pretrain.Paradigm == "" || seen[v.Name] {
				t.Errorf("%s: variant %q has no pre-training or is repeated", name, v.Name)
			}
			seen[v.Name] = true
		}
	}
	if vs := Experiments["masking-ablation"].Variants(base, DefaultConfig()); vs[1].Pretrain.Generative.Masking != "span" || base.Generative.Masking == "span" {
		t.Errorf("masking-ablation: variant %q masks %q (base changed to %q?)", vs[1].Name, vs[1].Pretrain.Generative.Masking, base.Generative.Masking)
	}
}

// The experiment runner writes its table, CSV and figures.
func TestRunWritesFiles(t *testing.T) {
	cfg := QuickConfig()
	cfg.Seeds, cfg.PretrainSteps = []int64{1, 2}, 3
	cfg.Eval.FineTune.Steps, cfg.Eval.Probe.Steps = 3, 20
	cfg.Encoder.Dim, cfg.Encoder.FFN, cfg.Encoder.MaxLen = 16, 32, 16
	cfg.Eval.Recovery.Window = 16
	city, err := synth.Generate(synth.Config{Seed: 2, Trajectories: 160})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), "masking-ablation", city.Dataset().Trajectories, cfg)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files, err := rep.Write(dir)
	if err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "results.md"))
	for _, want := range []string{"## recover", "## classify", "span masking", "road masking", "linear interpolation", "scratch", "±"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("results.md lacks %q:\n%s", want, md)
		}
	}
	csv, _ := os.ReadFile(filepath.Join(dir, "results.csv"))
	if n := strings.Count(string(csv), "\n"); n != len(rep.Rows)+1 {
		t.Errorf("results.csv has %d lines for %d rows", n, len(rep.Rows))
	}
	svgs := 0
	for _, f := range files {
		if strings.HasSuffix(f, ".svg") {
			b, _ := os.ReadFile(f)
			if !strings.Contains(string(b), "<svg") {
				t.Errorf("%s is not an SVG", f)
			}
			svgs++
		}
	}
	if svgs < 3 {
		t.Errorf("%d figures written: %v", svgs, files)
	}
	if _, err := Run(context.Background(), "nope", nil, cfg); err == nil {
		t.Error("unknown experiment accepted")
	}
}
