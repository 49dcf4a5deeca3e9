// Package tdrive reads Microsoft Research's T-Drive taxi sample: one text
// file per taxi (NNN.txt), each line "id,YYYY-MM-DD HH:MM:SS,lon,lat"
// (Beijing, February 2008; times as given, read as UTC). Each file is one
// trajectory whose ID and UserID are the taxi id.
package tdrive

import (
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/tfm-course/course/datasets/parse"
	"github.com/tfm-course/course/tfm/traj"
)

// Read parses one taxi file stream; name is used in errors.
func Read(r io.Reader, name string, rep *parse.Report) (*traj.Trajectory, error) {
	lines := parse.NewLines(r)
	var fields [][]byte
	t := &traj.Trajectory{}
	nan := math.NaN()
	for lines.Next() {
		line := lines.Bytes()
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		rep.Row()
		fields = parse.Split(fields, line, ',')
		p, id, perr := point(fields, name, lines.N(), line, t.ID)
		if perr != nil {
			if err := rep.Bad(perr); err != nil {
				return nil, err
			}
			continue
		}
		if t.ID == "" {
			t.ID, t.UserID = id, id
		}
		p.Alt, p.Speed, p.Accuracy = nan, nan, nan
		t.Points = append(t.Points, p)
	}
	if err := lines.Err(); err != nil {
		return nil, &parse.Error{File: name, Line: lines.N() + 1, Err: err}
	}
	parse.CheckLastLine(lines, name, rep)
	if lines.N() == 0 {
		return nil, &parse.Error{File: name, Err: errors.New("empty file")}
	}
	if len(t.Points) == 0 {
		return nil, &parse.Error{File: name, Err: errors.New("no valid points")}
	}
	return t, nil
}

func point(f [][]byte, name string, n int, raw []byte, wantID string) (traj.Point, string, *parse.Error) {
	if len(f) != 4 {
		return traj.Point{}, "", parse.Errorf(name, n, "", string(raw), "want 4 comma-separated fields (id,datetime,lon,lat), got %d", len(f))
	}
	id := string(bytes.TrimSpace(f[0]))
	if id == "" {
		return traj.Point{}, "", parse.Errorf(name, n, "id", "", "empty taxi id")
	}
	if wantID != "" && id != wantID {
		return traj.Point{}, "", parse.Errorf(name, n, "id", id, "taxi id differs from the file's first row (%s)", wantID)
	}
	tm, err := parse.DateTime(f[1])
	if err != nil {
		return traj.Point{}, "", parse.Errorf(name, n, "datetime", string(f[1]), "want YYYY-MM-DD HH:MM:SS")
	}
	lon, err := parse.Float(f[2])
	if err != nil {
		return traj.Point{}, "", parse.Errorf(name, n, "lon", string(f[2]), "not a number")
	}
	lat, err := parse.Float(f[3])
	if err != nil {
		return traj.Point{}, "", parse.Errorf(name, n, "lat", string(f[3]), "not a number")
	}
	if err := traj.CheckLonLat(lon, lat); err != nil {
		field := "lon"
		if !parse.Finite(lat) || lat < -90 || lat > 90 {
			field = "lat"
		}
		return traj.Point{}, "", parse.Errorf(name, n, field, string(raw), "%v", err)
	}
	return traj.Point{Point: orb.Point{lon, lat}, Time: tm}, id, nil
}

// Load reads a T-Drive folder (every *.txt file, in numeric order of the
// file name) or a single taxi file.
func Load(path string, rep *parse.Report) (*traj.Dataset, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, parse.FileError(path, err)
	}
	files := []string{path}
	if fi.IsDir() {
		for _, sub := range []string{"taxi_log_2008_by_id", filepath.Join("release", "taxi_log_2008_by_id")} {
			if isDir(filepath.Join(path, sub)) {
				path = filepath.Join(path, sub)
				break
			}
		}
		if files, err = parse.ListFiles(path, ".txt"); err != nil {
			return nil, err
		}
		sort.SliceStable(files, func(i, j int) bool { return numericLess(filepath.Base(files[i]), filepath.Base(files[j])) })
	}
	ds := &traj.Dataset{Name: "tdrive"}
	for _, p := range files {
		t, err := loadFile(p, rep)
		if err != nil {
			if err := rep.SkipFile(p, err); err != nil {
				return nil, err
			}
			continue
		}
		ds.Trajectories = append(ds.Trajectories, t)
	}
	if len(ds.Trajectories) == 0 {
		return nil, &parse.Error{File: path, Err: errors.New("no trajectories: want taxi files NNN.txt with lines id,datetime,lon,lat")}
	}
	return ds, nil
}

func loadFile(p string, rep *parse.Report) (*traj.Trajectory, error) {
	return parse.OpenAndRead(p, rep, func(r io.Reader) (*traj.Trajectory, error) { return Read(r, p, rep) })
}

// numericLess orders "2.txt" before "10.txt", falling back to text order.
func numericLess(a, b string) bool {
	na, ea := strconv.Atoi(strings.TrimSuffix(a, filepath.Ext(a)))
	nb, eb := strconv.Atoi(strings.TrimSuffix(b, filepath.Ext(b)))
	if ea == nil && eb == nil {
		return na < nb
	}
	if (ea == nil) != (eb == nil) {
		return ea == nil
	}
	return a < b
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
