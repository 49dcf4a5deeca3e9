// Package all registers every modality of the course with package modality:
// import it for its side effect where modalities are chosen by name.
//
//	import _ "github.com/tfm-course/course/tfm/modality/all"
package all

import (
	_ "github.com/tfm-course/course/tfm/modality/gps"
	_ "github.com/tfm-course/course/tfm/modality/grid"
	_ "github.com/tfm-course/course/tfm/modality/image"
	_ "github.com/tfm-course/course/tfm/modality/road"
	_ "github.com/tfm-course/course/tfm/modality/text"
)
