package experiment

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fixtureReport is a small masking ablation's results (two seeds), as
// results.json would hold them.
func fixtureReport() *Report {
	rep := &Report{Name: "masking-ablation", Elapsed: 83 * time.Second, Cores: 2}
	rep.Config.Seeds, rep.Config.PretrainSteps, rep.Config.Encoder = []int64{1, 2}, 300, QuickConfig().Encoder
	rep.Config.Maskings, rep.Config.Modality, rep.Config.Command = []string{"random", "span"}, "gps", "tfm experiment masking-ablation --maskings random,span --seeds 1,2 --out tfm/experiment/results/masking-ablation"
	rep.Variants = []VariantInfo{{Name: "random masking", Paradigm: "generative", Masking: "random"}, {Name: "span masking", Paradigm: "generative", Masking: "span"}, {Name: "scratch"}}
	vals := map[string][2][2]float64{ // variant → (recovery error, accuracy) per seed
		"random masking": {{30, 0.70}, {32, 0.72}},
		"span masking":   {{28, 0.74}, {29, 0.70}},
		"scratch":        {{40, 0.60}, {44, 0.64}},
	}
	for _, v := range []string{"random masking", "span masking", "scratch"} {
		for i, seed := range rep.Config.Seeds {
			rep.Rows = append(rep.Rows,
				Row{rep.Name, v, seed, "recover", "finetune", "recovery_error_m", vals[v][i][0]},
				Row{rep.Name, v, seed, "classify", "finetune", "accuracy", vals[v][i][1]})
		}
	}
	for _, seed := range rep.Config.Seeds {
		rep.Rows = append(rep.Rows, Row{rep.Name, "linear interpolation", seed, "recover", "baseline", "recovery_error_m", 50},
			Row{rep.Name, "majority class", seed, "classify", "baseline", "accuracy", 0.4})
	}
	return rep
}

// fixtureRepo is a repository root with the fixture's results committed, a
// README with blocks (one stale, one current placeholder) and a notebook
// whose markdown cell holds a block.
func fixtureRepo(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	rep := fixtureReport()
	if _, err := rep.Write(filepath.Join(root, ResultsRoot, "masking-ablation")); err != nil {
		t.Fatal(err)
	}
	readme := "# Course\n\nThe syntax: `<!-- tfm:results DIR KIND -->` and\n```\n<!-- tfm:results DIR KIND --><!-- /tfm:results -->\n```\n\nMasking:\n<!-- tfm:results tfm/experiment/results/masking-ablation table recover -->\nhand-copied 27–35 %\n<!-- /tfm:results -->\n\n" +
		"Span masking recovers to <!-- tfm:results tfm/experiment/results/masking-ablation meansd \"span masking\" recover recovery_error_m -->?<!-- /tfm:results --> m.\n\n" +
		"Hybrid: <!-- tfm:results tfm/experiment/results/hybrid-sweep table recover -->\n\n_No committed results yet: `tfm experiment hybrid-sweep --out tfm/experiment/results/hybrid-sweep`, then `tfm experiment tables`._\n\n<!-- /tfm:results -->\n"
	os.WriteFile(filepath.Join(root, "README.md"), []byte(readme), 0o644)
	os.MkdirAll(filepath.Join(root, "tfm", "pkg"), 0o755)
	os.WriteFile(filepath.Join(root, "tfm", "pkg", "README.md"), []byte("Run: <!-- tfm:results tfm/experiment/results/masking-ablation run --><!-- /tfm:results -->\n"), 0o644)
	os.MkdirAll(filepath.Join(root, "notebooks"), 0o755)
	nb := `{
 "cells": [
  {
   "cell_type": "markdown",
   "metadata": {},
   "source": [
    "## Results\n",
    "<!-- tfm:results tfm/experiment/results/masking-ablation table classify -->\n",
    "old\n",
    "<!-- /tfm:results -->\n",
    "\n",
    "![fig](x.svg) <!-- tfm:results tfm/experiment/results/masking-ablation figure tradeoff_classify_accuracy --><!-- /tfm:results -->"
   ],
   "id": "c1"
  },
  {
   "cell_type": "code",
   "execution_count": null,
   "metadata": {},
   "outputs": [],
   "source": [
    "// <!-- tfm:results not in a markdown cell -->"
   ],
   "id": "c2"
  }
 ],
 "metadata": {},
 "nbformat": 4,
 "nbformat_minor": 5
}
`
	os.WriteFile(filepath.Join(root, "notebooks", "ch.ipynb"), []byte(nb), 0o644)
	return root
}

// The generator rewrites each stale block from its results file (tables
// with their source line, inline numbers, run times, figures; a results
// folder not committed yet gets the command that will produce it), keeps
// the rest of each document byte for byte, and then finds nothing stale.
func TestRewriteBlocks(t *testing.T) {
	root := fixtureRepo(t)
	blocks, err := Blocks(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 6 {
		t.Fatalf("%d blocks: %+v", len(blocks), blocks)
	}
	stale := 0
	for _, b := range blocks {
		if b.Stale() {
			stale++
		}
	}
	if stale != 5 { // all but the placeholder
		t.Errorf("%d stale blocks, want 5", stale)
	}
	_, changed, err := RewriteBlocks(root)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(changed, " ") != "README.md notebooks/ch.ipynb tfm/pkg/README.md" {
		t.Errorf("changed %v", changed)
	}
	readme, _ := os.ReadFile(filepath.Join(root, "README.md"))
	for _, want := range []string{
		"The syntax: `<!-- tfm:results DIR KIND -->` and\n```\n<!-- tfm:results DIR KIND --><!-- /tfm:results -->\n```\n\nMasking:\n<!-- tfm:results tfm/experiment/results/masking-ablation table recover -->\n\n| variant | method | recovery_error_m ↓ |\n|---|---|---:|\n| random masking | finetune | 31.00 ± 1.41 |",
		"| linear interpolation | baseline | 50.00 ± 0.000 |\n\n_Mean ± sd over seeds, generated from `tfm/experiment/results/masking-ablation/results.json` (seeds 1, 2; 1m23s on 2 cores) by `tfm experiment tables`; measured by `tfm experiment masking-ablation --maskings random,span --seeds 1,2 --out tfm/experiment/results/masking-ablation`._\n\n<!-- /tfm:results -->",
		"recovers to <!-- tfm:results tfm/experiment/results/masking-ablation meansd \"span masking\" recover recovery_error_m -->28.50 ± 0.707<!-- /tfm:results --> m.",
		"_No committed results yet: `tfm experiment hybrid-sweep",
	} {
		if !strings.Contains(string(readme), want) {
			t.Errorf("README lacks %q:\n%s", want, readme)
		}
	}
	if strings.Contains(string(readme), "27–35") {
		t.Error("the hand-copied text survived")
	}
	pkg, _ := os.ReadFile(filepath.Join(root, "tfm", "pkg", "README.md"))
	if want := "Run: <!-- tfm:results tfm/experiment/results/masking-ablation run -->`tfm experiment masking-ablation --maskings random,span --seeds 1,2 --out tfm/experiment/results/masking-ablation` (seeds 1, 2; 1m23s on 2 cores)<!-- /tfm:results -->\n"; string(pkg) != want {
		t.Errorf("tfm/pkg/README.md = %q, want %q", pkg, want)
	}
	nb, _ := os.ReadFile(filepath.Join(root, "notebooks", "ch.ipynb"))
	for _, want := range []string{
		"    \"<!-- tfm:results tfm/experiment/results/masking-ablation table classify -->\\n\",\n    \"\\n\",\n    \"| variant | method | accuracy ↑ |\\n\",",
		"(../tfm/experiment/results/masking-ablation/tradeoff_classify_accuracy.svg)",
		"    \"// <!-- tfm:results not in a markdown cell -->\"\n", // code cells untouched
		"\"nbformat_minor\": 5\n}\n",
	} {
		if !strings.Contains(string(nb), want) {
			t.Errorf("notebook lacks %q:\n%s", want, nb)
		}
	}
	if _, err := os.Stat(filepath.Join(root, ResultsRoot, "masking-ablation", "tradeoff_classify_accuracy.svg")); err != nil {
		t.Errorf("the trade-off figure was not written: %v", err)
	}
	blocks, err = Blocks(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range blocks {
		if b.Stale() {
			t.Errorf("%s still stale after the rewrite", b.Where())
		}
	}
	if _, changed, _ := RewriteBlocks(root); len(changed) != 0 {
		t.Errorf("a second rewrite changed %v", changed)
	}
}

// Bad blocks are errors naming the document, the line and what is wrong.
func TestBadBlocks(t *testing.T) {
	for doc, want := range map[string]string{
		"<!-- tfm:results tfm/experiment/results/masking-ablation table recover -->\nno end\n": "README.md:1: block \"tfm/experiment/results/masking-ablation table recover\" has no <!-- /tfm:results -->",
		"a\n<!-- /tfm:results -->\n": "README.md:2: <!-- /tfm:results --> without its opening marker",
		"<!-- tfm:results tfm/experiment/results/masking-ablation tabel recover --><!-- /tfm:results -->":                     `unknown kind "tabel" (did you mean "table"?)`,
		"<!-- tfm:results tfm/experiment/results/masking-ablation table tte --><!-- /tfm:results -->":                         `has no task "tte" (tasks: recover, classify)`,
		"<!-- tfm:results tfm/experiment/results/hybrid-swep run --><!-- /tfm:results -->":                                    `"hybrid-swep" is not an experiment (did you mean "hybrid-sweep"?)`,
		"<!-- tfm:results out/x run --><!-- /tfm:results -->":                                                                 `want tfm/experiment/results/NAME`,
		"<!-- tfm:results tfm/experiment/results/hybrid-sweep mean scratch recover recovery_error_m --><!-- /tfm:results -->": "is not committed (run `tfm experiment hybrid-sweep --out",
		"<!-- tfm:results tfm/experiment/results/masking-ablation mean \"span masking\" recover --><!-- /tfm:results -->":     "mean takes 3 arguments, got 2",
		"<!-- tfm:results tfm/experiment/results/masking-ablation mean \"span recover --><!-- /tfm:results -->":               "unterminated quote",
	} {
		root := fixtureRepo(t)
		os.WriteFile(filepath.Join(root, "README.md"), []byte(doc), 0o644)
		_, err := Blocks(root)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", doc, err, want)
		}
	}
}

// Tables cannot drift: every generated block committed in the course's
// documents is what its results file generates (`tfm experiment tables`
// rewrites them).
func TestCommittedBlocksAreGenerated(t *testing.T) {
	root := filepath.Join("..", "..")
	blocks, err := Blocks(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range blocks {
		if b.Stale() {
			t.Errorf("%s: block %q differs from what its results generate: run `go run ./tfm/cmd/tfm experiment tables`\nhave %q\nwant %q", b.Where(), b.Spec, b.Have, b.Want)
		}
	}
}
