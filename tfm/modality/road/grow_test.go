package road_test

import (
	"testing"

	"github.com/paulmach/orb"

	"github.com/tfm-course/course/datasets/synth"
	"github.com/tfm-course/course/tfm/modality"
	"github.com/tfm-course/course/tfm/modality/road"
	"github.com/tfm-course/course/tfm/roadnet"
)

// rebuilt is g with its nodes and segments renumbered (reversed), segment
// closed left out and one new street added: the same city after a change.
func rebuilt(g *roadnet.Graph, closed int) *roadnet.Graph {
	h := &roadnet.Graph{}
	node := make([]int, len(g.Nodes))
	for i := len(g.Nodes) - 1; i >= 0; i-- {
		node[i] = h.AddNode(g.Nodes[i].Point, g.Nodes[i].OSMID)
	}
	for i := len(g.Segments) - 1; i >= 0; i-- {
		if s := g.Segments[i]; i != closed {
			h.AddSegment(node[s.From], node[s.To], s.Geometry, s.SpeedLimit, s.Class, s.Name)
		}
	}
	far := h.AddNode(orb.Point{g.Nodes[0].Point[0] + 0.01, g.Nodes[0].Point[1]}, 0)
	h.AddSegment(node[0], far, nil, 13.9, "residential", "New Street")
	return h
}

// Growing onto a changed network keeps every shared segment's token id,
// retires the closed one, appends the new street, and survives State/Restore.
func TestGrowOntoChangedNetwork(t *testing.T) {
	city, err := synth.Generate(synth.Config{Seed: 11, Trajectories: 20})
	if err != nil {
		t.Fatal(err)
	}
	m, err := road.New(city.Network)
	if err != nil {
		t.Fatal(err)
	}
	const closed = 5
	g2 := rebuilt(city.Network, closed)
	gm, added, err := m.Grow(modality.Source{Map: &roadnet.Map{Network: g2}})
	if err != nil {
		t.Fatal(err)
	}
	grown := gm.(*road.Modality)
	if added != 1 || grown.V.Size() != m.V.Size()+1 || grown.G != g2 {
		t.Fatalf("added %d tokens (%d → %d), want the new street only", added, m.V.Size(), grown.V.Size())
	}
	keys1, keys2 := road.SegmentKeys(city.Network), road.SegmentKeys(g2)
	for sid := range city.Network.Segments {
		id := m.V.Token(sid)
		info, ok := grown.V.Segment(id)
		switch {
		case !ok:
			t.Fatalf("token %d of segment %d lost", id, sid)
		case sid == closed:
			if info.Segment < len(g2.Segments) {
				t.Errorf("closed segment's token %d points at segment %d of the new network", id, info.Segment)
			}
		case keys2[info.Segment] != keys1[sid]:
			t.Errorf("token %d: segment %s became %s", id, keys1[sid], keys2[info.Segment])
		}
	}
	newID := grown.V.Token(len(g2.Segments) - 1)
	if int(newID) != m.V.Size() {
		t.Errorf("new street has token %d, want %d", newID, m.V.Size())
	}
	for sid := range g2.Segments {
		if grown.V.Token(sid) == modality.UNK {
			t.Fatalf("segment %d of the new network is [UNK]", sid)
		}
	}
	st, err := grown.State()
	if err != nil {
		t.Fatal(err)
	}
	r, err := modality.Restore("road", st)
	if err != nil {
		t.Fatal(err)
	}
	if rv := r.(*road.Modality).V; rv.Size() != grown.V.Size() || rv.Token(0) != grown.V.Token(0) || rv.Token(len(g2.Segments)-1) != newID {
		t.Error("restored vocabulary differs from the grown one")
	}
	// The grown modality map-matches on the new network: trips off the
	// closed segment still encode, every token a known one.
	b, err := grown.Batch(grown.Usable(city.Dataset().Trajectories), 64)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range b.Tokens {
		if id == modality.UNK {
			t.Fatal("a matched trajectory has an [UNK] segment")
		}
	}
}
