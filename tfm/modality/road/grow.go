package road

import (
	"fmt"

	"github.com/tfm-course/course/tfm/modality"
	"github.com/tfm-course/course/tfm/roadnet"
)

var _ modality.Grower = (*Modality)(nil)

// SegmentKeys names every segment of g by what survives a rebuilt network:
// its end points' coordinates (to 1e-7°, ~1 cm) and its street name, plus
// "#k" for the k-th repeat of the same key (parallel segments), so two
// versions of a city agree on the segments they share whatever their ids.
func SegmentKeys(g *roadnet.Graph) []string {
	keys := make([]string, len(g.Segments))
	seen := map[string]int{}
	for i, s := range g.Segments {
		a, b := g.Nodes[s.From].Point, g.Nodes[s.To].Point
		k := fmt.Sprintf("%.7f,%.7f>%.7f,%.7f|%s", a[0], a[1], b[0], b[1], s.Name)
		if n := seen[k]; n > 0 {
			seen[k] = n + 1
			k = fmt.Sprintf("%s#%d", k, n)
		} else {
			seen[k] = 1
		}
		keys[i] = k
	}
	return keys
}

// Grow re-targets the vocabulary from graph old (the one it was made from)
// to the changed network g: a token whose segment is still in g (same
// SegmentKeys key) keeps its id and points at g's segment (with g's class,
// length, speed limit); a token whose segment is gone keeps its id but is
// retired — it points past g's segments, matching never produces it, and a
// segment coming back later gets a new id; every segment of g not in the
// vocabulary is appended, in g's order. added counts the appended tokens.
// v is unchanged.
func (v *Vocab) Grow(old, g *roadnet.Graph) (grown *Vocab, added int, err error) {
	if err := g.Validate(); err != nil {
		return nil, 0, fmt.Errorf("road: %w", err)
	}
	oldKeys := SegmentKeys(old)
	byKey := map[string]int{}
	for i, k := range SegmentKeys(g) {
		byKey[k] = i
	}
	n := len(g.Segments)
	w := &Vocab{Options: v.Options, Segments: make([]SegmentInfo, 0, len(v.Segments)), Counts: append([]int(nil), v.Counts...)}
	kept := make([]bool, n)
	retired := 0
	for _, s := range v.Segments {
		if s.Segment < len(old.Segments) {
			if sid, ok := byKey[oldKeys[s.Segment]]; ok && !kept[sid] {
				kept[sid] = true
				w.Segments = append(w.Segments, info(g, sid))
				continue
			}
		}
		// Retired: an id past g's segments, nodes that link to nothing.
		s.Segment, s.From, s.To = n+retired, -2*retired-1, -2*retired-2
		w.Segments = append(w.Segments, s)
		retired++
	}
	for sid := range n {
		if !kept[sid] {
			w.Segments = append(w.Segments, info(g, sid))
			if w.Counts != nil {
				w.Counts = append(w.Counts, 0)
			}
			added++
		}
	}
	if w.Counts == nil {
		w.Counts = make([]int, len(w.Segments))
	}
	w.NumSegments = n + retired
	if err := w.reindex(); err != nil {
		return nil, 0, fmt.Errorf("road: %w", err)
	}
	return w, added, nil
}

// Grow moves the modality onto the road network of src.Map (the changed
// city's; modality.Grower): Vocab.Grow keeps the ids of the segments both
// networks share, retires the vanished ones and appends the new ones, and
// the grown modality map-matches on the new network (saved in its State).
func (m *Modality) Grow(src modality.Source) (modality.Modality, int, error) {
	mp, ok := src.Map.(*roadnet.Map)
	if !ok || mp == nil || mp.Network == nil {
		return nil, 0, fmt.Errorf("road: growing the vocabulary needs the changed city's road network (Source.Map)")
	}
	v, added, err := m.V.Grow(m.G, mp.Network)
	if err != nil {
		return nil, 0, err
	}
	g, err := withVocab(mp.Network, v)
	if err != nil {
		return nil, 0, err
	}
	return g, added, nil
}
