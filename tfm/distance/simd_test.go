package distance

import (
	"math"
	"math/rand"
	"testing"
)

// TestRowKernelsMatchScalar checks the (SIMD, when built with
// GOEXPERIMENT=simd) row kernels against the scalar code on long inputs with
// repeated points (degenerate segments) and a few far points (arcsine
// fallback).
func TestRowKernelsMatchScalar(t *testing.T) {
	r := rand.New(rand.NewSource(10))
	for trial := 0; trial < 30; trial++ {
		n := 9 + r.Intn(60)
		p := randomWalk(r, n, 116.3, 39.9, 0.002)
		for i := 1; i < n; i += 7 {
			p[i] = p[i-1] // degenerate segment
		}
		if trial%5 == 0 {
			p[n/2] = [2]float64{-70, -33} // far away: asin argument above 1/8
		}
		b := p.series(t)
		q := randomWalk(r, 3, 116.3, 39.9, 0.002).series(t)
		out, ref := make([]float64, n), make([]float64, n)
		for i := 0; i < q.Len(); i++ {
			planarRow(q.X[i], q.Y[i], b.X, b.Y, out)
			planarRowScalar(q.X[i], q.Y[i], b.X, b.Y, ref)
			for j := range out {
				if !close(out[j], ref[j], 1e-15) {
					t.Fatalf("planarRow[%d] = %v, scalar %v", j, out[j], ref[j])
				}
			}
			geoRow(q.ux[i], q.uy[i], q.uz[i], b.ux, b.uy, b.uz, out)
			geoRowScalar(q.ux[i], q.uy[i], q.uz[i], b.ux, b.uy, b.uz, ref)
			for j := range out {
				if !close(out[j], ref[j], 1e-14) {
					t.Fatalf("geoRow[%d] = %v, scalar %v", j, out[j], ref[j])
				}
			}
			if got, want := polylineMin2(q.X[i], q.Y[i], b), polylineMin2Scalar(q.X[i], q.Y[i], b); !close(got, want, 1e-9) {
				t.Fatalf("polylineMin2 = %v, scalar %v", got, want)
			}
			if got, want := geoPolylineMin2(q.ux[i], q.uy[i], q.uz[i], b), geoPolylineMin2Scalar(q.ux[i], q.uy[i], q.uz[i], b); !close(got, want, 1e-9) {
				t.Fatalf("geoPolylineMin2 = %v, scalar %v", got, want)
			}
		}
		// A vertex of b against b itself: exactly 0 on both paths.
		if d := polylineMin2(b.X[n-1], b.Y[n-1], b); d != 0 {
			t.Fatalf("last vertex to own polyline: %v", d)
		}
		if d := geoPolylineMin2(b.ux[n-1], b.uy[n-1], b.uz[n-1], b); d != 0 {
			t.Fatalf("last vertex to own arcs: %v", d)
		}
	}
	_ = math.Inf
}

// TestDTWDiagMatchesRows: the anti-diagonal kernel equals the row kernel
// (same additions, so bit for bit) on long inputs, planar and geographic,
// and abandons only above the threshold.
func TestDTWDiagMatchesRows(t *testing.T) {
	r := rand.New(rand.NewSource(11))
	var s Scratch
	for trial := 0; trial < 40; trial++ {
		a := randomWalk(r, 1+r.Intn(150), 116.3, 39.9, 0.001).series(t)
		b := randomWalk(r, 1+r.Intn(150), 116.3, 39.9, 0.001).series(t)
		for _, geo := range []bool{false, true} {
			var diag, rows float64
			if geo {
				diag, rows = s.dtwDiagGeo(a, b, math.Inf(1)), s.dtwGeo(a, b, math.Inf(1))
			} else {
				diag, rows = s.dtwDiagPlanar(a, b, math.Inf(1)), s.dtwPlanar(a, b, math.Inf(1))
			}
			if !close(diag, rows, 1e-12) {
				t.Fatalf("geo=%v n=%d m=%d: anti-diagonal %v, rows %v", geo, a.Len(), b.Len(), diag, rows)
			}
			fd, fr := s.discreteFrechet(geo, a, b, math.Inf(1)), s.discreteFrechetRows(geo, a, b, math.Inf(1))
			if fd != fr {
				t.Fatalf("geo=%v n=%d m=%d: anti-diagonal Fréchet %v, rows %v", geo, a.Len(), b.Len(), fd, fr)
			}
			for _, f := range []float64{0.5, 0.999, 1, 1.5} {
				got := s.discreteFrechet(geo, a, b, fd*f)
				if (f >= 1 && got != fd) || (f < 1 && got != fd && !math.IsInf(got, 1)) {
					t.Fatalf("Fréchet abandon at %v×distance returned %v, want %v", f, got, fd)
				}
			}
			for _, f := range []float64{0.5, 0.999, 1, 1.5} {
				got := s.dtwDiag(a, b, geo, diag*f)
				if f >= 1 && got != diag {
					t.Fatalf("abandon at %v×distance returned %v, want %v", f, got, diag)
				}
				if f < 1 && got != diag && !math.IsInf(got, 1) {
					t.Fatalf("abandon at %v×distance returned %v", f, got)
				}
			}
		}
	}
}

// TestERPDiagMatchesRows: the anti-diagonal ERP equals the row kernel.
func TestERPDiagMatchesRows(t *testing.T) {
	r := rand.New(rand.NewSource(12))
	var s Scratch
	for trial := 0; trial < 40; trial++ {
		a := randomWalk(r, 1+r.Intn(150), 116.3, 39.9, 0.001).series(t)
		b := randomWalk(r, 1+r.Intn(150), 116.3, 39.9, 0.001).series(t)
		for _, m := range []Metric{{Kind: ERP}, {Kind: ERP, Geo: true}, {Kind: ERP, Gap: [2]float64{116.3, 39.9}, Geo: true}} {
			diag, rows := s.erpDiag(m, a, b, math.Inf(1)), s.erp(m, a, b, math.Inf(1))
			if !close(diag, rows, 1e-12) {
				t.Fatalf("%v n=%d m=%d: anti-diagonal %v, rows %v", m, a.Len(), b.Len(), diag, rows)
			}
			for _, f := range []float64{0.5, 0.999, 1, 1.5} {
				got := s.erpDiag(m, a, b, diag*f)
				if f >= 1 && got != diag {
					t.Fatalf("abandon at %v×distance returned %v, want %v", f, got, diag)
				}
				if f < 1 && got != diag && !math.IsInf(got, 1) {
					t.Fatalf("abandon at %v×distance returned %v", f, got)
				}
			}
		}
	}
}

// TestEditDiagMatchesRows: the anti-diagonal EDR and LCSS equal the int32
// row kernels, and EDR abandons only above the threshold.
func TestEditDiagMatchesRows(t *testing.T) {
	r := rand.New(rand.NewSource(14))
	var s Scratch
	for trial := 0; trial < 40; trial++ {
		a := randomWalk(r, 1+r.Intn(150), 116.3, 39.9, 0.001).series(t)
		b := randomWalk(r, 1+r.Intn(150), 116.3, 39.9, 0.001).series(t)
		for _, geo := range []bool{false, true} {
			m := Metric{Kind: EDR, Geo: geo, Eps: 150}
			if !geo {
				m.Eps = 0.0015
			}
			e2 := matchThreshold2(m)
			norm := float64(max(a.Len(), b.Len()))
			if got, want := s.editWavefront(a, b, geo, false, e2, math.Inf(1))/norm, s.edrRows(m, a, b, math.Inf(1)); got != want {
				t.Fatalf("EDR geo=%v: anti-diagonal %v, rows %v", geo, got, want)
			}
			want := s.edrRows(m, a, b, math.Inf(1))
			for _, f := range []float64{0.5, 0.999, 1, 1.5} {
				got := s.edr(m, a, b, want*f)
				if (f >= 1 && got != want) || (f < 1 && got != want && !math.IsInf(got, 1)) {
					t.Fatalf("EDR abandon at %v×distance returned %v, want %v", f, got, want)
				}
			}
			m.Kind = LCSS
			if got, want := s.lcss(m, a, b), s.lcssRows(m, a, b); got != want {
				t.Fatalf("LCSS geo=%v: anti-diagonal %v, rows %v", geo, got, want)
			}
		}
	}
}
