package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tfm-course/course/tfm/notebook"
)

func init() {
	register(&command{Name: "bench", Summary: "the headline speed benchmarks, each beside its peer (C, PyTorch) in the same run", Run: benchRun})
}

// benchRow is one benchmark of `tfm bench`: the rounds of this project and
// of its peer, alternating, and how many times faster this project is.
type benchRow struct {
	Name       string    `json:"name"`
	What       string    `json:"what"`
	Unit       string    `json:"unit"` // "s" (lower is better) or a rate
	Rounds     []float64 `json:"rounds"`
	Best       float64   `json:"best"`
	Peer       string    `json:"peer,omitempty"`
	PeerRounds []float64 `json:"peer_rounds,omitempty"`
	PeerBest   float64   `json:"peer_best,omitempty"`
	Ratio      float64   `json:"ratio,omitempty"` // > 1: this project is faster
	Goal       float64   `json:"goal,omitempty"`  // the ratio the issue asks for
	Command    string    `json:"command"`
	// PeerSkipped says why the peer did not run (not installed).
	PeerSkipped string `json:"peer_skipped,omitempty"`
}

func benchRun(args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	rounds := fs.Int("rounds", 3, "alternating rounds of each benchmark and its peer (the best of each is compared)")
	only := fs.String("only", "", "comma-separated benchmarks: dtw-short, reference (default: all)")
	quick := fs.Bool("quick", false, "one short round of each (a smoke test, not a measurement)")
	asJSON := fs.Bool("json", false, "print one JSON line last: the rows")
	setHelp(fs, help{
		About: "Runs the headline benchmarks, each beside its peer in alternating rounds, and prints how many times faster this project is.",
		Notes: "DTW pdist over 1,000 short trajectories, whole process, against the C -O3 program of\n" +
			"tfm/distance/testdata/cbench/pdist.c (needs gcc), on 1 and 2 threads; the reference Transformer train step and\n" +
			"encoding (go test -bench in tfm/pretrain) against tfm/pretrain/peer/reference.py (needs /usr/bin/python3 with\n" +
			"torch; run with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset). A peer that is not installed is skipped with the\n" +
			"reason. Run it from the repository on an idle machine: it needs the sources, and other work skews the ratios.",
		Usage:   "tfm bench [--rounds R] [--only NAMES] [--json]",
		Example: "tfm bench --only dtw-short --rounds 5 --json",
	})
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := validateFlags(fs, above("rounds", 0)); err != nil {
		return err
	}
	if *quick {
		*rounds = 1
	}
	want := map[string]bool{}
	for _, n := range strings.Split(*only, ",") {
		if n = strings.TrimSpace(n); n != "" {
			if n != "dtw-short" && n != "reference" {
				return fmt.Errorf("--only: unknown benchmark %q (want dtw-short, reference)", n)
			}
			want[n] = true
		}
	}
	root, err := notebook.RepoRoot(".")
	if err != nil {
		return fmt.Errorf("tfm bench runs from the repository (it builds its peers from the sources): %w", err)
	}
	tmp, err := os.MkdirTemp("", "tfm-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	var rows []benchRow
	if len(want) == 0 || want["dtw-short"] {
		r, err := benchDTWShort(root, tmp, *rounds)
		if err != nil {
			return err
		}
		rows = append(rows, r...)
	}
	if len(want) == 0 || want["reference"] {
		r, err := benchReference(root, *rounds, *quick)
		if err != nil {
			return err
		}
		rows = append(rows, r...)
	}
	for _, r := range rows {
		line := fmt.Sprintf("%-22s %10.4g %-8s", r.Name, r.Best, r.Unit)
		if r.Peer != "" {
			line += fmt.Sprintf("  %s %.4g: %.2f× (goal %.2g×)", r.Peer, r.PeerBest, r.Ratio, r.Goal)
		} else if r.PeerSkipped != "" {
			line += "  peer skipped: " + r.PeerSkipped
		}
		fmt.Println(line)
	}
	if *asJSON {
		return printJSON(map[string]any{"rounds": *rounds, "benchmarks": rows})
	}
	return nil
}

// shortTrips writes n trajectories of 5–15 points (median 10, the length
// of real taxi trips) as "id,lon,lat" CSV.
func shortTrips(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	rng := rand.New(rand.NewPCG(1, 2))
	fmt.Fprintln(w, "id,lon,lat")
	for t := range n {
		lon, lat := -8.65+rng.Float64()*0.1, 41.10+rng.Float64()*0.1
		for range 5 + rng.IntN(11) {
			lon += (rng.Float64() - 0.5) * 0.004
			lat += (rng.Float64() - 0.5) * 0.004
			fmt.Fprintf(w, "t%d,%.6f,%.6f\n", t, lon, lat)
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// wall runs the command with stdout to /dev/null and returns its wall time.
func wall(name string, args ...string) (float64, error) {
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return 0, err
	}
	defer devnull.Close()
	cmd := exec.Command(name, args...)
	cmd.Stdout = devnull
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return time.Since(start).Seconds(), nil
}

func benchDTWShort(root, tmp string, rounds int) ([]benchRow, error) {
	trips := filepath.Join(tmp, "trips.csv")
	if err := shortTrips(trips, 1000); err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	one := benchRow{Name: "dtw-short-1-thread", What: "DTW pdist, 1,000 trajectories of 5–15 points, whole process incl. parsing and printing, 1 thread",
		Unit: "s", Goal: 1, Command: "tfm distance pdist --metric dtw --threads 1 --format csv TRIPS.csv > /dev/null"}
	two := benchRow{Name: "dtw-short-2-threads", What: "the same on 2 threads, against 1 thread", Unit: "s", Goal: 1.8,
		Peer: "tfm 1 thread", Command: "tfm distance pdist --metric dtw --threads 2 --format csv TRIPS.csv > /dev/null"}
	cbin := filepath.Join(tmp, "pdist")
	src := filepath.Join(root, "tfm/distance/testdata/cbench/pdist.c")
	if out, err := exec.Command("gcc", "-O3", "-o", cbin, src, "-lm").CombinedOutput(); err != nil {
		one.PeerSkipped = fmt.Sprintf("C peer not built (gcc -O3 %s: %v %s)", src, err, strings.TrimSpace(string(out)))
		cbin = ""
	} else {
		one.Peer = "C -O3 (tfm/distance/testdata/cbench/pdist.c)"
	}
	for range rounds {
		if cbin != "" {
			s, err := wall(cbin, trips)
			if err != nil {
				return nil, err
			}
			one.PeerRounds = append(one.PeerRounds, s)
		}
		for _, r := range []*benchRow{&one, &two} {
			th := "1"
			if r == &two {
				th = "2"
			}
			s, err := wall(self, "distance", "pdist", "--metric", "dtw", "--threads", th, "--format", "csv", trips)
			if err != nil {
				return nil, err
			}
			r.Rounds = append(r.Rounds, s)
		}
	}
	one.Best = slices.Min(one.Rounds)
	two.Best, two.PeerRounds = slices.Min(two.Rounds), one.Rounds
	two.PeerBest, two.Ratio = one.Best, one.Best/two.Best
	if cbin != "" {
		one.PeerBest = slices.Min(one.PeerRounds)
		one.Ratio = one.PeerBest / one.Best
	}
	return []benchRow{one, two}, nil
}

var benchMetric = regexp.MustCompile(`([0-9.]+) (steps/s|seq/s)`)

func benchReference(root string, rounds int, quick bool) ([]benchRow, error) {
	train := benchRow{Name: "reference-train", What: "reference Transformer train step (2 layers, d=128, 4 heads, batch 64 × seq 64, vocab 4096, Adam)",
		Unit: "steps/s", Goal: 2, Command: "go test -run '^$' -bench 'Reference/attn=core' ./tfm/pretrain/"}
	enc := benchRow{Name: "reference-encode", What: "reference Transformer encoding, batch 256", Unit: "seq/s", Goal: 2, Command: train.Command}
	benchtime, secs := "25x", "5"
	if quick {
		benchtime, secs = "3x", "1"
	}
	peer := filepath.Join(root, "tfm/pretrain/peer/reference.py")
	python := "/usr/bin/python3"
	torch := exec.Command(python, "-c", "import torch").Run() == nil
	if torch {
		train.Peer, enc.Peer = "PyTorch (tfm/pretrain/peer/reference.py)", "PyTorch (tfm/pretrain/peer/reference.py)"
	} else {
		why := python + " cannot import torch (apt-get install python3-torch libopenblas0-pthread)"
		train.PeerSkipped, enc.PeerSkipped = why, why
	}
	for range rounds {
		cmd := exec.Command("go", "test", "-run", "^$", "-bench", "Reference/attn=core", "-benchtime", benchtime, "./tfm/pretrain/")
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			return nil, fmt.Errorf("go test -bench Reference ./tfm/pretrain/: %w\n%s", err, out)
		}
		for _, m := range benchMetric.FindAllStringSubmatch(string(out), -1) {
			v, _ := strconv.ParseFloat(m[1], 64)
			if m[2] == "steps/s" {
				train.Rounds = append(train.Rounds, v)
			} else {
				enc.Rounds = append(enc.Rounds, v)
			}
		}
		if !torch {
			continue
		}
		pc := exec.Command(python, peer, "--seconds", secs, "--json")
		pc.Env = withoutEnv(os.Environ(), "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
		pout, err := pc.Output()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", peer, err)
		}
		var res struct {
			Train  float64 `json:"train_steps_per_s"`
			Encode float64 `json:"encode_seq_per_s"`
		}
		lines := strings.Split(strings.TrimSpace(string(pout)), "\n")
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
			return nil, fmt.Errorf("%s: %w", peer, err)
		}
		train.PeerRounds = append(train.PeerRounds, res.Train)
		enc.PeerRounds = append(enc.PeerRounds, res.Encode)
	}
	for _, r := range []*benchRow{&train, &enc} {
		if len(r.Rounds) == 0 {
			return nil, fmt.Errorf("go test -bench Reference printed no %s", r.Unit)
		}
		r.Best = slices.Max(r.Rounds)
		if torch {
			r.PeerBest = slices.Max(r.PeerRounds)
			r.Ratio = r.Best / r.PeerBest
		}
	}
	return []benchRow{train, enc}, nil
}

func withoutEnv(env []string, names ...string) []string {
	var out []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		drop := false
		for _, n := range names {
			drop = drop || k == n
		}
		if !drop {
			out = append(out, kv)
		}
	}
	return out
}
