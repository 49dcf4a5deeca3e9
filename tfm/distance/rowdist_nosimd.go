//go:build !(goexperiment.simd && amd64)

package distance

func planarRow(x, y float64, bx, by, out []float64) { planarRowScalar(x, y, bx, by, out) }

func geoRow(x, y, z float64, bx, by, bz, out []float64) {
	geoRowScalar(x, y, z, bx, by, bz, out)
}

func polylineMin2(x, y float64, b *Series) float64 { return polylineMin2Scalar(x, y, b) }

func geoPolylineMin2(x, y, z float64, b *Series) float64 { return geoPolylineMin2Scalar(x, y, z, b) }

func diagCellsPlanar(ax, ay, bx, by, diag, up, left, out []float64) float64 {
	return diagCellsPlanarScalar(ax, ay, bx, by, diag, up, left, out)
}

func diagCellsGeo(ax, ay, az, bx, by, bz, diag, up, left, out []float64) float64 {
	return diagCellsGeoScalar(ax, ay, az, bx, by, bz, diag, up, left, out)
}

func pairDistancesPlanar(ax, ay, bx, by, out []float64) {
	pairDistancesPlanarScalar(ax, ay, bx, by, out)
}

func pairDistancesGeo(ax, ay, az, bx, by, bz, out []float64) {
	pairDistancesGeoScalar(ax, ay, az, bx, by, bz, out)
}

func erpDiagCells(d, diag, up, left, ga, gb, out []float64) float64 {
	return erpDiagCellsScalar(d, diag, up, left, ga, gb, out)
}

func diagCellsFrechet3(ax, ay, az, bx, by, bz, diag, up, left, out []float64) float64 {
	return diagCellsFrechet3Scalar(ax, ay, az, bx, by, bz, diag, up, left, out)
}

func diagCellsEdit3(lcss bool, e2 float64, ax, ay, az, bx, by, bz, diag, up, left, out []float64) float64 {
	return diagCellsEdit3Scalar(lcss, e2, ax, ay, az, bx, by, bz, diag, up, left, out)
}
