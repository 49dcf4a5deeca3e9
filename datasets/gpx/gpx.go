// Package gpx reads GPX 1.1 (and 1.0) files with the standard XML
// decoder, streaming one element at a time. Each track segment
// (<trk><trkseg>) becomes one trajectory; the track's <name> goes to
// Labels["name"] and its <type> to Mode. Routes and waypoints are ignored.
package gpx

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/paulmach/orb"
	"github.com/tfm-course/course/datasets/parse"
	"github.com/tfm-course/course/tfm/traj"
)

type trkpt struct {
	Lat  string `xml:"lat,attr"`
	Lon  string `xml:"lon,attr"`
	Ele  string `xml:"ele"`
	Time string `xml:"time"`
}

// Read parses a GPX stream. Trajectory ids are "BASE/TRACK.SEGMENT"
// (1-based), BASE being name without its extension.
func Read(r io.Reader, name string, rep *parse.Report) (*traj.Dataset, error) {
	dec := xml.NewDecoder(parse.SkipBOM(r))
	dec.Strict = true
	base := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	ds := &traj.Dataset{Name: base}
	var (
		depth            []string
		trkN, segN       int
		trkName, trkType string
		cur              *traj.Trajectory
		sawRoot          bool
	)
	xmlErr := func(err error) error {
		line, _ := dec.InputPos()
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			line = se.Line
		}
		return &parse.Error{File: name, Line: line, Err: fmt.Errorf("XML: %w", err)}
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, xmlErr(err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			local := el.Name.Local
			parent := ""
			if len(depth) > 0 {
				parent = depth[len(depth)-1]
			}
			switch {
			case len(depth) == 0:
				if local != "gpx" {
					line, _ := dec.InputPos()
					return nil, parse.Errorf(name, line, "", local, "root element is <%s>, want <gpx>", local)
				}
				sawRoot = true
			case local == "trk" && len(depth) == 1: // gpx/trk only: an element's place is its whole path
				trkN, segN = trkN+1, 0
				trkName, trkType = "", ""
			case (local == "name" || local == "type") && parent == "trk" && len(depth) == 2:
				var s string
				if err := dec.DecodeElement(&s, &el); err != nil {
					return nil, xmlErr(err)
				}
				if local == "name" {
					trkName = strings.TrimSpace(s)
				} else {
					trkType = strings.TrimSpace(s)
				}
				continue
			case local == "trkseg" && parent == "trk" && len(depth) == 2:
				segN++
				cur = &traj.Trajectory{ID: fmt.Sprintf("%s/%d.%d", base, trkN, segN), Mode: trkType}
				if trkName != "" {
					cur.Labels = map[string]string{"name": trkName}
				}
			case local == "trkpt" && parent == "trkseg" && len(depth) == 3 && cur != nil:
				line, _ := dec.InputPos()
				var tp trkpt
				if err := dec.DecodeElement(&tp, &el); err != nil {
					return nil, xmlErr(err)
				}
				rep.Row()
				p, perr := point(tp, name, line)
				if perr != nil {
					if err := rep.Bad(perr); err != nil {
						return nil, err
					}
					continue
				}
				cur.Points = append(cur.Points, p)
				continue
			}
			depth = append(depth, local)
		case xml.EndElement:
			if len(depth) == 0 {
				continue
			}
			if len(depth) == 3 && depth[2] == "trkseg" && cur != nil { // the segment that opened cur, not one nested in it
				if len(cur.Points) > 0 {
					ds.Trajectories = append(ds.Trajectories, cur)
				}
				cur = nil
			}
			depth = depth[:len(depth)-1]
		}
	}
	if !sawRoot {
		return nil, &parse.Error{File: name, Err: errors.New("empty file or no <gpx> element")}
	}
	if len(ds.Trajectories) == 0 {
		return nil, &parse.Error{File: name, Err: errors.New("no trajectories: no <trk><trkseg> with points")}
	}
	return ds, nil
}

func point(tp trkpt, name string, line int) (traj.Point, *parse.Error) {
	lat, err := parse.Float([]byte(strings.TrimSpace(tp.Lat)))
	if err != nil {
		return traj.Point{}, parse.Errorf(name, line, "lat", tp.Lat, "not a number")
	}
	lon, err := parse.Float([]byte(strings.TrimSpace(tp.Lon)))
	if err != nil {
		return traj.Point{}, parse.Errorf(name, line, "lon", tp.Lon, "not a number")
	}
	if err := traj.CheckLonLat(lon, lat); err != nil {
		field, val := "lon", tp.Lon
		if !parse.Finite(lat) || lat < -90 || lat > 90 {
			field, val = "lat", tp.Lat
		}
		return traj.Point{}, parse.Errorf(name, line, field, val, "%v", err)
	}
	p := traj.Point{Point: orb.Point{lon, lat}, Alt: math.NaN(), Speed: math.NaN(), Accuracy: math.NaN()}
	if s := strings.TrimSpace(tp.Ele); s != "" {
		ele, err := parse.Float([]byte(s))
		if err != nil || !parse.Finite(ele) {
			return traj.Point{}, parse.Errorf(name, line, "ele", tp.Ele, "not a number")
		}
		p.Alt = ele
	}
	if s := strings.TrimSpace(tp.Time); s != "" {
		tm, err := parse.Time([]byte(s))
		if err != nil {
			return traj.Point{}, parse.Errorf(name, line, "time", tp.Time, "%v", err)
		}
		p.Time = tm
	}
	return p, nil
}

// Load reads one .gpx file or every *.gpx file of a folder (name order).
func Load(path string, rep *parse.Report) (*traj.Dataset, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, parse.FileError(path, err)
	}
	files := []string{path}
	if fi.IsDir() {
		if files, err = parse.ListFiles(path, ".gpx"); err != nil {
			return nil, err
		}
	}
	ds := &traj.Dataset{Name: "gpx"}
	for _, p := range files {
		d, err := loadFile(p, rep)
		if err != nil {
			if err := rep.SkipFile(p, err); err != nil {
				return nil, err
			}
			continue
		}
		ds.Trajectories = append(ds.Trajectories, d.Trajectories...)
	}
	if len(ds.Trajectories) == 0 {
		return nil, &parse.Error{File: path, Err: errors.New("no trajectories: want .gpx files with <trk><trkseg><trkpt>")}
	}
	return ds, nil
}

func loadFile(p string, rep *parse.Report) (*traj.Dataset, error) {
	return parse.OpenAndRead(p, rep, func(r io.Reader) (*traj.Dataset, error) { return Read(r, p, rep) })
}
