// Package porto reads the Porto taxi data of the ECML/PKDD 2015 challenge
// (train.csv / test.csv): one trip per row, with TRIP_ID, TAXI_ID, the
// unix TIMESTAMP of the first fix, MISSING_DATA, and POLYLINE, a JSON
// list of [lon, lat] pairs sampled every 15 seconds.
//
// The training file is 1.8 GB, so rows are streamed: Reader.Next (or
// Reader.All) yields one trajectory at a time with constant memory; Load
// collects them (optionally only the first N).
package porto

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"os"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/tfm-course/course/datasets/parse"
	"github.com/tfm-course/course/tfm/traj"
)

// Interval is the sampling period of POLYLINE.
const Interval = 15 * time.Second

// Reader streams trajectories from a Porto CSV.
type Reader struct {
	lines  *parse.Lines
	name   string
	rep    *parse.Report
	fields [][]byte
	// column indexes; -1 when absent
	colTrip, colTaxi, colTime, colMissing, colCall, colPoly int
	ncol                                                    int
	eof                                                     bool
}

// NewReader reads the header line of r and returns a Reader. name is
// used in errors; rep (may be nil) sets the bad-row policy and counts.
func NewReader(r io.Reader, name string, rep *parse.Report) (*Reader, error) {
	pr := &Reader{lines: parse.NewLines(r), name: name, rep: rep}
	if !pr.lines.Next() {
		if err := pr.lines.Err(); err != nil {
			return nil, parse.FileError(name, err)
		}
		return nil, &parse.Error{File: name, Err: errors.New("empty file: want a header TRIP_ID,...,TIMESTAMP,MISSING_DATA,POLYLINE")}
	}
	hdr, ok := parse.SplitQuoted(nil, pr.lines.Bytes())
	if !ok {
		return nil, parse.Errorf(name, 1, "", "", "unterminated quote in header")
	}
	pr.ncol = len(hdr)
	idx := map[string]int{}
	for i, h := range hdr {
		idx[strings.ToUpper(strings.TrimSpace(string(h)))] = i
	}
	col := func(n string) int {
		if i, ok := idx[n]; ok {
			return i
		}
		return -1
	}
	pr.colTrip, pr.colTaxi, pr.colTime = col("TRIP_ID"), col("TAXI_ID"), col("TIMESTAMP")
	pr.colMissing, pr.colCall, pr.colPoly = col("MISSING_DATA"), col("CALL_TYPE"), col("POLYLINE")
	for n, i := range map[string]int{"TRIP_ID": pr.colTrip, "TIMESTAMP": pr.colTime, "POLYLINE": pr.colPoly} {
		if i < 0 {
			return nil, parse.Errorf(name, 1, n, "", "missing column %s in header (want TRIP_ID,...,TIMESTAMP,MISSING_DATA,POLYLINE)", n)
		}
	}
	return pr, nil
}

// Line is the 1-based line number of the last row read.
func (r *Reader) Line() int { return r.lines.N() }

// Next returns the next trip, or io.EOF after the last. A trip with an
// empty POLYLINE ("[]") is a bad row: an
// error naming its line, or under a SkipBad report, like every bad row,
// counted and passed over.
func (r *Reader) Next() (*traj.Trajectory, error) {
	for r.lines.Next() {
		line := r.lines.Bytes()
		if len(line) == 0 {
			continue
		}
		r.rep.Row()
		t, perr := r.row(line)
		if perr != nil {
			if err := r.rep.Bad(perr); err != nil {
				return nil, err
			}
			continue
		}
		return t, nil
	}
	if err := r.lines.Err(); err != nil {
		return nil, &parse.Error{File: r.name, Line: r.lines.N() + 1, Err: err}
	}
	if !r.eof {
		r.eof = true
		parse.CheckLastLine(r.lines, r.name, r.rep)
	}
	return nil, io.EOF
}

// All iterates over the remaining trips; iteration stops after the first
// error, which is yielded with a nil trajectory.
func (r *Reader) All() iter.Seq2[*traj.Trajectory, error] {
	return func(yield func(*traj.Trajectory, error) bool) {
		for {
			t, err := r.Next()
			if err == io.EOF {
				return
			}
			if !yield(t, err) || err != nil {
				return
			}
		}
	}
}

func (r *Reader) row(line []byte) (*traj.Trajectory, *parse.Error) {
	n := r.lines.N()
	var ok bool
	r.fields, ok = parse.SplitQuoted(r.fields, line)
	if !ok {
		return nil, parse.Errorf(r.name, n, "", string(line), "unterminated quote or stray text after a quoted field")
	}
	if len(r.fields) != r.ncol {
		return nil, parse.Errorf(r.name, n, "", string(line), "want %d fields as in the header, got %d", r.ncol, len(r.fields))
	}
	f := r.fields
	tripID := string(f[r.colTrip])
	if tripID == "" {
		return nil, parse.Errorf(r.name, n, "TRIP_ID", "", "empty trip id")
	}
	ts, err := parse.Int(f[r.colTime])
	if err != nil || ts < 0 {
		return nil, parse.Errorf(r.name, n, "TIMESTAMP", string(f[r.colTime]), "want unix seconds")
	}
	t := &traj.Trajectory{ID: tripID}
	if r.colTaxi >= 0 {
		t.UserID = string(f[r.colTaxi])
	}
	if r.colCall >= 0 || r.colMissing >= 0 {
		t.Labels = make(map[string]string, 2)
		if r.colCall >= 0 {
			t.Labels["call_type"] = string(f[r.colCall])
		}
		if r.colMissing >= 0 {
			switch m := f[r.colMissing]; {
			case bytes.EqualFold(m, []byte("true")):
				t.Labels["missing_data"] = "true"
			case bytes.EqualFold(m, []byte("false")):
				t.Labels["missing_data"] = "false"
			default:
				return nil, parse.Errorf(r.name, n, "MISSING_DATA", string(m), "want True or False")
			}
		}
	}
	pts, perr := appendPolyline(nil, f[r.colPoly], time.Unix(ts, 0).UTC())
	if perr != nil {
		perr.File, perr.Line = r.name, n
		return nil, perr
	}
	if len(pts) == 0 {
		return nil, parse.Errorf(r.name, n, "POLYLINE", "[]", "empty polyline: a trip without points (--skip-bad skips and counts such trips)")
	}
	t.Points = pts
	return t, nil
}

// ParsePolyline parses a POLYLINE value "[[lon,lat],...]"; point i gets
// time start + i·15 s.
func ParsePolyline(b []byte, start time.Time) ([]traj.Point, error) {
	pts, err := appendPolyline(nil, b, start)
	if err != nil {
		return nil, err
	}
	return pts, nil
}

func appendPolyline(pts []traj.Point, b []byte, start time.Time) ([]traj.Point, *parse.Error) {
	bad := func(i int, format string, args ...any) *parse.Error {
		return parse.Errorf("", 0, "POLYLINE", fmt.Sprintf("%.30s", b), "point %d: %s", i, fmt.Sprintf(format, args...))
	}
	s := skipSpace(b)
	if len(s) == 0 || s[0] != '[' {
		return nil, bad(0, "want a JSON list [[lon,lat],...]")
	}
	s = skipSpace(s[1:])
	if len(s) > 0 && s[0] == ']' {
		if len(skipSpace(s[1:])) != 0 {
			return nil, bad(0, "text after the list")
		}
		return pts, nil
	}
	// count pairs to size the slice once
	if cap(pts) == 0 {
		pts = make([]traj.Point, 0, bytes.Count(s, []byte{'['}))
	}
	nan := math.NaN()
	for i := 0; ; i++ {
		if len(s) == 0 || s[0] != '[' {
			return nil, bad(i, "want [lon,lat]")
		}
		s = skipSpace(s[1:])
		c := bytes.IndexByte(s, ',')
		if c < 0 {
			return nil, bad(i, "want [lon,lat]")
		}
		lon, err := parse.Float(bytes.TrimSpace(s[:c]))
		if err != nil {
			return nil, bad(i, "longitude %q is not a number", s[:c])
		}
		s = s[c+1:]
		e := bytes.IndexByte(s, ']')
		if e < 0 {
			return nil, bad(i, "want [lon,lat]")
		}
		lat, err := parse.Float(bytes.TrimSpace(s[:e]))
		if err != nil {
			return nil, bad(i, "latitude %q is not a number", s[:e])
		}
		if err := traj.CheckLonLat(lon, lat); err != nil {
			return nil, bad(i, "%v", err)
		}
		pts = append(pts, traj.Point{Point: orb.Point{lon, lat}, Time: start.Add(time.Duration(i) * Interval), Alt: nan, Speed: nan, Accuracy: nan})
		s = skipSpace(s[e+1:])
		if len(s) == 0 {
			return nil, bad(i, "unterminated list")
		}
		if s[0] == ']' {
			if len(skipSpace(s[1:])) != 0 {
				return nil, bad(i, "text after the list")
			}
			return pts, nil
		}
		if s[0] != ',' {
			return nil, bad(i, "want ',' or ']' after a point")
		}
		s = skipSpace(s[1:])
	}
}

func skipSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}

// Read collects the trips of a Porto CSV stream; limit > 0 stops after
// that many trips.
func Read(r io.Reader, name string, rep *parse.Report, limit int) (*traj.Dataset, error) {
	pr, err := NewReader(r, name, rep)
	if err != nil {
		return nil, err
	}
	ds := &traj.Dataset{Name: "porto"}
	for t, err := range pr.All() {
		if err != nil {
			return nil, err
		}
		ds.Trajectories = append(ds.Trajectories, t)
		if limit > 0 && len(ds.Trajectories) >= limit {
			break
		}
	}
	if len(ds.Trajectories) == 0 {
		return nil, &parse.Error{File: name, Err: errors.New("no trips after the header")}
	}
	return ds, nil
}

// Load reads the Porto CSV at path (see Read).
func Load(path string, rep *parse.Report, limit int) (*traj.Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, parse.FileError(path, err)
	}
	defer f.Close()
	rep.File()
	return Read(f, path, rep, limit)
}
