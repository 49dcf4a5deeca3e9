package interpret

import (
	"fmt"

	"github.com/paulmach/orb"

	"github.com/tfm-course/course/tfm/modality"
	"github.com/tfm-course/course/tfm/modality/gps"
	"github.com/tfm-course/course/tfm/modality/grid"
	"github.com/tfm-course/course/tfm/modality/road"
	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/traj"
)

// stepPoints locates each real step of row r of b (trajectory t, batched
// by branch br), nil for a step without a location: the sampled GPS fix
// (gps), the cell centre or, for an [UNK] cell, the first fix in it (grid),
// the midpoint of the segment (road); [CLS] tokens have none.
func stepPoints(br *tfm.Branch, b *modality.Batch, r int, t *traj.Trajectory) ([]*orb.Point, error) {
	var n int
	for i := range b.Len {
		if b.Mask[r*b.Len+i] {
			n++
		}
	}
	out := make([]*orb.Point, n)
	switch m := br.Modality.(type) {
	case *gps.Modality:
		idx, err := modality.SampleIndices(len(t.Points), b.Len, m.F.Sampling)
		if err != nil || len(idx) != n {
			return nil, fmt.Errorf("interpret: trajectory %q: %d sampled points for %d steps (%v)", t.ID, len(idx), n, err)
		}
		for i, j := range idx {
			p := t.Points[j].Point
			out[i] = &p
		}
	case *grid.Modality:
		ids, first, err := m.V.Tokenize(t)
		if err != nil {
			return nil, fmt.Errorf("interpret: trajectory %q: %w", t.ID, err)
		}
		off := 0
		if m.V.Options.CLS {
			off = 1
		}
		keep, err := modality.SampleIndices(len(ids), b.Len-off, m.V.Options.Sampling)
		if err != nil || len(keep)+off != n {
			return nil, fmt.Errorf("interpret: trajectory %q: %d cells for %d steps (%v)", t.ID, len(keep), n-off, err)
		}
		for i, j := range keep {
			p, ok := m.V.Centre(ids[j])
			if !ok {
				p = t.Points[first[j]].Point
			}
			out[off+i] = &p
		}
	case *road.Modality:
		for i := range n {
			info, ok := m.V.Segment(b.Tokens[r*b.Len+i])
			if !ok || info.Segment < 0 || info.Segment >= len(m.G.Segments) {
				continue
			}
			if g := m.G.Segments[info.Segment].Geometry; len(g) > 0 {
				p := midpoint(g)
				out[i] = &p
			}
		}
	default:
		return nil, fmt.Errorf("interpret: cannot place the steps of the %s modality on the map (gps, grid or road)", br.Modality.Name())
	}
	return out, nil
}

// midpoint is the point halfway along a polyline (haversine length).
func midpoint(ls orb.LineString) orb.Point {
	var total float64
	for i := 1; i < len(ls); i++ {
		total += traj.Haversine(ls[i-1], ls[i])
	}
	half := total / 2
	for i := 1; i < len(ls); i++ {
		d := traj.Haversine(ls[i-1], ls[i])
		if d >= half && d > 0 {
			f := half / d
			return orb.Point{ls[i-1][0] + f*(ls[i][0]-ls[i-1][0]), ls[i-1][1] + f*(ls[i][1]-ls[i-1][1])}
		}
		half -= d
	}
	return ls[len(ls)-1]
}
