package synth

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/tfm-course/course/tfm/output"
)

// Files written by WriteDir, in order.
var Files = []string{
	"trajectories.csv", // traj_id,user_id,mode,lon,lat,time: the observed (noisy) fixes
	"truth.csv",        // traj_id,seq,lon,lat,time: the true position of each observed fix
	"paths.csv",        // traj_id,seq,segment_id,entry_time: the road-segment path
	"trips.csv",        // one row per trip: mode, purpose, times, nodes, districts
	"agents.csv",       // one row per user: home, work, vehicles, habit
	"roads.geojson",    // one LineString per directed segment
	"districts.geojson",
	"pois.geojson",
	"city.json", // name, seed, sizes, bound, sampling
}

const (
	timeLayout  = time.RFC3339                    // whole seconds, UTC ("Z")
	entryLayout = "2006-01-02T15:04:05.000Z07:00" // RFC 3339 with milliseconds
)

func ff(v float64, prec int) string { return strconv.FormatFloat(v, 'f', prec, 64) }

// WriteDir writes the city and its trips to dir (created if needed) as the
// files listed in Files, replacing files of those names. Coordinates have
// 7 decimals, times are RFC 3339 UTC; the same City gives byte-identical
// files. Each file is written atomically (see tfm/output).
func (c *City) WriteDir(dir string) error {
	d, err := output.OpenDir(dir, true)
	if err != nil {
		return err
	}
	return c.WriteInto(d)
}

// WriteInto writes the files of WriteDir into d, which refuses (before
// writing any) to replace a file that is not its own earlier output unless
// it was opened with force: what `tfm data synth --out` uses.
func (c *City) WriteInto(d *output.Dir) error {
	if err := d.Check(Files...); err != nil {
		return err
	}
	writers := []func(*bufio.Writer) error{
		c.writeTrajectories, c.writeTruth, c.writePaths, c.writeTrips, c.writeAgents,
		c.writeRoads, c.writeDistricts, c.writePOIs, c.writeMeta,
	}
	for i, name := range Files {
		err := d.WriteWith(name, func(w io.Writer) error {
			bw := bufio.NewWriterSize(w, 1<<16)
			if err := writers[i](bw); err != nil {
				return err
			}
			return bw.Flush()
		})
		if err != nil {
			return fmt.Errorf("synth: writing %s: %w", filepath.Join(d.Path(), name), err)
		}
	}
	return nil
}

func writeCSV(w *bufio.Writer, header []string, rows func(emit func(...string) error) error) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	if err := rows(func(r ...string) error { return cw.Write(r) }); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

func (c *City) writeTrajectories(w *bufio.Writer) error {
	return writeCSV(w, []string{"traj_id", "user_id", "mode", "lon", "lat", "time"}, func(emit func(...string) error) error {
		for i := range c.Trips {
			o := c.Trips[i].Observed
			for _, p := range o.Points {
				if err := emit(o.ID, o.UserID, o.Mode, ff(p.Lon(), 7), ff(p.Lat(), 7), p.Time.UTC().Format(timeLayout)); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func (c *City) writeTruth(w *bufio.Writer) error {
	return writeCSV(w, []string{"traj_id", "seq", "lon", "lat", "time"}, func(emit func(...string) error) error {
		for i := range c.Trips {
			tr := &c.Trips[i]
			for k, p := range tr.Truth {
				if err := emit(tr.ID, strconv.Itoa(k), ff(p.Lon(), 7), ff(p.Lat(), 7), p.Time.UTC().Format(timeLayout)); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func (c *City) writePaths(w *bufio.Writer) error {
	return writeCSV(w, []string{"traj_id", "seq", "segment_id", "entry_time"}, func(emit func(...string) error) error {
		for i := range c.Trips {
			tr := &c.Trips[i]
			for k, s := range tr.Path {
				if err := emit(tr.ID, strconv.Itoa(k), strconv.Itoa(s), tr.Entry[k].UTC().Format(entryLayout)); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func (c *City) writeTrips(w *bufio.Writer) error {
	header := []string{"traj_id", "user_id", "mode", "purpose", "depart", "arrive", "travel_time_s", "from_node", "to_node",
		"district_from", "district_type_from", "district_to", "district_type_to", "dest_poi", "path_length_m", "points",
		"income_from", "income_to"}
	return writeCSV(w, header, func(emit func(...string) error) error {
		for i := range c.Trips {
			tr := &c.Trips[i]
			poi := ""
			if tr.DestPOI >= 0 {
				poi = c.POIs[tr.DestPOI].Name
			}
			if err := emit(tr.ID, tr.UserID, tr.Mode, tr.Purpose, tr.Depart.UTC().Format(timeLayout), tr.Arrive.UTC().Format(timeLayout),
				strconv.Itoa(int(tr.TravelTime()/time.Second)), strconv.Itoa(tr.From), strconv.Itoa(tr.To),
				c.DistrictName(tr.FromDistrict), c.DistrictType(tr.FromDistrict), c.DistrictName(tr.ToDistrict), c.DistrictType(tr.ToDistrict),
				poi, ff(c.Network.PathLength(tr.Path), 1), strconv.Itoa(len(tr.Observed.Points)),
				c.DistrictIncome(tr.FromDistrict), c.DistrictIncome(tr.ToDistrict)); err != nil {
				return err
			}
		}
		return nil
	})
}

func (c *City) writeAgents(w *bufio.Writer) error {
	header := []string{"user_id", "occupation", "home_node", "work_node", "home_district", "work_district", "has_car", "has_bike", "habit"}
	return writeCSV(w, header, func(emit func(...string) error) error {
		for _, a := range c.Agents {
			if err := emit(a.ID, a.Occupation, strconv.Itoa(a.Home), strconv.Itoa(a.Work), c.DistrictName(a.HomeDistrict),
				c.DistrictName(a.WorkDistrict), strconv.FormatBool(a.HasCar), strconv.FormatBool(a.HasBike), a.Habit); err != nil {
				return err
			}
		}
		return nil
	})
}

// writeFeatures writes a FeatureCollection with one feature per line.
func writeFeatures(w *bufio.Writer, n int, feature func(i int) *geojson.Feature) error {
	w.WriteString(`{"type":"FeatureCollection","features":[` + "\n")
	for i := range n {
		b, err := json.Marshal(feature(i))
		if err != nil {
			return err
		}
		w.Write(b)
		if i+1 < n {
			w.WriteByte(',')
		}
		w.WriteByte('\n')
	}
	_, err := w.WriteString("]}\n")
	return err
}

func roundLine(ls orb.LineString) orb.LineString {
	out := make(orb.LineString, len(ls))
	for i, p := range ls {
		out[i] = roundPoint(p)
	}
	return out
}

func (c *City) writeRoads(w *bufio.Writer) error {
	segs := c.Network.Segments
	return writeFeatures(w, len(segs), func(i int) *geojson.Feature {
		s := &segs[i]
		f := geojson.NewFeature(roundLine(s.Geometry))
		f.Properties = geojson.Properties{
			"id": s.ID, "from": s.From, "to": s.To, "class": s.Class, "name": s.Name,
			"speed_limit": math.Round(s.SpeedLimit*1000) / 1000, "length_m": math.Round(s.Length*100) / 100,
			"reverse": s.Reverse, "oneway": s.Reverse < 0,
		}
		if c.drift != nil { // the after city marks its closed road
			f.Properties["closed"] = c.Closed(i)
		}
		return f
	})
}

func (c *City) writeDistricts(w *bufio.Writer) error {
	return writeFeatures(w, len(c.Districts), func(i int) *geojson.Feature {
		d := &c.Districts[i]
		f := geojson.NewFeature(d.Polygon)
		f.Properties = geojson.Properties{"id": d.ID, "name": d.Name, "type": d.Type, "income": d.Income}
		return f
	})
}

func (c *City) writePOIs(w *bufio.Writer) error {
	return writeFeatures(w, len(c.POIs), func(i int) *geojson.Feature {
		p := &c.POIs[i]
		f := geojson.NewFeature(p.Point)
		f.Properties = geojson.Properties{"id": p.ID, "name": p.Name, "category": p.Category,
			"district": c.DistrictName(p.District), "node": p.Node}
		return f
	})
}

// Meta is the content of city.json.
type Meta struct {
	Name             string         `json:"name"`
	Seed             int64          `json:"seed"`
	Trajectories     int            `json:"trajectories"`
	Points           int            `json:"points"`
	Users            int            `json:"users"`  // distinct users with trips
	Agents           int            `json:"agents"` // simulated users
	Nodes            int            `json:"nodes"`
	Segments         int            `json:"segments"`
	Districts        int            `json:"districts"`
	POIs             int            `json:"pois"`
	Bound            [4]float64     `json:"bbox"` // min_lon, min_lat, max_lon, max_lat
	Start            string         `json:"start"`
	End              string         `json:"end"`
	SamplingInterval float64        `json:"sampling_interval_s"`
	Noise            float64        `json:"noise_m"`
	DropoutRate      float64        `json:"dropout_rate"`
	ExternalNetwork  bool           `json:"external_network"`
	Modes            map[string]int `json:"modes"`
	Drift            *DriftReport   `json:"drift,omitempty"` // the after city only
}

// Meta summarises the city (also written as city.json).
func (c *City) Meta() Meta {
	m := Meta{Name: c.Name, Seed: c.Config.Seed, Trajectories: len(c.Trips), Agents: len(c.Agents),
		Nodes: len(c.Network.Nodes), Segments: len(c.Network.Segments), Districts: len(c.Districts), POIs: len(c.POIs),
		SamplingInterval: c.Config.SamplingInterval.Seconds(), Noise: c.Config.Noise, DropoutRate: c.Config.DropoutRate,
		ExternalNetwork: c.Config.Network != nil, Modes: map[string]int{}, Drift: c.Drift}
	b := c.Bound()
	m.Bound = [4]float64{round7(b.Min[0]), round7(b.Min[1]), round7(b.Max[0]), round7(b.Max[1])}
	for i, n := range c.ModeCounts() {
		m.Modes[Modes[i]] = n
	}
	if len(c.Trips) > 0 {
		start, end := c.Trips[0].Depart, c.Trips[0].Arrive
		seen := make([]bool, len(c.Agents))
		for i := range c.Trips {
			if !seen[c.Trips[i].Agent] {
				seen[c.Trips[i].Agent] = true
				m.Users++
			}
			m.Points += len(c.Trips[i].Observed.Points)
			end = maxTime(end, c.Trips[i].Arrive)
		}
		m.Start, m.End = start.UTC().Format(timeLayout), end.UTC().Format(timeLayout)
	}
	return m
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func (c *City) writeMeta(w *bufio.Writer) error {
	b, err := json.MarshalIndent(c.Meta(), "", "  ")
	if err != nil {
		return err
	}
	w.Write(b)
	return w.WriteByte('\n')
}
