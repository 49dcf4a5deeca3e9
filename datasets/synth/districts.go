package synth

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/paulmach/orb"
	"github.com/tfm-course/course/tfm/roadnet"
)

// layout is the shape of the generated city in local metres: wavy radius
// functions for the street grid, the ring road and the district bands, and
// the angular sectors of the districts.
type layout struct {
	phase  [8]float64
	rot    float64     // grid rotation (radians)
	bands  [][]float64 // sector boundary angles per band (increasing, span 2π)
	types  [][]string  // district type per sector per band
	radial []float64   // angles of the radial avenues
}

func newLayout(rng *rand.Rand) *layout {
	l := &layout{rot: (rng.Float64() - 0.5) * 0.5}
	for i := range l.phase {
		l.phase[i] = rng.Float64() * 2 * math.Pi
	}
	bandTypes := [][]string{
		{Business, Residential, University, Commercial, Residential, Park},
		{Residential, Residential, Industrial, Park, Residential, Commercial, Residential, Business},
		{Residential, Industrial, Residential, Park, Residential, Residential},
	}
	for _, types := range bandTypes {
		k := len(types)
		w := 2 * math.Pi / float64(k)
		start := rng.Float64() * w
		angles := make([]float64, k+1)
		for i := range k {
			angles[i] = start + w*float64(i)
			if i > 0 {
				angles[i] += (rng.Float64() - 0.5) * 0.4 * w
			}
		}
		angles[k] = angles[0] + 2*math.Pi
		rot := rng.IntN(k)
		t := append(append([]string(nil), types[rot:]...), types[:rot]...)
		l.bands = append(l.bands, angles)
		l.types = append(l.types, t)
	}
	off := rng.Float64() * math.Pi / 4
	for i := range 8 {
		l.radial = append(l.radial, off+float64(i)*math.Pi/4)
	}
	return l
}

func (l *layout) gridRadius(t float64) float64 {
	return 2650 + 170*math.Sin(2*t+l.phase[0]) + 100*math.Sin(5*t+l.phase[1])
}
func (l *layout) ringRadius(t float64) float64 { return 3250 + 60*math.Sin(3*t+l.phase[2]) }

// bandEdge is the outer radius of band b (0 = the central district).
func (l *layout) bandEdge(b int, t float64) float64 {
	switch b {
	case 0:
		return 900 + 120*math.Sin(2*t+l.phase[3])
	case 1:
		return 2000 + 150*math.Sin(3*t+l.phase[4])
	case 2:
		return 3100 + 90*math.Sin(2*t+l.phase[5])
	}
	return 4650 + 100*math.Sin(3*t+l.phase[6])
}

const arcStep = 2 * math.Pi / 360

// arc samples radius function r from angle a0 to a1 (either direction) at
// the global angle steps plus both ends, so neighbouring polygons share
// their vertices.
func arc(r func(float64) float64, a0, a1 float64) []vec {
	var ts []float64
	lo, hi := min(a0, a1), max(a0, a1)
	ts = append(ts, lo)
	for k := math.Floor(lo/arcStep) + 1; k*arcStep < hi; k++ {
		if k*arcStep-lo > 1e-9 && hi-k*arcStep > 1e-9 {
			ts = append(ts, k*arcStep)
		}
	}
	ts = append(ts, hi)
	if a0 > a1 {
		slices.Reverse(ts)
	}
	out := make([]vec, len(ts))
	for i, t := range ts {
		out[i] = polar(r(t), t)
	}
	return out
}

// districts builds the central district and the three bands of sectors.
func (l *layout) districts(f frame, rng *rand.Rand) []District {
	nm := newNamer(rng)
	var ds []District
	add := func(typ, name string, ring []vec, centre vec) {
		r := make(orb.Ring, 0, len(ring)+1)
		for _, v := range ring {
			r = append(r, roundPoint(f.toLL(v.x, v.y)))
		}
		r = append(r, r[0])
		ds = append(ds, District{ID: len(ds), Name: name, Type: typ, Polygon: orb.Polygon{r}, Center: roundPoint(f.toLL(centre.x, centre.y))})
	}
	centre := arc(func(t float64) float64 { return l.bandEdge(0, t) }, 0, 2*math.Pi)
	add(Business, "Downtown", centre[:len(centre)-1], vec{})
	nm.used["Downtown"] = true
	for b, angles := range l.bands {
		inner := func(t float64) float64 { return l.bandEdge(b, t) }
		outer := func(t float64) float64 { return l.bandEdge(b+1, t) }
		for s := 0; s+1 < len(angles); s++ {
			a0, a1 := angles[s], angles[s+1]
			ring := arc(outer, a0, a1)
			ring = append(ring, arc(inner, a1, a0)...)
			mid := (a0 + a1) / 2
			typ := l.types[b][s]
			add(typ, nm.district(typ), ring, polar((inner(mid)+outer(mid))/2, mid))
		}
	}
	return ds
}

// zoneDistricts divides an external network's bound into a grid of zones
// (about 1 km, 3 to 8 per side) and gives each zone holding nodes a type:
// the zone nearest the nodes' centroid is business, the next commercial,
// the others mostly residential with industrial, park and university ones.
func zoneDistricts(g *roadnet.Graph, f frame, rng *rand.Rand) []District {
	b := g.Bound()
	x0, y0 := f.toXY(b.Min)
	x1, y1 := f.toXY(b.Max)
	nx := min(max(int(math.Round((x1-x0)/1000)), 3), 8)
	ny := min(max(int(math.Round((y1-y0)/1000)), 3), 8)
	w, h := (x1-x0)/float64(nx), (y1-y0)/float64(ny)
	count := make([]int, nx*ny)
	var cx, cy float64
	for _, n := range g.Nodes {
		x, y := f.toXY(n.Point)
		i := min(max(int((x-x0)/w), 0), nx-1)
		j := min(max(int((y-y0)/h), 0), ny-1)
		count[j*nx+i]++
		cx += x
		cy += y
	}
	cx /= float64(len(g.Nodes))
	cy /= float64(len(g.Nodes))
	type zone struct {
		i, j int
		d    float64
	}
	var zones []zone
	for j := range ny {
		for i := range nx {
			if count[j*nx+i] > 0 {
				zx, zy := x0+(float64(i)+0.5)*w, y0+(float64(j)+0.5)*h
				zones = append(zones, zone{i, j, math.Hypot(zx-cx, zy-cy)})
			}
		}
	}
	slices.SortStableFunc(zones, func(a, b zone) int { return cmpFloat(a.d, b.d) })
	nm := newNamer(rng)
	others := []string{Residential, Residential, Residential, Residential, Industrial, Park, University, Residential, Business, Industrial, Park, Residential}
	var ds []District
	for k, z := range zones {
		var typ string
		switch {
		case k == 0:
			typ = Business
		case k == 1:
			typ = Commercial
		case k == 2:
			typ = Residential
		default:
			typ = others[rng.IntN(len(others))]
		}
		xa, ya := x0+float64(z.i)*w, y0+float64(z.j)*h
		corners := []vec{{xa, ya}, {xa + w, ya}, {xa + w, ya + h}, {xa, ya + h}}
		r := make(orb.Ring, 0, 5)
		for _, v := range corners {
			r = append(r, roundPoint(f.toLL(v.x, v.y)))
		}
		r = append(r, r[0])
		ds = append(ds, District{ID: k, Name: nm.district(typ), Type: typ, Polygon: orb.Polygon{r},
			Center: roundPoint(f.toLL(xa+w/2, ya+h/2))})
	}
	return ds
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
