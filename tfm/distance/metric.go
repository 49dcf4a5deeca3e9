package distance

import (
	"fmt"
	"math"
	"strings"
)

// Kind names a trajectory distance.
type Kind int

// The distances. See README.md for their exact definitions.
const (
	DTW               Kind = iota // dynamic time warping (sum along the best warping path)
	Frechet                       // discrete Fréchet (Eiter–Mannila)
	ContinuousFrechet             // continuous Fréchet (Alt–Godau, exact)
	Hausdorff                     // symmetric, vertex-to-polyline
	SSPD                          // symmetric segment-path distance
	EDR                           // edit distance on real sequences, ε match, / max(n, m)
	LCSS                          // 1 − LCSS/min(n, m), ε match
	ERP                           // edit distance with real penalty, gap point g
)

var kindNames = []string{"dtw", "frechet", "cfrechet", "hausdorff", "sspd", "edr", "lcss", "erp"}

// Kinds lists every distance in declaration order.
func Kinds() []Kind { return []Kind{DTW, Frechet, ContinuousFrechet, Hausdorff, SSPD, EDR, LCSS, ERP} }

func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// ParseKind parses a distance name as the CLI spells it (dtw, frechet,
// cfrechet, hausdorff, sspd, edr, lcss, erp; case-insensitive).
func ParseKind(name string) (Kind, error) {
	for i, n := range kindNames {
		if strings.EqualFold(n, name) {
			return Kind(i), nil
		}
	}
	return 0, fmt.Errorf("distance: unknown metric %q (want one of %s)", name, strings.Join(kindNames, ", "))
}

// Metric is a distance with its parameters.
type Metric struct {
	Kind Kind
	// Geo selects haversine metres on lon/lat degrees instead of Euclidean
	// distance in the input's units.
	Geo bool
	// Eps is the match threshold of EDR and LCSS (input units, or metres when Geo).
	Eps float64
	// Gap is ERP's gap point g (x, y or lon, lat); the zero value is the origin.
	Gap [2]float64
}

// String is e.g. "dtw", "edr(eps=10,geo)".
func (m Metric) String() string {
	var args []string
	if m.Kind == EDR || m.Kind == LCSS {
		args = append(args, fmt.Sprintf("eps=%g", m.Eps))
	}
	if m.Kind == ERP && m.Gap != [2]float64{} {
		args = append(args, fmt.Sprintf("g=%g,%g", m.Gap[0], m.Gap[1]))
	}
	if m.Geo {
		args = append(args, "geo")
	}
	if len(args) == 0 {
		return m.Kind.String()
	}
	return m.Kind.String() + "(" + strings.Join(args, ",") + ")"
}

// Validate checks the parameters.
func (m Metric) Validate() error {
	if m.Kind < 0 || int(m.Kind) >= len(kindNames) {
		return fmt.Errorf("distance: unknown metric %v", m.Kind)
	}
	if (m.Kind == EDR || m.Kind == LCSS) && (!(m.Eps >= 0) || math.IsInf(m.Eps, 1)) {
		return fmt.Errorf("distance: %v needs a finite eps ≥ 0, got %v", m.Kind, m.Eps)
	}
	if m.Kind == ERP {
		if math.IsNaN(m.Gap[0]) || math.IsNaN(m.Gap[1]) || math.IsInf(m.Gap[0], 0) || math.IsInf(m.Gap[1], 0) {
			return fmt.Errorf("distance: erp gap point %v is not finite", m.Gap)
		}
		if m.Geo && (m.Gap[1] < -90 || m.Gap[1] > 90 || m.Gap[0] < -180 || m.Gap[0] > 180) {
			return fmt.Errorf("distance: erp gap point %v is not a valid lon/lat", m.Gap)
		}
	}
	return nil
}

// check validates the metric and that the series suit it.
func (m Metric) check(ss ...*Series) error {
	if err := m.Validate(); err != nil {
		return err
	}
	for _, s := range ss {
		if s == nil || s.Len() == 0 {
			return fmt.Errorf("distance: empty trajectory")
		}
		if m.Geo && s.geoErr != nil {
			if s.ID != "" {
				return fmt.Errorf("distance: trajectory %q: %w", s.ID, s.geoErr)
			}
			return fmt.Errorf("distance: %w", s.geoErr)
		}
	}
	return nil
}

// Distance computes the distance between a and b. For many pairs use
// Pairwise or Condensed (parallel, no per-pair allocation) or a Scratch.
func (m Metric) Distance(a, b *Series) (float64, error) {
	if err := m.check(a, b); err != nil {
		return math.NaN(), err
	}
	var s Scratch
	return s.distance(m, a, b, math.Inf(1)), nil
}

// Scratch holds the reusable buffers of one worker; its zero value is ready.
// A Scratch must not be used by two goroutines at once.
type Scratch struct {
	f0, f1, gap []float64
	d0          []float64
	i0, i1      []int32
	u0, u1      []uint64
	cf          cfScratch
}

// Distance is Metric.Distance reusing the scratch buffers (no allocation
// once they have grown to the longest series).
func (s *Scratch) Distance(m Metric, a, b *Series) (float64, error) {
	if err := m.check(a, b); err != nil {
		return math.NaN(), err
	}
	return s.distance(m, a, b, math.Inf(1)), nil
}

func (s *Scratch) floats(n int) ([]float64, []float64) {
	if cap(s.f0) < n {
		s.f0, s.f1 = make([]float64, n), make([]float64, n)
	}
	return s.f0[:n], s.f1[:n]
}

func (s *Scratch) bits(n int) ([]uint64, []uint64) {
	if cap(s.u0) < n {
		s.u0, s.u1 = make([]uint64, n), make([]uint64, n)
	}
	return s.u0[:n], s.u1[:n]
}

func (s *Scratch) ints(n int) ([]int32, []int32) {
	if cap(s.i0) < n {
		s.i0, s.i1 = make([]int32, n), make([]int32, n)
	}
	return s.i0[:n], s.i1[:n]
}

// distance dispatches to the kernels. A result above abandon may be returned
// as +Inf (early abandoning); pass +Inf for the exact value.
func (s *Scratch) distance(m Metric, a, b *Series, abandon float64) float64 {
	switch m.Kind {
	case DTW:
		if m.Geo {
			return s.dtwDiagGeo(a, b, abandon)
		}
		if len(b.X) <= smallLen {
			return dtwSmallPlanar(a.X, a.Y, b.X, b.Y, abandon)
		}
		return s.dtwDiagPlanar(a, b, abandon)
	case Frechet:
		return s.discreteFrechet(m.Geo, a, b, abandon)
	case ContinuousFrechet:
		return s.continuousFrechet(m.Geo, a, b, abandon)
	case Hausdorff:
		return hausdorff(m.Geo, a, b)
	case SSPD:
		return sspd(m.Geo, a, b)
	case EDR:
		return s.edr(m, a, b, abandon)
	case LCSS:
		return s.lcss(m, a, b)
	case ERP:
		return s.erpDiag(m, a, b, abandon)
	}
	panic("distance: unknown metric " + m.Kind.String())
}
