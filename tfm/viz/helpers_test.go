package viz

import "gonum.org/v1/plot/vg"

type vgRect = vg.Rectangle

func vgLen(v float64) vg.Length { return vg.Length(v) }
