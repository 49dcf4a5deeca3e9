// Package geojson reads trajectories from a GeoJSON FeatureCollection (or
// a single Feature) of LineStrings: one trajectory per LineString (each
// part of a MultiLineString is one trajectory too). Point times come from
// the property "times" (also "timestamps" or "coordTimes"): one RFC 3339
// string or unix-seconds number per coordinate. Properties id (or the
// feature id), user_id, mode and modes fill the trajectory's fields; other
// string properties become Labels. It reads what traj.Trajectory.Feature writes.
package geojson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/tfm-course/course/datasets/parse"
	"github.com/tfm-course/course/tfm/traj"
)

// MaxBytes bounds the size of a GeoJSON document (read whole to report
// line numbers); stream larger data sets as CSV.
const MaxBytes = 1 << 30

var timeKeys = []string{"times", "timestamps", "coordTimes"}

// Read parses a GeoJSON document. name is used in errors and ids.
func Read(r io.Reader, name string, rep *parse.Report) (*traj.Dataset, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, parse.FileError(name, err)
	}
	if len(data) > MaxBytes {
		return nil, &parse.Error{File: name, Err: fmt.Errorf("larger than %d bytes", MaxBytes)}
	}
	data = parse.TrimBOM(data)
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &parse.Error{File: name, Err: errors.New("empty file")}
	}
	lineAt := func(off int64) int {
		if off > int64(len(data)) {
			off = int64(len(data))
		}
		for off < int64(len(data)) && (data[off] == ' ' || data[off] == '\n' || data[off] == '\r' || data[off] == '\t' || data[off] == ',') {
			off++
		}
		return 1 + bytes.Count(data[:off], []byte{'\n'})
	}
	ds := &traj.Dataset{Name: "geojson"}
	addFeature := func(raw []byte, line, index int) error {
		rep.Row()
		ts, perr := fromFeature(raw, name, line, index)
		if perr != nil {
			return rep.Bad(perr)
		}
		ds.Trajectories = append(ds.Trajectories, ts...)
		return nil
	}
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, jsonErr(name, data, err)
	}
	switch head.Type {
	case "Feature":
		if err := addFeature(data, 1, 0); err != nil {
			return nil, err
		}
	case "FeatureCollection":
		dec := json.NewDecoder(bytes.NewReader(data))
		if _, err := dec.Token(); err != nil { // {
			return nil, jsonErr(name, data, err)
		}
		sawFeatures := false
		for dec.More() {
			at := dec.InputOffset()
			key, err := dec.Token()
			if err != nil {
				return nil, jsonErr(name, data, err)
			}
			if key == "features" && sawFeatures { // JSON readers differ on which one counts
				return nil, parse.Errorf(name, lineAt(at), "features", "", "a second \"features\" key in the FeatureCollection")
			}
			if key != "features" {
				var skip json.RawMessage
				if err := dec.Decode(&skip); err != nil {
					return nil, jsonErr(name, data, err)
				}
				continue
			}
			sawFeatures = true
			if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
				return nil, parse.Errorf(name, lineAt(dec.InputOffset()), "features", "", "want an array of features")
			}
			for i := 0; dec.More(); i++ {
				line := lineAt(dec.InputOffset())
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					return nil, jsonErr(name, data, err)
				}
				if err := addFeature(raw, line, i); err != nil {
					return nil, err
				}
			}
			if _, err := dec.Token(); err != nil { // ]
				return nil, jsonErr(name, data, err)
			}
		}
	default:
		return nil, parse.Errorf(name, 1, "type", head.Type, "want a FeatureCollection or Feature")
	}
	if len(ds.Trajectories) == 0 {
		return nil, &parse.Error{File: name, Err: errors.New("no trajectories: no LineString features")}
	}
	return ds, nil
}

func jsonErr(name string, data []byte, err error) error {
	line := 0
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line = 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte{'\n'})
	}
	return &parse.Error{File: name, Line: line, Err: fmt.Errorf("JSON: %w", err)}
}

// fromFeature converts one feature; a LineString gives one trajectory, a
// MultiLineString one per part ("ID/k"); other geometries are an error.
func fromFeature(raw []byte, name string, line, index int) ([]*traj.Trajectory, *parse.Error) {
	f, err := geojson.UnmarshalFeature(raw)
	if err != nil {
		return nil, parse.Errorf(name, line, "", "", "feature %d: %v", index, err)
	}
	var parts []orb.LineString
	switch g := f.Geometry.(type) {
	case orb.LineString:
		parts = []orb.LineString{g}
	case orb.MultiLineString:
		parts = g
	default:
		gt := "null"
		if g != nil {
			gt = g.GeoJSONType()
		}
		return nil, parse.Errorf(name, line, "geometry", gt, "feature %d: want a LineString or MultiLineString", index)
	}
	id := propString(f.Properties, "id")
	if id == "" && f.ID != nil {
		id = fmt.Sprint(f.ID)
	}
	if id == "" {
		id = strconv.Itoa(index)
	}
	// times/modes run over all coordinates of all parts
	total := 0
	for _, p := range parts {
		total += len(p)
	}
	if total == 0 { // a feature is loaded or skipped, never dropped unsaid
		return nil, parse.Errorf(name, line, "geometry", f.Geometry.GeoJSONType(), "feature %d: no coordinates", index)
	}
	var times []any
	timeKey := ""
	for _, k := range timeKeys {
		if v, ok := f.Properties[k]; ok {
			arr, ok := v.([]any)
			if !ok {
				return nil, parse.Errorf(name, line, k, fmt.Sprint(v), "feature %d: want an array of times", index)
			}
			if len(arr) != total {
				return nil, parse.Errorf(name, line, k, "", "feature %d: %d times for %d coordinates", index, len(arr), total)
			}
			times, timeKey = arr, k
			break
		}
	}
	var modes []string
	if v, ok := f.Properties["modes"]; ok {
		arr, ok := v.([]any)
		if !ok || len(arr) != total {
			return nil, parse.Errorf(name, line, "modes", "", "feature %d: want one mode per coordinate (%d)", index, total)
		}
		modes = make([]string, total)
		for i, m := range arr {
			s, ok := m.(string)
			if !ok {
				return nil, parse.Errorf(name, line, "modes", fmt.Sprint(m), "feature %d: mode %d is not a string", index, i)
			}
			modes[i] = s
		}
	}
	labels := map[string]string{}
	for k, v := range f.Properties {
		switch k {
		case "id", "user_id", "mode", "modes", "times", "timestamps", "coordTimes":
			continue
		}
		if s, ok := v.(string); ok {
			labels[k] = s
		}
	}
	var out []*traj.Trajectory
	nan := math.NaN()
	k := 0
	for pi, ls := range parts {
		t := &traj.Trajectory{ID: id, UserID: propString(f.Properties, "user_id"), Mode: propString(f.Properties, "mode")}
		if len(parts) > 1 {
			t.ID = fmt.Sprintf("%s/%d", id, pi+1)
		}
		if len(labels) > 0 {
			t.Labels = make(map[string]string, len(labels))
			for a, b := range labels {
				t.Labels[a] = b
			}
		}
		t.Points = make([]traj.Point, len(ls))
		if modes != nil {
			t.Modes = modes[k : k+len(ls)]
		}
		for i, c := range ls {
			if err := traj.CheckLonLat(c[0], c[1]); err != nil {
				field := "lon"
				if !parse.Finite(c[1]) || c[1] < -90 || c[1] > 90 {
					field = "lat"
				}
				return nil, parse.Errorf(name, line, field, "", "feature %d coordinate %d: %v", index, k, err)
			}
			p := traj.Point{Point: c, Alt: nan, Speed: nan, Accuracy: nan}
			if times != nil {
				var tb []byte
				switch v := times[k].(type) {
				case string:
					tb = []byte(v)
				case float64:
					tb = strconv.AppendFloat(nil, v, 'f', -1, 64)
				}
				tm, err := parse.Time(tb)
				if err != nil {
					return nil, parse.Errorf(name, line, timeKey, fmt.Sprint(times[k]), "feature %d coordinate %d: %v", index, k, err)
				}
				p.Time = tm
			}
			t.Points[i] = p
			k++
		}
		if len(t.Points) > 0 {
			out = append(out, t)
		}
	}
	return out, nil
}

func propString(p geojson.Properties, key string) string {
	switch v := p[key].(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

// Load reads the GeoJSON file at path.
func Load(path string, rep *parse.Report) (*traj.Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, parse.FileError(path, err)
	}
	defer f.Close()
	rep.File()
	return Read(f, path, rep)
}

// Write writes ds as a FeatureCollection of trajectory features (see
// traj.Trajectory.Feature), the form Read reads back.
func Write(w io.Writer, ds *traj.Dataset) error {
	fc := geojson.NewFeatureCollection()
	for _, t := range ds.Trajectories {
		fc.Append(t.Feature())
	}
	b, err := json.Marshal(fc)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
