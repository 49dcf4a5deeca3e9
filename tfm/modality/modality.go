package modality

import (
	"fmt"
	"math"
	"sort"
	"sync"

	"github.com/tfm-course/course/tfm/traj"
)

// A Modality turns trajectories into encoder batches. It is fitted on the
// training data (normalisation statistics, a vocabulary, a map) and its State
// is saved with the checkpoint, so inference featurises exactly as training
// did. Each modality lives in its own package (gps, grid, road, text, image)
// and registers itself by name (Register); import
// tfm/modality/all to have every one of them.
type Modality interface {
	Name() string
	// Spec describes what its batches hold; the encoder is sized from it.
	Spec() Spec
	// Batch featurises trajs as one padded batch of at most maxLen steps a row.
	Batch(trajs []*traj.Trajectory, maxLen int) (*Batch, error)
	// State serialises what Restore needs to rebuild the fitted modality.
	State() ([]byte, error)
}

// Spec describes a modality's batches: token ids (Vocab > 0), per-step
// features (Features > 0), or images of Channels × ImageSize × ImageSize.
type Spec struct {
	Vocab     int // token ids in [0, Vocab)
	Features  int // float features per step
	Channels  int // image channels
	ImageSize int // image side H = W in pixels
}

// Image reports whether the batches are images rather than sequences.
func (s Spec) Image() bool { return s.Channels > 0 }

// Source is what a modality is fitted on: the training trajectories and,
// where the data set has one, its map. Map is a *roadnet.Map (the road and
// text modalities need it; datasets.Load returns it); it is typed any here so
// that code using modalities by name need not depend on the road network.
type Source struct {
	Trajectories []*traj.Trajectory
	Map          any
}

// Kind is a registered modality: how to fit a new one and how to restore a
// fitted one from its State.
type Kind struct {
	Fit     func(src Source) (Modality, error)
	Restore func(state []byte) (Modality, error)
}

var (
	mu       sync.RWMutex
	registry = map[string]Kind{}
)

// Register adds a modality under name (called from the modality package's
// init). Registering a name twice panics.
func Register(name string, k Kind) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := registry[name]; dup {
		panic("modality: " + name + " registered twice")
	}
	registry[name] = k
}

// Names lists the registered modalities, sorted.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func lookup(name string) (Kind, error) {
	mu.RLock()
	k, ok := registry[name]
	mu.RUnlock()
	if !ok {
		return Kind{}, fmt.Errorf("modality %q is not registered (registered: %v; import _ \"github.com/tfm-course/course/tfm/modality/all\" for all of them)", name, Names())
	}
	return k, nil
}

// Fit fits the named modality on src.
func Fit(name string, src Source) (Modality, error) {
	k, err := lookup(name)
	if err != nil {
		return nil, err
	}
	return k.Fit(src)
}

// Restore rebuilds the named modality from its State.
func Restore(name string, state []byte) (Modality, error) {
	k, err := lookup(name)
	if err != nil {
		return nil, err
	}
	m, err := k.Restore(state)
	if err != nil {
		return nil, fmt.Errorf("restoring the %s modality: %w", name, err)
	}
	return m, nil
}

// Optional capabilities, found by type assertion.

// Coordinates is implemented by continuous modalities whose features hold
// planar coordinates (gps): generative pre-training regresses them and
// reports the error in metres.
type Coordinates interface {
	// CoordColumns are the feature columns of x and y.
	CoordColumns() (x, y int)
	// MetresPerUnit converts a normalised difference of each back to metres.
	MetresPerUnit() (x, y float64)
}

// Roads is implemented by modalities that can tell where a path's roads
// begin and end, for road-aware masking: RoadRuns returns a road id per real
// step start..end-1 of row r of b (equal ids = the same road; road-aware
// masking hides maximal runs of equal ids). RoadUnits says what a road is
// for this modality as fitted: RoadSegments, RoadTurns or RoadStraight.
type Roads interface {
	RoadRuns(b *Batch, r, start, end int) []int
	RoadUnits() string
}

// What a road of Roads.RoadRuns is.
const (
	// RoadSegments: the road segment each step was map-matched to (gps,
	// grid with a map): a unit ends at a segment boundary, an intersection.
	RoadSegments = "segments"
	// RoadTurns: no road network, the path is cut where its heading turns
	// by more than 30° (TurnSegments) — the fallback of gps and grid.
	RoadTurns = "turns"
	// RoadStraight: consecutive road-segment tokens joined while the network
	// turns by at most 30° at their junction (the road modality).
	RoadStraight = "straight-roads"
)

// MapUser is implemented by modalities that use a data set's map when they
// are fitted with one but do not save it in their State (gps, grid: the road
// network for road-aware masking). UseMap gives the map (as Source.Map) to a
// modality restored from its State, so a resumed run masks as it did before;
// a nil map or one without a road network leaves the modality as it is.
type MapUser interface {
	UseMap(m any) error
}

// Grower is implemented by token modalities whose vocabulary can grow when
// the city changes (grid, road, text): Grow returns a new modality fitted
// to src (new cells, the new road network's segments, new words) whose
// vocabulary is the old one with the new items appended — every old id
// keeps its meaning, the added ones are ids Spec().Vocab… of the old
// modality onwards — and added is how many were appended. The receiver is
// left unchanged.
type Grower interface {
	Grow(src Source) (grown Modality, added int, err error)
}

// Selective is implemented by modalities that cannot encode every
// trajectory (road: those that map-match; text: those that can be
// described). Usable keeps the encodable training trajectories; Accepts
// tells whether one more trajectory (e.g. an augmented view) is encodable.
type Selective interface {
	Usable(trajs []*traj.Trajectory) []*traj.Trajectory
	Accepts(t *traj.Trajectory) bool
}

// TurnSegments splits a path at its turns: a new road id starts where the
// heading changes by more than minTurn degrees. Without a map-matched road
// id this approximates roads (a road ends at a junction where the path
// turns). headings are in degrees, one per step.
func TurnSegments(headings []float64, minTurn float64) []int {
	seg := make([]int, len(headings))
	id := 0
	for i := 1; i < len(headings); i++ {
		d := math.Abs(headings[i] - headings[i-1])
		if d > 180 {
			d = 360 - d
		}
		if d > minTurn {
			id++
		}
		seg[i] = id
	}
	return seg
}
