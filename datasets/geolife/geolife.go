// Package geolife reads Microsoft Research's GeoLife 1.3 GPS trajectories:
// a folder of users NNN/, each with Trajectory/*.plt files (one trajectory
// per file) and, for some users, a labels.txt of transport-mode intervals
// whose modes are attached to the points they cover.
//
// Files are streamed line by line; a bad value is an error naming
// file:line and field, or, with a Report whose SkipBad is set, a counted skip.
package geolife

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/tfm-course/course/datasets/parse"
	"github.com/tfm-course/course/tfm/traj"
)

// HeaderLines is the number of header lines of a .plt file.
const HeaderLines = 6

// feetToMetres converts the .plt altitude (feet) to metres.
const feetToMetres = 0.3048

// InvalidAltitude is the .plt marker for an unknown altitude (feet).
const InvalidAltitude = -777

// Interval is one line of labels.txt: a transport mode from Start to End
// (inclusive, UTC as in the data set).
type Interval struct {
	Start, End time.Time
	Mode       string
}

// ReadPLT parses one .plt stream (name is used in errors). The 6 header
// lines are skipped; each data line is lat,lon,0,alt_ft,days,date,time.
func ReadPLT(r io.Reader, name string, rep *parse.Report) ([]traj.Point, error) {
	lines := parse.NewLines(r)
	var pts []traj.Point
	var fields [][]byte
	header := 0
	for lines.Next() {
		if header < HeaderLines {
			header++
			continue
		}
		line := lines.Bytes()
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		rep.Row()
		fields = parse.Split(fields, line, ',')
		p, perr := pointFromFields(fields, name, lines.N(), line)
		if perr != nil {
			if err := rep.Bad(perr); err != nil {
				return nil, err
			}
			continue
		}
		pts = append(pts, p)
	}
	if err := lines.Err(); err != nil {
		return nil, &parse.Error{File: name, Line: lines.N() + 1, Err: err}
	}
	parse.CheckLastLine(lines, name, rep)
	if header == 0 {
		return nil, &parse.Error{File: name, Err: errors.New("empty file")}
	}
	if header < HeaderLines {
		return nil, &parse.Error{File: name, Line: header, Err: fmt.Errorf("truncated header: %d of %d lines", header, HeaderLines)}
	}
	return pts, nil
}

func pointFromFields(f [][]byte, name string, line int, raw []byte) (traj.Point, *parse.Error) {
	if len(f) != 7 {
		return traj.Point{}, parse.Errorf(name, line, "", string(raw), "want 7 comma-separated fields (lat,lon,0,alt,days,date,time), got %d", len(f))
	}
	lat, err := parse.Float(f[0])
	if err != nil {
		return traj.Point{}, parse.Errorf(name, line, "lat", string(f[0]), "not a number")
	}
	lon, err := parse.Float(f[1])
	if err != nil {
		return traj.Point{}, parse.Errorf(name, line, "lon", string(f[1]), "not a number")
	}
	if err := traj.CheckLonLat(lon, lat); err != nil {
		field := "lat"
		if parse.Finite(lat) && lat >= -90 && lat <= 90 {
			field = "lon"
		}
		return traj.Point{}, parse.Errorf(name, line, field, string(raw), "%v", err)
	}
	alt, err := parse.Float(f[3])
	if err != nil || !parse.Finite(alt) {
		return traj.Point{}, parse.Errorf(name, line, "alt", string(f[3]), "not a number")
	}
	if alt == InvalidAltitude {
		alt = math.NaN()
	} else {
		alt *= feetToMetres
	}
	days, err := parse.Date(f[5])
	if err != nil {
		return traj.Point{}, parse.Errorf(name, line, "date", string(f[5]), "want YYYY-MM-DD")
	}
	secs, err := parse.Clock(f[6])
	if err != nil {
		return traj.Point{}, parse.Errorf(name, line, "time", string(f[6]), "want HH:MM:SS")
	}
	return traj.Point{
		Point: orb.Point{lon, lat},
		Time:  time.Unix(days*86400+secs, 0).UTC(),
		Alt:   alt, Speed: math.NaN(), Accuracy: math.NaN(),
	}, nil
}

// ReadLabels parses a labels.txt stream: a header line, then
// "YYYY/MM/DD HH:MM:SS<TAB>YYYY/MM/DD HH:MM:SS<TAB>mode" lines. Intervals
// are returned sorted by start.
func ReadLabels(r io.Reader, name string, rep *parse.Report) ([]Interval, error) {
	lines := parse.NewLines(r)
	var out []Interval
	var fields [][]byte
	for lines.Next() {
		line := lines.Bytes()
		if lines.N() == 1 && bytes.HasPrefix(line, []byte("Start Time")) {
			continue
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		rep.Row()
		iv, perr := intervalFromLine(parse.Split(fields, line, '\t'), name, lines.N(), line)
		if perr != nil {
			if err := rep.Bad(perr); err != nil {
				return nil, err
			}
			continue
		}
		out = append(out, iv)
	}
	if err := lines.Err(); err != nil {
		return nil, parse.FileError(name, err)
	}
	parse.CheckLastLine(lines, name, rep)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out, nil
}

func intervalFromLine(f [][]byte, name string, line int, raw []byte) (Interval, *parse.Error) {
	if len(f) != 3 {
		return Interval{}, parse.Errorf(name, line, "", string(raw), "want 3 tab-separated fields (start, end, mode), got %d", len(f))
	}
	start, err := parse.DateTime(bytes.TrimSpace(f[0]))
	if err != nil {
		return Interval{}, parse.Errorf(name, line, "start", string(f[0]), "want YYYY/MM/DD HH:MM:SS")
	}
	end, err := parse.DateTime(bytes.TrimSpace(f[1]))
	if err != nil {
		return Interval{}, parse.Errorf(name, line, "end", string(f[1]), "want YYYY/MM/DD HH:MM:SS")
	}
	if end.Before(start) {
		return Interval{}, parse.Errorf(name, line, "end", string(f[1]), "end before start %s", f[0])
	}
	mode := strings.TrimSpace(string(f[2]))
	if mode == "" {
		return Interval{}, parse.Errorf(name, line, "mode", "", "empty transport mode")
	}
	return Interval{Start: start, End: end, Mode: mode}, nil
}

// AttachModes labels each point of t whose time lies inside an interval
// (start and end inclusive) with that interval's mode, sets t.Modes (nil
// when no point is covered) and t.Mode when every point has the same
// label. ivs must be sorted by start (as ReadLabels returns them). It
// returns the number of labelled points.
func AttachModes(t *traj.Trajectory, ivs []Interval) int {
	t.Modes = nil
	if len(ivs) == 0 || len(t.Points) == 0 {
		return 0
	}
	var modes []string
	n := 0
	for i, p := range t.Points {
		// last interval starting at or before p.Time
		k := sort.Search(len(ivs), func(j int) bool { return ivs[j].Start.After(p.Time) }) - 1
		if k < 0 || p.Time.After(ivs[k].End) {
			continue
		}
		if modes == nil {
			modes = make([]string, len(t.Points))
		}
		modes[i] = ivs[k].Mode
		n++
	}
	t.Modes = modes
	if n == len(t.Points) {
		t.Mode = modes[0]
		for _, m := range modes {
			if m != t.Mode {
				t.Mode = ""
				break
			}
		}
	}
	return n
}

// Load reads a GeoLife folder. root may be the "Data" folder (users NNN/
// inside), its parent (the unpacked "Geolife Trajectories 1.3"), or a
// single user's folder (with Trajectory/ inside). Users and files are read
// in name order; each .plt file becomes one trajectory with ID
// "USER/FILE" (e.g. "010/20070804033032") and UserID "USER".
func Load(root string, rep *parse.Report) (*traj.Dataset, error) {
	if fi, err := os.Stat(root); err != nil {
		return nil, parse.FileError(root, err)
	} else if !fi.IsDir() {
		return nil, &parse.Error{File: root, Err: errors.New("not a folder: want the GeoLife Data folder with users NNN/Trajectory/*.plt")}
	}
	if isDir(filepath.Join(root, "Data")) && !isDir(filepath.Join(root, "Trajectory")) {
		root = filepath.Join(root, "Data")
	}
	ds := &traj.Dataset{Name: "geolife"}
	var userDirs []string
	if isDir(filepath.Join(root, "Trajectory")) {
		userDirs = []string{root}
	} else {
		entries, err := os.ReadDir(root)
		if err != nil {
			return nil, parse.FileError(root, err)
		}
		for _, e := range entries {
			if e.IsDir() && isDir(filepath.Join(root, e.Name(), "Trajectory")) {
				userDirs = append(userDirs, filepath.Join(root, e.Name()))
			}
		}
	}
	for _, dir := range userDirs {
		ts, err := LoadUser(dir, rep)
		if err != nil {
			return nil, err
		}
		ds.Trajectories = append(ds.Trajectories, ts...)
	}
	if len(ds.Trajectories) == 0 {
		return nil, &parse.Error{File: root, Err: errors.New("no trajectories: want USER/Trajectory/*.plt files (GeoLife 1.3 layout)")}
	}
	return ds, nil
}

// LoadUser reads one user's folder (dir/Trajectory/*.plt and optional
// dir/labels.txt); the user id is the folder's name.
func LoadUser(dir string, rep *parse.Report) ([]*traj.Trajectory, error) {
	user := filepath.Base(dir)
	var ivs []Interval
	if f, err := os.Open(filepath.Join(dir, "labels.txt")); err == nil {
		rep.File()
		ivs, err = ReadLabels(f, f.Name(), rep)
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	files, err := parse.ListFiles(filepath.Join(dir, "Trajectory"), ".plt")
	if err != nil {
		return nil, err
	}
	var out []*traj.Trajectory
	for _, path := range files {
		t, err := loadFile(path, user, rep)
		if err != nil {
			if err := rep.SkipFile(path, err); err != nil {
				return nil, err
			}
			continue
		}
		AttachModes(t, ivs)
		out = append(out, t)
	}
	return out, nil
}

func loadFile(path, user string, rep *parse.Report) (*traj.Trajectory, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, parse.FileError(path, err)
	}
	defer f.Close()
	rep.File()
	pts, err := ReadPLT(f, path, rep)
	if err != nil {
		return nil, err
	}
	if len(pts) == 0 {
		return nil, &parse.Error{File: path, Err: errors.New("no points after the 6 header lines")}
	}
	id := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	return &traj.Trajectory{ID: user + "/" + id, UserID: user, Points: pts}, nil
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
