//go:build !(goexperiment.simd && amd64)

package distance

func planarRow(x, y float64, bx, by, out []float64) { planarRowScalar(x, y, bx, by, out) }

func geoRow(x, y, z float64, bx, by, bz, out []float64) {
	geoRowScalar(x, y, z, bx, by, bz, out)
}
