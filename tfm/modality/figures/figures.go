// Package figures holds the reusable code of the modality chapters of the
// course (notebooks 02_gps, 03_grid, 05_text, 06_image): each file but this
// one is mirrored by a notebook cell (//tfm:mirror) and tested here.
package figures

import (
	"bytes"
	"encoding/base64"
	"fmt"
	stdimage "image"
	"image/png"
)

// Picture wraps a raster image as a viz.Figure, so viz.Show and viz.Save
// display or write it like any chart.
type Picture struct{ Img stdimage.Image }

// PNG encodes the image.
func (p Picture) PNG() ([]byte, error) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, p.Img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// SVG embeds the PNG in an SVG document of the same size, pixelated.
func (p Picture) SVG() ([]byte, error) {
	data, err := p.PNG()
	if err != nil {
		return nil, err
	}
	b := p.Img.Bounds()
	return []byte(fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d">`+
		`<image width="%d" height="%d" style="image-rendering:pixelated" href="data:image/png;base64,%s"/></svg>`,
		b.Dx(), b.Dy(), b.Dx(), b.Dy(), base64.StdEncoding.EncodeToString(data))), nil
}
