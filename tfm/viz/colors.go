package viz

import (
	"fmt"
	"hash/fnv"
	"image/color"
	"math"
	"strconv"
	"strings"
)

// Palette is the categorical palette used for series, labels and modes: the
// colour-blind-safe Okabe–Ito colours (blue, orange, bluish green, vermillion,
// reddish purple, sky blue, black, grey; the pale yellow is left out, it
// vanishes on white).
var Palette = []color.RGBA{
	{0x00, 0x72, 0xb2, 255}, {0xe6, 0x9f, 0x00, 255}, {0x00, 0x9e, 0x73, 255}, {0xd5, 0x5e, 0x00, 255},
	{0xcc, 0x79, 0xa7, 255}, {0x56, 0xb4, 0xe9, 255}, {0x00, 0x00, 0x00, 255}, {0x99, 0x99, 0x99, 255},
}

// ModeColors fixes the colour of common transport modes, so every figure
// agrees (Okabe–Ito hues; rarer modes get darker or lighter variants).
var ModeColors = map[string]color.RGBA{
	"walk":     {0x00, 0x9e, 0x73, 255},
	"run":      {0x7f, 0xd1, 0xb9, 255},
	"bike":     {0xe6, 0x9f, 0x00, 255},
	"bus":      {0x00, 0x72, 0xb2, 255},
	"car":      {0xd5, 0x5e, 0x00, 255},
	"taxi":     {0xcc, 0x79, 0xa7, 255},
	"subway":   {0x56, 0xb4, 0xe9, 255},
	"train":    {0x00, 0x00, 0x00, 255},
	"airplane": {0x8a, 0x5a, 0x00, 255},
	"boat":     {0x00, 0x3f, 0x5f, 255},
	"":         {0x99, 0x99, 0x99, 255},
}

// ModeColor is the colour of a transport mode (a stable palette colour for unknown ones).
func ModeColor(mode string) color.RGBA {
	if c, ok := ModeColors[strings.ToLower(mode)]; ok {
		return c
	}
	h := fnv.New32a()
	h.Write([]byte(mode))
	return Palette[h.Sum32()%uint32(len(Palette))]
}

// viridis control points (matplotlib's viridis sampled at 0, .25, .5, .75, 1).
var viridis = []color.RGBA{
	{0x44, 0x01, 0x54, 255}, {0x3b, 0x52, 0x8b, 255}, {0x21, 0x91, 0x8c, 255}, {0x5e, 0xc9, 0x62, 255}, {0xfd, 0xe7, 0x25, 255},
}

// Viridis maps t in [0,1] to a colour of the perceptually uniform viridis scale (clamped; NaN is grey).
func Viridis(t float64) color.RGBA {
	if math.IsNaN(t) {
		return color.RGBA{0xbb, 0xbb, 0xbb, 255}
	}
	t = math.Max(0, math.Min(1, t))
	f := t * float64(len(viridis)-1)
	i := int(f)
	if i >= len(viridis)-1 {
		return viridis[len(viridis)-1]
	}
	a, b, u := viridis[i], viridis[i+1], f-float64(i)
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + u*(float64(y)-float64(x)))) }
	return color.RGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 255}
}

// ParseColor parses "#rgb", "#rrggbb" or "#rrggbbaa".
func ParseColor(s string) (color.RGBA, error) {
	h := strings.TrimPrefix(s, "#")
	if len(h) == 3 {
		h = string([]byte{h[0], h[0], h[1], h[1], h[2], h[2]})
	}
	if len(h) == 6 {
		h += "ff"
	}
	if len(h) != 8 {
		return color.RGBA{}, fmt.Errorf("viz: colour %q: want #rrggbb", s)
	}
	v, err := strconv.ParseUint(h, 16, 32)
	if err != nil {
		return color.RGBA{}, fmt.Errorf("viz: colour %q: %w", s, err)
	}
	return color.RGBA{uint8(v >> 24), uint8(v >> 16), uint8(v >> 8), uint8(v)}, nil
}

func withAlpha(c color.RGBA, a uint8) color.NRGBA { return color.NRGBA{c.R, c.G, c.B, a} }
