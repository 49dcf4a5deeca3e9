package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tfm-course/course/datasets/synth"
	"github.com/tfm-course/course/tfm/output"
	"github.com/tfm-course/course/tfm/roadnet"
)

// synthResult is the --json output of `tfm data synth`.
type synthResult struct {
	synth.Meta
	Out     string   `json:"out"`
	Files   []string `json:"files"`
	Seconds float64  `json:"seconds"`
}

// synthDriftResult is the --json output of `tfm data synth --drift`.
type synthDriftResult struct {
	Before synthResult `json:"before"`
	After  synthResult `json:"after"` // its drift field says what changed
}

// dataSynth implements `tfm data synth`: generate the synthetic city and
// write it to a folder.
func dataSynth(args []string) error {
	d := synth.DefaultConfig()
	fs := flag.NewFlagSet("data synth", flag.ContinueOnError)
	seed := fs.Int64("seed", d.Seed, "random seed (same seed and flags: byte-identical files)")
	n := fs.Int("trajectories", d.Trajectories, "number of trajectories (trips)")
	agents := fs.Int("agents", d.Agents, "number of users")
	days := fs.Int("days", 0, "minimum number of simulated days (0: as many as the trips need)")
	interval := fs.Duration("interval", d.SamplingInterval, "mean GPS sampling interval")
	noise := fs.Float64("noise", d.Noise, "GPS noise: standard deviation per axis, metres")
	dropout := fs.Float64("dropout", d.DropoutRate, "probability that a fix is lost")
	pois := fs.Int("pois", d.POIs, "number of points of interest")
	network := fs.String("network", "", "simulate on this OpenStreetMap road network (.osm, .osm.bz2, .osm.gz, .osm.pbf) instead of the generated one")
	out := fs.String("out", "", "output folder (required)")
	asJSON := fs.Bool("json", false, "print one JSON object on stdout")
	drift := fs.Bool("drift", false, "write the city as it was to DIR/before and its changed \"after\" city (synth.Config.Drift) to DIR/after")
	force := fs.Bool("force", false, "replace files of the same names in --out that are not this command's own unchanged output")
	setHelp(fs, help{
		About:   "Generates the synthetic city (road network, districts, POIs, agents with routines) and writes it to a folder.",
		Usage:   "tfm data synth --seed S --trajectories N --out DIR [--drift] [--json]",
		Example: "tfm data synth --seed 1 --trajectories 200 --out /tmp/city --json",
		Notes: "DIR receives trajectories.csv (traj_id,user_id,mode,lon,lat,time), truth.csv, paths.csv, trips.csv,\n" +
			"agents.csv, roads.geojson, districts.geojson, pois.geojson and city.json. It refuses to replace a file of those\n" +
			"names that is not its own earlier, unchanged output (recorded in DIR/.tfm-output.json) unless --force.\n" +
			"--drift writes those files twice, DIR/before (the city as it was) and DIR/after (a year later: a new district on\n" +
			"former parkland, a ring-road section, a closed road, more central congestion, more bikes, new agents; segment ids of\n" +
			"before stay, new ones follow), prints what changed, and with --json prints {\"before\": …, \"after\": …}.",
	})
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if err := validateFlags(fs, atLeast("trajectories", 1), atLeast("agents", 1), atLeast("days", 0), atLeast("noise", 0),
		between("dropout", 0, 0.5, false, true), atLeast("pois", 0)); err != nil {
		return err
	}
	if len(pos) > 0 {
		fs.Usage()
		return fmt.Errorf("unexpected arguments %q", pos)
	}
	if *out == "" {
		fs.Usage()
		return fmt.Errorf("--out DIR is required")
	}
	if *n <= 0 {
		return fmt.Errorf("--trajectories %d: want > 0", *n)
	}
	if *agents <= 0 {
		return fmt.Errorf("--agents %d: want > 0", *agents)
	}
	if *pois <= 0 {
		return fmt.Errorf("--pois %d: want > 0", *pois)
	}
	if *noise < 0 {
		return fmt.Errorf("--noise %v: want >= 0 metres", *noise)
	}
	cfg := d
	cfg.Seed, cfg.Trajectories, cfg.Agents, cfg.Days = *seed, *n, *agents, *days
	cfg.SamplingInterval, cfg.Noise, cfg.DropoutRate, cfg.POIs = *interval, *noise, *dropout, *pois
	if err := synth.CheckMemory(cfg, 0); err != nil {
		return fmt.Errorf("--trajectories %d: %w", *n, err)
	}
	if *drift {
		if *network != "" {
			return fmt.Errorf("--drift needs the generated network, not --network")
		}
		return dataSynthDrift(cfg, *out, *force, *asJSON)
	}
	dir, err := output.OpenDir(*out, *force)
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	if err := dir.Check(synth.Files...); err != nil { // refuse before generating
		return err
	}
	start := time.Now()
	if *network != "" {
		g, st, err := roadnet.LoadOSM(*network, roadnet.OSMOptions{})
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "network %s: %d nodes, %d segments\n", *network, st.GraphNodes, st.Segments)
		cfg.Network = g
		cfg.Name = filepath.Base(*network)
	}
	city, err := synth.Generate(cfg)
	if err != nil {
		return err
	}
	if err := city.WriteInto(dir); err != nil {
		return err
	}
	m := city.Meta()
	secs := time.Since(start).Seconds()
	fmt.Fprintf(os.Stderr, "%s: %d trajectories (%d points) of %d users on %d nodes / %d segments, %d districts, %d POIs → %s (%.2fs)\n",
		m.Name, m.Trajectories, m.Points, m.Users, m.Nodes, m.Segments, m.Districts, m.POIs, *out, secs)
	if *asJSON {
		return printJSON(synthResult{Meta: m, Out: *out, Files: synth.Files, Seconds: secs})
	}
	return nil
}

// dataSynthDrift writes the before and after cities of cfg to out/before
// and out/after and prints what changed.
func dataSynthDrift(cfg synth.Config, out string, force, asJSON bool) error {
	var dirs [2]*output.Dir
	for i, sub := range []string{"before", "after"} {
		d, err := output.OpenDir(filepath.Join(out, sub), force)
		if err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		if err := d.Check(synth.Files...); err != nil { // refuse before generating
			return err
		}
		dirs[i] = d
	}
	start := time.Now()
	before, after, err := synth.GeneratePair(cfg)
	if err != nil {
		return err
	}
	var res [2]synthResult
	for i, c := range []*synth.City{before, after} {
		if err := c.WriteInto(dirs[i]); err != nil {
			return err
		}
		m := c.Meta()
		res[i] = synthResult{Meta: m, Out: dirs[i].Path(), Files: synth.Files}
		fmt.Fprintf(os.Stderr, "%s: %d trajectories (%d points) of %d users on %d nodes / %d segments → %s\n",
			m.Name, m.Trajectories, m.Points, m.Users, m.Nodes, m.Segments, dirs[i].Path())
	}
	secs := time.Since(start).Seconds()
	res[0].Seconds, res[1].Seconds = secs, secs
	fmt.Fprint(os.Stderr, after.Drift.String())
	if asJSON {
		return printJSON(synthDriftResult{Before: res[0], After: res[1]})
	}
	return nil
}
