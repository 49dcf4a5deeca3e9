// Package image rasterises trajectories into small multi-channel images
// ([channels, H, W]) for convolutional encoders: occupancy, normalised time,
// speed, and optionally the road network underneath, framed around each
// trajectory's bounding box, a fixed bound or a fixed map tile. It exports
// PNGs so a learner sees what the model sees, and has a small CNN encoder.
package image

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/tfm-course/course/tfm/modality"
	"github.com/tfm-course/course/tfm/roadnet"
	"github.com/tfm-course/course/tfm/traj"
)

// Channel is one image plane.
type Channel string

const (
	// Occupancy is 1 in pixels holding a point (and, with Lines, the pixels
	// crossed between consecutive points, which also get the interpolated
	// Time), else 0.
	Occupancy Channel = "occupancy"
	// Time is the elapsed fraction of the trip (0 at the first point, 1 at
	// the last) at the last point in the pixel; 0 in empty pixels.
	Time Channel = "time"
	// Speed is the mean speed of the points in the pixel divided by
	// MaxSpeed, clipped to 1; 0 in empty pixels.
	Speed Channel = "speed"
	// Road is 1 in pixels crossed by a road segment of the Network.
	Road Channel = "road"
)

// DefaultChannels are occupancy, time and speed.
var DefaultChannels = []Channel{Occupancy, Time, Speed}

// Rasterizer turns trajectories into images. The frame is, in order of
// precedence: Tile when set, Bound when not zero, else each trajectory's
// bounding box (square, with Margin and at least MinExtent metres wide).
// Geometry is projected with Web Mercator; pixel rows run north to south.
type Rasterizer struct {
	H, W     int
	Channels []Channel

	Tile   *maptile.Tile
	Bound  orb.Bound
	Margin float64 // fraction of the box added on each side (box frame)
	// MinExtent is the smallest frame width in metres (box frame), so a
	// trajectory that barely moves is not blown up to the whole image.
	MinExtent float64

	// Lines marks the pixels between consecutive points in Occupancy too.
	Lines bool
	// ClipOutside drops points outside a fixed frame instead of failing.
	ClipOutside bool
	MaxSpeed    float64        // m/s that maps to 1 in Speed (default 30)
	Network     *roadnet.Graph // drawn in the Road channel
}

// New returns a Rasterizer of h×w pixels with the default channels framed
// around each trajectory (10 % margin, at least 200 m).
func New(h, w int) *Rasterizer {
	return &Rasterizer{H: h, W: w, Channels: DefaultChannels, Margin: 0.1, MinExtent: 200, MaxSpeed: 30}
}

// webMercatorRadius (metres) is the radius of Web Mercator's sphere, the
// WGS-84 semi-major axis that defines the projection (EPSG:3857) and its
// tiles: a scale of the map, not the Earth radius distances are measured
// with (that is traj.EarthRadius).
const webMercatorRadius = 6378137.0

// mercator maps [lon, lat] to the unit square of Web Mercator, y downwards.
func mercator(p orb.Point) (x, y float64) {
	f := maptile.Fraction(p, 0)
	return f[0], f[1]
}

// Frame is the mercator window an image covers: pixel (row, col) spans
// [X0 + col·Scale, X0 + (col+1)·Scale) × [Y0 + row·Scale, …).
type Frame struct {
	X0, Y0, ScaleX, ScaleY float64
	fixed                  bool
}

// Pixel returns the (row, col) of p and whether it lies in the image.
func (f Frame) Pixel(p orb.Point, h, w int) (row, col int, ok bool) {
	x, y := mercator(p)
	c := math.Floor((x - f.X0) / f.ScaleX)
	r := math.Floor((y - f.Y0) / f.ScaleY)
	if c < 0 || r < 0 || c >= float64(w) || r >= float64(h) {
		return int(r), int(c), false
	}
	return int(r), int(c), true
}

func (f Frame) subpixel(p orb.Point) (r, c float64) {
	x, y := mercator(p)
	return (y - f.Y0) / f.ScaleY, (x - f.X0) / f.ScaleX
}

func (r *Rasterizer) check() error {
	if r.H <= 0 || r.W <= 0 || r.H*r.W > 1<<24 {
		return fmt.Errorf("image: size %d×%d invalid", r.H, r.W)
	}
	if len(r.Channels) == 0 {
		return fmt.Errorf("image: no channels")
	}
	for _, c := range r.Channels {
		switch c {
		case Occupancy, Time, Speed:
		case Road:
			if r.Network == nil {
				return fmt.Errorf("image: channel %q needs a Network", c)
			}
		default:
			return fmt.Errorf("image: unknown channel %q (want occupancy, time, speed or road)", c)
		}
	}
	if r.Margin < 0 || math.IsNaN(r.Margin) {
		return fmt.Errorf("image: margin %v must be >= 0", r.Margin)
	}
	return nil
}

// FrameOf returns the frame the image of t covers.
func (r *Rasterizer) FrameOf(t *traj.Trajectory) (Frame, error) {
	switch {
	case r.Tile != nil:
		if !r.Tile.Valid() {
			return Frame{}, fmt.Errorf("image: tile %v is not valid", *r.Tile)
		}
		n := math.Exp2(float64(r.Tile.Z))
		return Frame{X0: float64(r.Tile.X) / n, Y0: float64(r.Tile.Y) / n, ScaleX: 1 / n / float64(r.W), ScaleY: 1 / n / float64(r.H), fixed: true}, nil
	case r.Bound != (orb.Bound{}):
		for _, p := range []orb.Point{r.Bound.Min, r.Bound.Max} {
			if err := traj.CheckLonLat(p[0], p[1]); err != nil {
				return Frame{}, fmt.Errorf("image: bound: %w", err)
			}
		}
		x0, y1 := mercator(r.Bound.Min)
		x1, y0 := mercator(r.Bound.Max)
		if !(x1 > x0 && y1 > y0) {
			return Frame{}, fmt.Errorf("image: bound %v has no area", r.Bound)
		}
		return Frame{X0: x0, Y0: y0, ScaleX: (x1 - x0) / float64(r.W), ScaleY: (y1 - y0) / float64(r.H), fixed: true}, nil
	}
	x0, y0 := math.Inf(1), math.Inf(1)
	x1, y1 := math.Inf(-1), math.Inf(-1)
	for _, p := range t.Points {
		x, y := mercator(p.Point)
		x0, x1 = math.Min(x0, x), math.Max(x1, x)
		y0, y1 = math.Min(y0, y), math.Max(y1, y)
	}
	// Square pixels: the same mercator units per pixel on both axes.
	lat := t.Points[0].Lat()
	minSpan := r.MinExtent / (2 * math.Pi * webMercatorRadius * math.Cos(lat*math.Pi/180))
	s := math.Max(math.Max((x1-x0)/float64(r.W), (y1-y0)/float64(r.H)), minSpan/float64(max(r.W, r.H)))
	s *= 1 + 2*r.Margin
	s = math.Max(s, 1e-15)
	cx, cy := (x0+x1)/2, (y0+y1)/2
	return Frame{X0: cx - s*float64(r.W)/2, Y0: cy - s*float64(r.H)/2, ScaleX: s, ScaleY: s}, nil
}

// Rasterize draws t into a new [channels, H, W] image and returns it with
// its frame. Errors name the trajectory and the point: no points, NaN or
// out-of-range coordinates, a point outside a fixed frame (unless
// ClipOutside), or no point in the frame at all.
func (r *Rasterizer) Rasterize(t *traj.Trajectory) ([]float32, Frame, error) {
	pix := make([]float32, len(r.Channels)*r.H*r.W)
	f, err := r.RasterizeInto(pix, t)
	return pix, f, err
}

// RasterizeInto is Rasterize into pix (len channels·H·W, zeroed).
func (r *Rasterizer) RasterizeInto(pix []float32, t *traj.Trajectory) (Frame, error) {
	if err := r.check(); err != nil {
		return Frame{}, err
	}
	if len(pix) != len(r.Channels)*r.H*r.W {
		return Frame{}, fmt.Errorf("image: buffer of %d values for %d×%d×%d", len(pix), len(r.Channels), r.H, r.W)
	}
	if t == nil || len(t.Points) == 0 {
		id := ""
		if t != nil {
			id = t.ID
		}
		return Frame{}, fmt.Errorf("image: trajectory %q has no points", id)
	}
	if err := t.Validate(); err != nil {
		return Frame{}, fmt.Errorf("image: %w", err)
	}
	f, err := r.FrameOf(t)
	if err != nil {
		return Frame{}, err
	}
	H, W := r.H, r.W
	plane := func(c Channel) []float32 {
		for i, ch := range r.Channels {
			if ch == c {
				return pix[i*H*W : (i+1)*H*W]
			}
		}
		return nil
	}
	occ, tim, spd, road := plane(Occupancy), plane(Time), plane(Speed), plane(Road)
	if road != nil {
		r.drawNetwork(road, f)
	}
	speeds := pointSpeeds(t)
	maxSpeed := r.MaxSpeed
	if !(maxSpeed > 0) {
		maxSpeed = 30
	}
	var speedCount []int
	if spd != nil {
		speedCount = make([]int, H*W)
	}
	dur := t.Duration().Seconds()
	inside := 0
	prevR, prevC := 0.0, 0.0
	for i, p := range t.Points {
		row, col, ok := f.Pixel(p.Point, H, W)
		if !ok && f.fixed && !r.ClipOutside {
			return Frame{}, fmt.Errorf("image: trajectory %q point %d %v outside the image frame", t.ID, i, p.Point)
		}
		sr, sc := f.subpixel(p.Point)
		if r.Lines && occ != nil && i > 0 {
			// Line pixels get occupancy and, in Time, the interpolated time.
			f0, f1 := 1.0, 1.0
			if dur > 0 {
				f0 = t.Points[i-1].Time.Sub(t.Points[0].Time).Seconds() / dur
				f1 = p.Time.Sub(t.Points[0].Time).Seconds() / dur
			}
			walkLine(H, W, prevR, prevC, sr, sc, func(k int, u float64) {
				occ[k] = 1
				if tim != nil {
					tim[k] = float32(math.Max(float64(tim[k]), f0+u*(f1-f0)))
				}
			})
		}
		prevR, prevC = sr, sc
		if !ok {
			continue
		}
		inside++
		k := row*W + col
		if occ != nil {
			occ[k] = 1
		}
		if tim != nil {
			frac := 1.0
			if dur > 0 {
				frac = p.Time.Sub(t.Points[0].Time).Seconds() / dur
			}
			tim[k] = float32(math.Max(float64(tim[k]), frac))
		}
		if spd != nil && !math.IsNaN(speeds[i]) {
			speedCount[k]++
			spd[k] += float32((math.Min(speeds[i]/maxSpeed, 1) - float64(spd[k])) / float64(speedCount[k]))
		}
	}
	if inside == 0 {
		return Frame{}, fmt.Errorf("image: trajectory %q has no point inside the image frame", t.ID)
	}
	return f, nil
}

// pointSpeeds is the device speed where known, else the speed of the step
// into the point (out of it for the first point); NaN when unknown.
func pointSpeeds(t *traj.Trajectory) []float64 {
	steps := t.Speeds()
	out := make([]float64, len(t.Points))
	for i, p := range t.Points {
		switch {
		case !math.IsNaN(p.Speed):
			out[i] = p.Speed
		case i > 0:
			out[i] = steps[i-1]
		case len(steps) > 0:
			out[i] = steps[0]
		default:
			out[i] = math.NaN()
		}
	}
	return out
}

func (r *Rasterizer) drawNetwork(road []float32, f Frame) {
	// The frame's bound in lon/lat, to skip segments far away.
	lo := orb.Point{f.X0, f.Y0 + f.ScaleY*float64(r.H)}
	hi := orb.Point{f.X0 + f.ScaleX*float64(r.W), f.Y0}
	frame := orb.Bound{Min: unmercator(lo), Max: unmercator(hi)}
	for _, s := range r.Network.Segments {
		if s.Reverse >= 0 && s.Reverse < s.ID {
			continue // the other direction is drawn already
		}
		if !s.Geometry.Bound().Intersects(frame) {
			continue
		}
		for j := 1; j < len(s.Geometry); j++ {
			r0, c0 := f.subpixel(s.Geometry[j-1])
			r1, c1 := f.subpixel(s.Geometry[j])
			drawLine(road, r.H, r.W, r0, c0, r1, c1)
		}
	}
}

func unmercator(m orb.Point) orb.Point {
	lon := m[0]*360 - 180
	lat := math.Atan(math.Sinh(math.Pi*(1-2*m[1]))) * 180 / math.Pi
	return orb.Point{lon, lat}
}

// drawLine sets to 1 the pixels crossed by the segment between two
// sub-pixel positions (row, col), clipped to the image.
func drawLine(plane []float32, h, w int, r0, c0, r1, c1 float64) {
	walkLine(h, w, r0, c0, r1, c1, func(k int, _ float64) { plane[k] = 1 })
}

// walkLine calls visit(pixel index, u) for the pixels crossed by the
// segment between two sub-pixel positions, clipped to the image; u in
// [0, 1] is the position along the whole segment.
func walkLine(h, w int, r0, c0, r1, c1 float64, visit func(k int, u float64)) {
	// Liang–Barsky clip to [0, h] × [0, w].
	t0, t1 := 0.0, 1.0
	dr, dc := r1-r0, c1-c0
	for _, e := range [][2]float64{{-dc, c0}, {dc, float64(w) - c0}, {-dr, r0}, {dr, float64(h) - r0}} {
		p, q := e[0], e[1]
		if p == 0 {
			if q < 0 {
				return
			}
			continue
		}
		t := q / p
		if p < 0 {
			t0 = math.Max(t0, t)
		} else {
			t1 = math.Min(t1, t)
		}
	}
	if t0 > t1 {
		return
	}
	steps := int(math.Ceil(2*(t1-t0)*math.Max(math.Abs(dr), math.Abs(dc)))) + 1
	for i := 0; i <= steps; i++ {
		u := t0 + (t1-t0)*float64(i)/float64(steps)
		row, col := int(math.Floor(r0+u*dr)), int(math.Floor(c0+u*dc))
		if row >= 0 && row < h && col >= 0 && col < w {
			visit(row*w+col, u)
		}
	}
}

// Batch rasterises trajs into a modality.Batch with Pixels [B, C, H, W].
func (r *Rasterizer) Batch(trajs []*traj.Trajectory) (*modality.Batch, error) {
	if len(trajs) == 0 {
		return nil, fmt.Errorf("image: batch of no trajectories")
	}
	if err := r.check(); err != nil {
		return nil, err
	}
	C := len(r.Channels)
	b := &modality.Batch{Size: len(trajs), Channels: C, H: r.H, W: r.W,
		Pixels: make([]float32, len(trajs)*C*r.H*r.W), IDs: make([]string, len(trajs))}
	n := C * r.H * r.W
	for i, t := range trajs {
		if _, err := r.RasterizeInto(b.Pixels[i*n:(i+1)*n], t); err != nil {
			return nil, fmt.Errorf("batch row %d: %w", i, err)
		}
		b.IDs[i] = t.ID
	}
	return b, nil
}

// MetresPerPixel is the ground width of one pixel of f around point p.
func (f Frame) MetresPerPixel(p orb.Point) float64 {
	return f.ScaleX * 2 * math.Pi * webMercatorRadius * math.Cos(p[1]*math.Pi/180)
}

// Roads rasterises only the road network into one [H, W] plane of a fixed
// frame (Tile or Bound), e.g. as a background for other figures.
func (r *Rasterizer) Roads() ([]float32, error) {
	if r.Network == nil {
		return nil, fmt.Errorf("image: Roads needs a Network")
	}
	if r.H <= 0 || r.W <= 0 || r.H*r.W > 1<<24 {
		return nil, fmt.Errorf("image: size %d×%d invalid", r.H, r.W)
	}
	if r.Tile == nil && r.Bound == (orb.Bound{}) {
		return nil, fmt.Errorf("image: Roads needs a fixed frame (Tile or Bound)")
	}
	f, err := r.FrameOf(nil)
	if err != nil {
		return nil, err
	}
	plane := make([]float32, r.H*r.W)
	r.drawNetwork(plane, f)
	return plane, nil
}
