package roadnet

import (
	"compress/bzip2"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmpbf"
	"github.com/paulmach/osm/osmxml"
)

// ErrEmptyNetwork is returned (wrapped) when an OSM file holds no drivable way.
var ErrEmptyNetwork = errors.New("empty road network: no drivable highway=* ways")

// OSMOptions chooses what LoadOSM keeps.
type OSMOptions struct {
	// Service also keeps highway=service ways (parking aisles, driveways).
	Service bool
}

// OSMStats counts what LoadOSM read and built.
type OSMStats struct {
	Nodes       int // OSM nodes read
	Ways        int // OSM ways read
	Drivable    int // drivable ways kept
	OneWay      int // kept ways driven one way only (oneway tag, roundabout or motorway)
	Reversed    int // of those, ways drawn against traffic (oneway=-1)
	MissingRefs int // way node references with no node in the file (clipped extract)
	Segments    int // directed segments in the graph
	GraphNodes  int // graph nodes (intersections and way ends)
}

// DefaultSpeedKmh is the speed limit (km/h) assumed for a class without a
// usable maxspeed tag.
var DefaultSpeedKmh = map[string]float64{
	"motorway": 110, "trunk": 90, "primary": 70, "secondary": 60, "tertiary": 50,
	"motorway_link": 60, "trunk_link": 50, "primary_link": 45, "secondary_link": 40, "tertiary_link": 35,
	"unclassified": 40, "residential": 30, "living_street": 10, "service": 15, "road": 30,
}

// LoadOSM reads a drivable road network from an OpenStreetMap file: .osm
// (XML), .osm.bz2, .osm.gz or .osm.pbf. Drivable highway=* ways are split at
// every node shared by two or more of them (and at their ends), so segments
// join at graph nodes; a two-way road gives a segment each way.
func LoadOSM(path string, opt OSMOptions) (*Graph, OSMStats, error) {
	format, err := osmFormat(path)
	if err != nil {
		return nil, OSMStats{}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, OSMStats{}, err
	}
	defer f.Close()
	g, st, err := ReadOSM(f, format, opt)
	if err != nil {
		return nil, st, fmt.Errorf("%s: %w", path, err)
	}
	return g, st, nil
}

// osmFormat maps a file name to "xml", "xml.bz2", "xml.gz" or "pbf".
func osmFormat(path string) (string, error) {
	p := strings.ToLower(path)
	switch {
	case strings.HasSuffix(p, ".osm.pbf") || strings.HasSuffix(p, ".pbf"):
		return "pbf", nil
	case strings.HasSuffix(p, ".osm.bz2"):
		return "xml.bz2", nil
	case strings.HasSuffix(p, ".osm.gz"):
		return "xml.gz", nil
	case strings.HasSuffix(p, ".osm") || strings.HasSuffix(p, ".osm.xml"):
		return "xml", nil
	}
	return "", fmt.Errorf("%s: unknown OSM file extension (want .osm, .osm.bz2, .osm.gz or .osm.pbf)", path)
}

// ReadOSM reads a network from r in format "xml", "xml.bz2", "xml.gz" or "pbf".
func ReadOSM(r io.Reader, format string, opt OSMOptions) (*Graph, OSMStats, error) {
	var sc osm.Scanner
	switch format {
	case "xml":
		sc = osmxml.New(context.Background(), r)
	case "xml.bz2":
		sc = osmxml.New(context.Background(), bzip2.NewReader(r))
	case "xml.gz":
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, OSMStats{}, fmt.Errorf("not a gzip file: %w", err)
		}
		sc = osmxml.New(context.Background(), zr)
	case "pbf":
		procs := runtime.GOMAXPROCS(0)
		ps := osmpbf.New(context.Background(), r, procs)
		ps.SkipRelations = true
		sc = ps
	default:
		return nil, OSMStats{}, fmt.Errorf("unknown OSM format %q (want xml, xml.bz2, xml.gz or pbf)", format)
	}
	defer sc.Close()
	b := osmBuilder{opt: opt, coords: map[osm.NodeID]orb.Point{}}
	if err := b.scan(sc); err != nil {
		return nil, b.st, err
	}
	g := b.build()
	if len(g.Segments) == 0 {
		return nil, b.st, ErrEmptyNetwork
	}
	return g, b.st, nil
}

type osmWay struct {
	nodes   []osm.NodeID
	class   string
	name    string
	speed   float64 // m/s
	forward bool    // traffic allowed along the way's node order
	back    bool    // traffic allowed against it
}

type osmBuilder struct {
	opt    OSMOptions
	st     OSMStats
	coords map[osm.NodeID]orb.Point
	ways   []osmWay
}

func (b *osmBuilder) scan(sc osm.Scanner) (err error) {
	defer func() {
		// The XML decoder may panic on some binary garbage; report it as an error.
		if r := recover(); r != nil {
			err = fmt.Errorf("not an OSM file: %v", r)
		}
	}()
	for sc.Scan() {
		switch o := sc.Object().(type) {
		case *osm.Node:
			b.st.Nodes++
			b.coords[o.ID] = orb.Point{o.Lon, o.Lat}
		case *osm.Way:
			b.st.Ways++
			b.addWay(o)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("not a valid OSM file: %w", err)
	}
	if b.st.Nodes == 0 && b.st.Ways == 0 {
		return errors.New("not an OSM file: no nodes or ways found")
	}
	return nil
}

// DrivableClass reports whether a highway=* value is kept for cars.
func DrivableClass(highway string, service bool) bool {
	if highway == "service" {
		return service
	}
	_, ok := DefaultSpeedKmh[highway]
	return ok
}

func (b *osmBuilder) addWay(w *osm.Way) {
	class := w.Tags.Find("highway")
	if !DrivableClass(class, b.opt.Service) || w.Tags.Find("area") == "yes" {
		return
	}
	switch w.Tags.Find("access") {
	case "no", "private":
		return
	}
	if mv := w.Tags.Find("motor_vehicle"); mv == "no" || mv == "private" {
		return
	}
	if len(w.Nodes) < 2 {
		return
	}
	ow := osmWay{class: class, forward: true, back: true}
	ow.name = w.Tags.Find("name")
	if ow.name == "" {
		ow.name = w.Tags.Find("ref")
	}
	kmh, ok := ParseMaxSpeed(w.Tags.Find("maxspeed"))
	if !ok {
		kmh = DefaultSpeedKmh[class]
	}
	ow.speed = kmh / 3.6
	oneway := w.Tags.Find("oneway")
	junction := w.Tags.Find("junction")
	switch {
	case oneway == "yes" || oneway == "true" || oneway == "1":
		ow.back = false
	case oneway == "-1" || oneway == "reverse":
		ow.forward = false
		b.st.Reversed++
	case oneway == "no" || oneway == "false" || oneway == "0":
	case junction == "roundabout" || junction == "circular" || class == "motorway":
		ow.back = false // implied one-way
	}
	if !ow.forward || !ow.back {
		b.st.OneWay++
	}
	ow.nodes = make([]osm.NodeID, 0, len(w.Nodes))
	for _, n := range w.Nodes {
		if k := len(ow.nodes); k > 0 && ow.nodes[k-1] == n.ID {
			continue // repeated node: zero-length step
		}
		ow.nodes = append(ow.nodes, n.ID)
	}
	b.st.Drivable++
	b.ways = append(b.ways, ow)
}

// ParseMaxSpeed reads an OSM maxspeed value in km/h: "50", "50 km/h",
// "30 mph", "50;30" (first value), "walk", or a zone such as "FR:urban".
func ParseMaxSpeed(v string) (kmh float64, ok bool) {
	v = strings.TrimSpace(strings.ToLower(v))
	if i := strings.IndexAny(v, ";|"); i >= 0 {
		v = strings.TrimSpace(v[:i])
	}
	if v == "" || v == "none" || v == "signals" || v == "variable" {
		return 0, false
	}
	if v == "walk" {
		return 6, true
	}
	if i := strings.IndexByte(v, ':'); i >= 0 {
		switch v[i+1:] {
		case "urban":
			return 50, true
		case "rural":
			return 90, true
		case "motorway":
			return 120, true
		case "trunk":
			return 100, true
		case "living_street":
			return 20, true
		case "zone30", "zone:30":
			return 30, true
		}
		return 0, false
	}
	unit := 1.0
	switch {
	case strings.HasSuffix(v, "mph"):
		unit, v = 1.609344, strings.TrimSuffix(v, "mph")
	case strings.HasSuffix(v, "km/h"):
		v = strings.TrimSuffix(v, "km/h")
	case strings.HasSuffix(v, "kmh"):
		v = strings.TrimSuffix(v, "kmh")
	case strings.HasSuffix(v, "knots"):
		unit, v = 1.852, strings.TrimSuffix(v, "knots")
	}
	x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || x <= 0 || math.IsInf(x, 0) || math.IsNaN(x) {
		return 0, false
	}
	return x * unit, true
}

// build splits the ways at shared nodes and makes the graph.
func (b *osmBuilder) build() *Graph {
	// Count uses of each node among ways (a closed way counts its end twice).
	uses := map[osm.NodeID]int{}
	for i := range b.ways {
		for _, n := range b.ways[i].nodes {
			uses[n]++
		}
	}
	g := &Graph{}
	nodeOf := map[osm.NodeID]int{}
	graphNode := func(id osm.NodeID) int {
		if k, ok := nodeOf[id]; ok {
			return k
		}
		k := g.AddNode(b.coords[id], int64(id))
		nodeOf[id] = k
		return k
	}
	emit := func(w *osmWay, ids []osm.NodeID) {
		if len(ids) < 2 {
			return
		}
		geom := make(orb.LineString, len(ids))
		for i, id := range ids {
			geom[i] = b.coords[id]
		}
		from, to := graphNode(ids[0]), graphNode(ids[len(ids)-1])
		switch {
		case w.forward && w.back:
			g.AddTwoWay(from, to, geom, w.speed, w.class, w.name)
		case w.forward:
			g.AddSegment(from, to, geom, w.speed, w.class, w.name)
		default:
			geom.Reverse()
			g.AddSegment(to, from, geom, w.speed, w.class, w.name)
		}
	}
	for i := range b.ways {
		w := &b.ways[i]
		start := -1 // index of the current piece's first node in w.nodes
		for j, id := range w.nodes {
			if _, ok := b.coords[id]; !ok {
				b.st.MissingRefs++
				if start >= 0 && j-1 > start {
					emit(w, w.nodes[start:j])
				}
				start = -1
				continue
			}
			if start < 0 {
				start = j
				continue
			}
			if uses[id] >= 2 || j == len(w.nodes)-1 {
				emit(w, w.nodes[start:j+1])
				start = j
			}
		}
	}
	b.st.Segments = len(g.Segments)
	b.st.GraphNodes = len(g.Nodes)
	return g
}

// ClassCounts counts segments by class, for reports.
func (g *Graph) ClassCounts() map[string]int {
	c := map[string]int{}
	for _, s := range g.Segments {
		c[s.Class]++
	}
	return c
}

// Classes lists the distinct segment classes, sorted.
func (g *Graph) Classes() []string {
	c := g.ClassCounts()
	out := make([]string, 0, len(c))
	for k := range c {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
