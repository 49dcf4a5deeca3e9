package image

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"

	"github.com/tfm-course/course/tfm/modality"
)

// Palette gives each channel the colour painted where it is 1; a pixel
// blends the channels in order over a white background, each with its value
// as opacity.
type Palette map[Channel]color.RGBA

// DefaultPalette: grey roads, black occupancy, then time as a blue→red
// ramp (drawn specially) and speed in green.
var DefaultPalette = Palette{
	Road:      {215, 215, 215, 255},
	Occupancy: {0, 0, 0, 255},
	Speed:     {0, 160, 60, 255},
}

// Image renders row b of an image batch as an RGBA picture, scale×scale
// screen pixels per image pixel. Occupied pixels with a Time channel are
// coloured from blue (start) to red (end); Speed tints them green.
func Image(batch *modality.Batch, row int, channels []Channel, pal Palette, scale int) (*image.RGBA, error) {
	if batch == nil || batch.Pixels == nil {
		return nil, fmt.Errorf("image: batch has no pixels")
	}
	if row < 0 || row >= batch.Size {
		return nil, fmt.Errorf("image: row %d outside batch of %d", row, batch.Size)
	}
	if len(channels) != batch.Channels {
		return nil, fmt.Errorf("image: %d channel names for %d channels", len(channels), batch.Channels)
	}
	if pal == nil {
		pal = DefaultPalette
	}
	scale = max(scale, 1)
	H, W := batch.H, batch.W
	n := batch.Channels * H * W
	pix := batch.Pixels[row*n : (row+1)*n]
	idx := map[Channel]int{}
	for i, c := range channels {
		idx[c] = i
	}
	val := func(c Channel, k int) (float64, bool) {
		i, ok := idx[c]
		if !ok {
			return 0, false
		}
		return float64(pix[i*H*W+k]), true
	}
	img := image.NewRGBA(image.Rect(0, 0, W*scale, H*scale))
	for y := 0; y < H; y++ {
		for x := 0; x < W; x++ {
			k := y*W + x
			rgb := [3]float64{255, 255, 255}
			blend := func(c color.RGBA, a float64) {
				a = min(max(a, 0), 1)
				rgb[0] = rgb[0]*(1-a) + float64(c.R)*a
				rgb[1] = rgb[1]*(1-a) + float64(c.G)*a
				rgb[2] = rgb[2]*(1-a) + float64(c.B)*a
			}
			if v, ok := val(Road, k); ok {
				blend(pal[Road], v)
			}
			occ, hasOcc := val(Occupancy, k)
			if hasOcc {
				c := pal[Occupancy]
				if tv, ok := val(Time, k); ok && occ > 0 {
					c = color.RGBA{uint8(40 + 215*tv), 40, uint8(255 - 215*tv), 255}
				}
				blend(c, occ)
			}
			if v, ok := val(Speed, k); ok && (!hasOcc || occ > 0) {
				blend(pal[Speed], 0.6*v)
			}
			px := color.RGBA{uint8(rgb[0]), uint8(rgb[1]), uint8(rgb[2]), 255}
			for dy := 0; dy < scale; dy++ {
				for dx := 0; dx < scale; dx++ {
					img.SetRGBA(x*scale+dx, y*scale+dy, px)
				}
			}
		}
	}
	return img, nil
}

// Mosaic lays out the first rows of a batch as a grid of cols images (each
// scaled), separated by a 2-pixel grey gutter.
func Mosaic(batch *modality.Batch, channels []Channel, pal Palette, cols, scale int) (*image.RGBA, error) {
	if batch == nil || batch.Size == 0 {
		return nil, fmt.Errorf("image: empty batch")
	}
	cols = min(max(cols, 1), batch.Size)
	rows := (batch.Size + cols - 1) / cols
	scale = max(scale, 1)
	const gap = 2
	w, h := batch.W*scale, batch.H*scale
	out := image.NewRGBA(image.Rect(0, 0, cols*(w+gap)+gap, rows*(h+gap)+gap))
	for i := range out.Pix {
		out.Pix[i] = 128
	}
	for b := 0; b < batch.Size; b++ {
		img, err := Image(batch, b, channels, pal, scale)
		if err != nil {
			return nil, err
		}
		x0, y0 := gap+(b%cols)*(w+gap), gap+(b/cols)*(h+gap)
		for y := 0; y < h; y++ {
			copy(out.Pix[out.PixOffset(x0, y0+y):out.PixOffset(x0+w, y0+y)], img.Pix[img.PixOffset(0, y):img.PixOffset(w, y)])
		}
	}
	return out, nil
}

// WritePNG encodes img as PNG.
func WritePNG(w io.Writer, img image.Image) error { return png.Encode(w, img) }

// SavePNG writes img to a PNG file.
func SavePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("image: %w", err)
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("image: %s: %w", path, err)
	}
	return f.Close()
}
