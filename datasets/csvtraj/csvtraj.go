// Package csvtraj reads trajectories from any CSV file with a header
// row: one row per point, grouped into trajectories by an id column.
//
// Columns are found by name, case-insensitively:
//
//	id    traj_id | trajectory_id | id        (optional: without it the file is one trajectory)
//	lon   lon | lng | longitude | x          (required)
//	lat   lat | latitude | y                 (required)
//	time  time | timestamp | datetime | t    (optional; RFC 3339, "YYYY-MM-DD HH:MM:SS" UTC, or unix seconds)
//	seq   seq                                (optional; orders the points)
//	user  user_id | uid                      (optional)
//	mode  mode | label                       (optional; per point)
//
// Any of them can be overridden with Columns. Points are ordered by seq
// when present, else by time, else kept in file order (stable sort).
// The separator is ',' unless the header has tabs or semicolons and no commas.
package csvtraj

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/tfm-course/course/datasets/parse"
	"github.com/tfm-course/course/tfm/traj"
)

// Columns names header columns explicitly; "" means detect.
type Columns struct {
	ID, Lon, Lat, Time, Seq, User, Mode string
}

// candidates lists the detected names per column, in preference order.
var candidates = map[string][]string{
	"id":   {"traj_id", "trajectory_id", "id"},
	"lon":  {"lon", "lng", "longitude", "x"},
	"lat":  {"lat", "latitude", "y"},
	"time": {"time", "timestamp", "datetime", "t"},
	"seq":  {"seq"},
	"user": {"user_id", "uid"},
	"mode": {"mode", "label"},
}

type layout struct{ id, lon, lat, time, seq, user, mode int }

func findColumns(header []string, over Columns, name string) (layout, error) {
	idx := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h)) // parse.Lines dropped a byte order mark
		if _, dup := idx[h]; !dup {
			idx[h] = i
		}
	}
	find := func(key, override string, required bool) (int, error) {
		if override != "" {
			if i, ok := idx[strings.ToLower(override)]; ok {
				return i, nil
			}
			return -1, parse.Errorf(name, 1, key, override, "column %q not in header %v", override, header)
		}
		for _, c := range candidates[key] {
			if i, ok := idx[c]; ok {
				return i, nil
			}
		}
		if required {
			return -1, parse.Errorf(name, 1, key, "", "no %s column in header %v (want one of %s, or name it explicitly)", key, header, strings.Join(candidates[key], "|"))
		}
		return -1, nil
	}
	var l layout
	var err error
	for _, c := range []struct {
		dst      *int
		key, ovr string
		required bool
	}{{&l.id, "id", over.ID, false}, {&l.lon, "lon", over.Lon, true}, {&l.lat, "lat", over.Lat, true},
		{&l.time, "time", over.Time, false}, {&l.seq, "seq", over.Seq, false}, {&l.user, "user", over.User, false},
		{&l.mode, "mode", over.Mode, false}} {
		if *c.dst, err = find(c.key, c.ovr, c.required); err != nil {
			return l, err
		}
	}
	return l, nil
}

// Read parses a CSV stream into a dataset; trajectories are in order of
// first appearance. name is used in errors and as the trajectory id when
// the file has no id column. Every row is one line: a quoted field may
// hold the separator but not a line break, so a quote that is never
// closed spoils only its own line (a bad row naming it), not the rest of
// the file. A UTF-8 byte order mark is ignored.
func Read(r io.Reader, name string, cols Columns, rep *parse.Report) (*traj.Dataset, error) {
	lines := parse.NewLines(r)
	var (
		sep    byte
		header []string
		rec    [][]byte
	)
	for lines.Next() {
		if len(bytes.TrimSpace(lines.Bytes())) == 0 {
			continue
		}
		sep = detectComma(lines.Bytes())
		f, ok := parse.SplitQuotedSep(nil, lines.Bytes(), sep)
		if !ok {
			return nil, parse.Errorf(name, lines.N(), "", string(lines.Bytes()), "header: unterminated quote or text after a quoted field")
		}
		for _, h := range f {
			header = append(header, string(h))
		}
		break
	}
	if err := lines.Err(); err != nil {
		return nil, parse.FileError(name, err)
	}
	if header == nil {
		return nil, &parse.Error{File: name, Err: errors.New("empty file: want a header row such as traj_id,lon,lat,time")}
	}
	l, err := findColumns(header, cols, name)
	if err != nil {
		return nil, err
	}
	type acc struct {
		t    *traj.Trajectory
		seqs []float64
	}
	byID := map[string]*acc{}
	var order []*acc
	nan := math.NaN()
	sawMode := false
	for lines.Next() {
		raw := lines.Bytes()
		if len(bytes.TrimSpace(raw)) == 0 {
			continue
		}
		line := lines.N()
		var ok bool
		if rec, ok = parse.SplitQuotedSep(rec, raw, sep); !ok {
			rep.Row()
			if err := rep.Bad(parse.Errorf(name, line, "", string(raw), "unterminated quote or text after a quoted field")); err != nil {
				return nil, err
			}
			continue
		}
		rep.Row()
		p, seq, perr := point(rec, l, len(header), name, line)
		if perr != nil {
			if err := rep.Bad(perr); err != nil {
				return nil, err
			}
			continue
		}
		p.Alt, p.Speed, p.Accuracy = nan, nan, nan
		id := name
		if l.id >= 0 {
			id = string(bytes.TrimSpace(rec[l.id]))
			if id == "" {
				if err := rep.Bad(parse.Errorf(name, line, header[l.id], "", "empty trajectory id")); err != nil {
					return nil, err
				}
				continue
			}
		}
		a := byID[id]
		if a == nil {
			a = &acc{t: &traj.Trajectory{ID: id}}
			if l.user >= 0 {
				a.t.UserID = string(bytes.TrimSpace(rec[l.user]))
			}
			byID[id] = a
			order = append(order, a)
		}
		a.t.Points = append(a.t.Points, p)
		if l.seq >= 0 {
			a.seqs = append(a.seqs, seq)
		}
		if l.mode >= 0 {
			m := string(bytes.TrimSpace(rec[l.mode]))
			sawMode = sawMode || m != ""
			a.t.Modes = append(a.t.Modes, m)
		}
	}
	if err := lines.Err(); err != nil {
		return nil, &parse.Error{File: name, Line: lines.N() + 1, Err: err}
	}
	parse.CheckLastLine(lines, name, rep)
	if len(order) == 0 {
		if rep != nil && rep.SkippedRows > 0 {
			return nil, &parse.Error{File: name, Err: fmt.Errorf("no trajectories: all %d data rows were bad", rep.SkippedRows)}
		}
		return nil, &parse.Error{File: name, Err: errors.New("no trajectories: no data rows after the header")}
	}
	ds := &traj.Dataset{Name: strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))}
	for _, a := range order {
		t := a.t
		switch {
		case a.seqs != nil:
			sortBy(t, func(i, j int) bool { return a.seqs[i] < a.seqs[j] }, a.seqs)
		case l.time >= 0:
			sortBy(t, func(i, j int) bool { return t.Points[i].Time.Before(t.Points[j].Time) }, nil)
		}
		if !sawMode {
			t.Modes = nil
		}
		if t.Modes != nil {
			t.Mode = t.Modes[0]
			for _, m := range t.Modes {
				if m != t.Mode {
					t.Mode = ""
					break
				}
			}
			if t.Mode != "" {
				t.Modes = nil // one mode for the whole trajectory
			}
		}
		ds.Trajectories = append(ds.Trajectories, t)
	}
	return ds, nil
}

// sortBy stably sorts the points (with their modes and seqs) by less.
func sortBy(t *traj.Trajectory, less func(i, j int) bool, seqs []float64) {
	if sort.SliceIsSorted(t.Points, less) {
		return
	}
	idx := make([]int, len(t.Points))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return less(idx[a], idx[b]) })
	pts := make([]traj.Point, len(idx))
	for k, i := range idx {
		pts[k] = t.Points[i]
	}
	t.Points = pts
	if t.Modes != nil {
		m := make([]string, len(idx))
		for k, i := range idx {
			m[k] = t.Modes[i]
		}
		t.Modes = m
	}
	if seqs != nil {
		s := make([]float64, len(idx))
		for k, i := range idx {
			s[k] = seqs[i]
		}
		copy(seqs, s)
	}
}

func point(rec [][]byte, l layout, ncol int, name string, line int) (traj.Point, float64, *parse.Error) {
	if len(rec) < ncol {
		return traj.Point{}, 0, parse.Errorf(name, line, "", string(bytes.Join(rec, []byte(","))), "short row: %d fields, header has %d", len(rec), ncol)
	}
	lon, err := parse.Float(bytes.TrimSpace(rec[l.lon]))
	if err != nil {
		return traj.Point{}, 0, parse.Errorf(name, line, "lon", string(rec[l.lon]), "not a number")
	}
	lat, err := parse.Float(bytes.TrimSpace(rec[l.lat]))
	if err != nil {
		return traj.Point{}, 0, parse.Errorf(name, line, "lat", string(rec[l.lat]), "not a number")
	}
	if err := traj.CheckLonLat(lon, lat); err != nil {
		field, val := "lon", rec[l.lon]
		if !parse.Finite(lat) || lat < -90 || lat > 90 {
			field, val = "lat", rec[l.lat]
		}
		return traj.Point{}, 0, parse.Errorf(name, line, field, string(val), "%v", err)
	}
	p := traj.Point{Point: orb.Point{lon, lat}}
	if l.time >= 0 {
		tm, err := parse.Time(bytes.TrimSpace(rec[l.time]))
		if err != nil {
			return traj.Point{}, 0, parse.Errorf(name, line, "time", string(rec[l.time]), "%v", err)
		}
		p.Time = tm
	}
	var seq float64
	if l.seq >= 0 {
		seq, err = parse.Float(bytes.TrimSpace(rec[l.seq]))
		if err != nil || !parse.Finite(seq) {
			return traj.Point{}, 0, parse.Errorf(name, line, "seq", string(rec[l.seq]), "not a number")
		}
	}
	return p, seq, nil
}

// detectComma picks the separator of the header line.
func detectComma(first []byte) byte {
	if bytes.IndexByte(first, ',') >= 0 {
		return ','
	}
	if bytes.IndexByte(first, '\t') >= 0 {
		return '\t'
	}
	if bytes.IndexByte(first, ';') >= 0 {
		return ';'
	}
	return ','
}

// Load reads the CSV file at path (see Read).
func Load(path string, cols Columns, rep *parse.Report) (*traj.Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, parse.FileError(path, err)
	}
	defer f.Close()
	rep.File()
	return Read(f, path, cols, rep)
}

// Write writes ds as CSV with header traj_id,user_id,mode,lon,lat,time
// (time RFC 3339 UTC), the layout Read detects; a per-point mode is
// written where present, else the trajectory mode.
func Write(w io.Writer, ds *traj.Dataset) error {
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	if err := cw.Write([]string{"traj_id", "user_id", "mode", "lon", "lat", "time"}); err != nil {
		return err
	}
	rec := make([]string, 6)
	for _, t := range ds.Trajectories {
		for i, p := range t.Points {
			rec[0], rec[1], rec[2] = t.ID, t.UserID, t.ModeAt(i)
			rec[3] = strconv.FormatFloat(p.Lon(), 'f', -1, 64)
			rec[4] = strconv.FormatFloat(p.Lat(), 'f', -1, 64)
			rec[5] = p.Time.UTC().Format(time.RFC3339Nano)
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}
