package road

import (
	"bytes"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/tfm-course/course/tfm/modality"
	"github.com/tfm-course/course/tfm/roadnet"
)

// line is a hand-checked network: nodes 0—1—2 on a line, 0—1 a two-way
// residential street (segments 0: 0→1, 1: 1→0), 1→2 a one-way primary_link
// (segment 2).
func line() *roadnet.Graph {
	g := &roadnet.Graph{}
	for i := 0; i < 3; i++ {
		g.AddNode(orb.Point{10 + 0.001*float64(i), 50}, 0)
	}
	g.AddTwoWay(0, 1, nil, 30/3.6, "residential", "A")
	g.AddSegment(1, 2, nil, 50/3.6, "primary_link", "B")
	return g
}

var t0 = time.Date(2024, 3, 5, 6, 0, 0, 0, time.UTC) // a Tuesday

func seq(id string, segs ...int) Sequence {
	s := Sequence{ID: id, Segments: segs}
	for i := range segs {
		s.Entry = append(s.Entry, t0.Add(time.Duration(10*i)*time.Second))
	}
	return s
}

func TestVocabHandChecked(t *testing.T) {
	g := line()
	seqs := []Sequence{seq("a", 0, 2), seq("b", 1, 0, 2), seq("c", 0)}
	v, err := Build(g, seqs, Options{MinCount: 2, CLS: true})
	if err != nil {
		t.Fatal(err)
	}
	// Counts: seg 0 ×3, seg 2 ×2, seg 1 ×1 (dropped).
	if v.Size() != modality.NumSpecial+2 || v.Token(0) != 4 || v.Token(2) != 5 || v.Token(1) != modality.UNK {
		t.Fatalf("size %d tokens %d %d %d", v.Size(), v.Token(0), v.Token(2), v.Token(1))
	}
	if !reflect.DeepEqual(v.Counts, []int{3, 2}) || v.Name(5) != "seg:2" || v.Name(0) != "[PAD]" {
		t.Fatalf("counts %v name %q", v.Counts, v.Name(5))
	}
	if got := v.Successors(4); !reflect.DeepEqual(got, []int32{5}) { // 0→1 is followed by 1→2
		t.Errorf("successors of seg 0: %v", got)
	}
	if got := v.Successors(5); len(got) != 0 {
		t.Errorf("successors of seg 2: %v", got)
	}
	f := v.Features(5, nil)
	want := make([]float32, NumFeatures)
	want[1], want[2], want[3+2] = 0.5, 1, 1 // 50 km/h, a link, of a primary
	want[0] = f[0]
	if !reflect.DeepEqual(f, want) || f[0] < 0.6 || f[0] > 0.7 { // log1p(71.5 m)/log1p(1000) ≈ 0.62
		t.Errorf("features %v, want %v", f, want)
	}
	b, err := v.Batch(seqs, 3)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Check(); err != nil {
		t.Fatal(err)
	}
	wantTok := []int32{modality.CLS, 4, 5, modality.CLS, modality.UNK, 4, modality.CLS, 4, modality.PAD}
	if !reflect.DeepEqual(b.Tokens, wantTok) {
		t.Errorf("tokens %v, want %v", b.Tokens, wantTok)
	}
	if got := b.Lengths(); !reflect.DeepEqual(got, []int{3, 3, 2}) {
		t.Errorf("lengths %v", got)
	}
	if b.DeltaT[2] != 10 || b.DayOfWeek[1] != 2 || b.TimeOfDay[1] != 0.25 {
		t.Errorf("times: dt %v dow %v tod %v", b.DeltaT[2], b.DayOfWeek[1], b.TimeOfDay[1])
	}
	if got := b.Features[2*NumFeatures : 3*NumFeatures]; !reflect.DeepEqual(got, f) {
		t.Errorf("batch features of seg 2: %v", got)
	}
	// Save/Load gives identical tensors.
	path := filepath.Join(t.TempDir(), "road.json")
	if err := v.Save(path); err != nil {
		t.Fatal(err)
	}
	w, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	b2, err := w.Batch(seqs, 3)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(b, b2) || !reflect.DeepEqual(v.Adjacency(), w.Adjacency()) {
		t.Error("loaded vocabulary gives different batches or adjacency")
	}
}

func TestNewVocabAllSegments(t *testing.T) {
	g := line()
	v, err := NewVocab(g, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for s := range g.Segments {
		if v.Token(s) != int32(s+modality.NumSpecial) {
			t.Errorf("token of seg %d = %d", s, v.Token(s))
		}
	}
	if got := v.Successors(v.Token(1)); !reflect.DeepEqual(got, []int32{v.Token(0)}) { // 1→0 is followed by 0→1 (a U-turn) only
		t.Errorf("successors of 1→0: %v", got)
	}
	if tab := v.FeatureTable(); len(tab) != v.Size()*NumFeatures {
		t.Errorf("feature table %d values", len(tab))
	}
}

func TestBadInputs(t *testing.T) {
	g := line()
	v, _ := NewVocab(g, Options{})
	cases := map[string]Sequence{
		"empty":          {ID: "e"},
		"entry times":    {ID: "x", Segments: []int{0, 2}, Entry: []time.Time{t0}},
		"not in the net": seq("y", 0, 7),
		"before the":     {ID: "z", Segments: []int{0, 2}, Entry: []time.Time{t0, t0.Add(-time.Second)}},
	}
	for want, s := range cases {
		if _, err := v.Batch([]Sequence{s}, 4); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v", want, err)
		}
	}
	if _, err := v.Batch(nil, 4); err == nil {
		t.Error("empty batch accepted")
	}
	if _, err := Read(bytes.NewBufferString(`{"kind":"grid-vocab"}`), "x.json"); err == nil || !strings.Contains(err.Error(), "x.json") {
		t.Errorf("wrong kind: %v", err)
	}
	if _, err := Read(bytes.NewBufferString(`{"kind":"road-vocab","num_segments":1,"segments":[{"segment":5}],"counts":[0]}`), "y.json"); err == nil {
		t.Error("segment out of range accepted")
	}
	if _, err := NewVocab(&roadnet.Graph{}, Options{}); err == nil {
		t.Error("empty graph accepted")
	}
}
