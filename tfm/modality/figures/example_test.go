package figures_test

import (
	"fmt"
	stdimage "image"

	"github.com/tfm-course/course/tfm/modality/figures"
)

func ExamplePicture() {
	pic := figures.Picture{Img: stdimage.NewRGBA(stdimage.Rect(0, 0, 4, 2))}
	svg, _ := pic.SVG()
	fmt.Println(string(svg[:60]))
	// Output:
	// <svg xmlns="http://www.w3.org/2000/svg" width="4" height="2"
}
