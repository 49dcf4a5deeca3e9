package distance

// SSPD (symmetric segment-path distance, Besse et al. 2016):
// (SPD(A, B) + SPD(B, A)) / 2 where SPD(A, B) is the mean over A's vertices
// of the point-to-polyline distance to B (see segment.go).
func sspd(geo bool, a, b *Series) float64 {
	if geo {
		return (geoPointPolylineSum(a, b)/float64(a.Len()) + geoPointPolylineSum(b, a)/float64(b.Len())) / 2
	}
	return (pointPolylineSum(a, b)/float64(a.Len()) + pointPolylineSum(b, a)/float64(b.Len())) / 2
}

func geoPointPolylineSum(a, b *Series) float64 {
	var sum float64
	for i := range a.ux {
		sum += chord2ToMetres(geoPolylineMin2(a.ux[i], a.uy[i], a.uz[i], b))
	}
	return sum
}

// geoPolylineMin2Scalar is the squared chord from unit vector p to b's arcs.
func geoPolylineMin2Scalar(px, py, pz float64, b *Series) float64 {
	d, _ := geoPointPolyline2(b, px, py, pz, 0, -1)
	return d
}
