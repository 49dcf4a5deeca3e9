// Package road is the road-segment modality: a map-matched trajectory is a
// sequence of road-segment tokens, each with the time the vehicle entered
// the segment. The vocabulary keeps each segment's features (class, length,
// speed limit) and the road graph's adjacency, so encoders can embed
// segment attributes and road-aware masking can follow the network.
package road

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/tfm-course/course/tfm/modality"
	"github.com/tfm-course/course/tfm/roadnet"
	"github.com/tfm-course/course/tfm/traj"
)

// Sequence is a road-segment trajectory: segment ids of a roadnet.Graph
// and the time each was entered.
type Sequence struct {
	ID       string
	Segments []int
	Entry    []time.Time // same length as Segments, non-decreasing
}

// FromMatch turns a map-matching result into a Sequence, dropping a
// segment repeated right after itself.
func FromMatch(m *roadnet.Match) Sequence {
	s := Sequence{ID: m.ID}
	for _, ms := range m.Segments {
		if n := len(s.Segments); n > 0 && s.Segments[n-1] == ms.Segment {
			continue
		}
		s.Segments = append(s.Segments, ms.Segment)
		s.Entry = append(s.Entry, ms.Entry)
	}
	return s
}

// Check reports mismatched lengths, unknown segments or times going back.
func (s *Sequence) Check(numSegments int) error {
	if len(s.Segments) == 0 {
		return fmt.Errorf("road: sequence %q is empty", s.ID)
	}
	if len(s.Entry) != len(s.Segments) {
		return fmt.Errorf("road: sequence %q has %d entry times for %d segments", s.ID, len(s.Entry), len(s.Segments))
	}
	for i, seg := range s.Segments {
		if seg < 0 || (numSegments > 0 && seg >= numSegments) {
			return fmt.Errorf("road: sequence %q step %d: segment %d not in the network (%d segments)", s.ID, i, seg, numSegments)
		}
		if i > 0 && s.Entry[i].Before(s.Entry[i-1]) {
			return fmt.Errorf("road: sequence %q step %d: entry time %v before the previous one", s.ID, i, s.Entry[i].Format(time.RFC3339))
		}
	}
	return nil
}

// Classes are the road classes of the class one-hot features; a "_link"
// class counts as its road's class (with the is_link feature set) and any
// other class as "other".
var Classes = []string{"motorway", "trunk", "primary", "secondary", "tertiary",
	"unclassified", "residential", "living_street", "service", "other"}

// FeatureNames name the columns of Features: length as log(1+m)/log(1+1000),
// speed limit in units of 100 km/h, is_link, then the class one-hot.
var FeatureNames = append([]string{"log_length", "speed_limit", "is_link"}, prefixed("class_", Classes)...)

// NumFeatures is len(FeatureNames).
var NumFeatures = len(FeatureNames)

func prefixed(p string, xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = p + x
	}
	return out
}

// SegmentInfo is what the vocabulary keeps of a segment.
type SegmentInfo struct {
	Segment    int     `json:"segment"` // id in the graph
	From       int     `json:"from"`    // graph nodes, for adjacency
	To         int     `json:"to"`
	Length     float64 `json:"length"`      // m
	SpeedLimit float64 `json:"speed_limit"` // m/s
	Class      string  `json:"class"`
}

// Options control tokenization; they are saved with the vocabulary.
type Options struct {
	// MinCount: with Build, segments travelled fewer times are left out
	// and become [UNK].
	MinCount int `json:"min_count"`
	// CLS makes Batch start every row with [CLS].
	CLS bool `json:"cls"`
	// Sampling shortens sequences longer than a batch (default truncate).
	Sampling modality.Sampling `json:"sampling"`
}

// Vocab maps road segments to token ids: ids below modality.NumSpecial are
// the special tokens, then one id per kept segment.
type Vocab struct {
	Options     Options
	Segments    []SegmentInfo        // Segments[id-NumSpecial]
	Counts      []int                // training occurrences (0 for NewVocab)
	NumSegments int                  // segments in the graph the vocabulary was made from
	ids         *modality.Vocab[int] // graph segment ids
	succ        [][]int32
}

func info(g *roadnet.Graph, sid int) SegmentInfo {
	s := &g.Segments[sid]
	return SegmentInfo{Segment: sid, From: s.From, To: s.To, Length: s.Length, SpeedLimit: s.SpeedLimit, Class: s.Class}
}

// NewVocab gives every segment of g a token: id = NumSpecial + segment id.
func NewVocab(g *roadnet.Graph, opt Options) (*Vocab, error) {
	if err := g.Validate(); err != nil {
		return nil, fmt.Errorf("road: %w", err)
	}
	v := &Vocab{Options: opt, NumSegments: len(g.Segments), Counts: make([]int, len(g.Segments))}
	v.Segments = make([]SegmentInfo, len(g.Segments))
	for i := range g.Segments {
		v.Segments[i] = info(g, i)
	}
	if err := v.reindex(); err != nil {
		return nil, fmt.Errorf("road: %w", err)
	}
	return v, nil
}

// Build keeps the segments of g travelled at least opt.MinCount times in
// seqs, most travelled first.
func Build(g *roadnet.Graph, seqs []Sequence, opt Options) (*Vocab, error) {
	if err := g.Validate(); err != nil {
		return nil, fmt.Errorf("road: %w", err)
	}
	if len(seqs) == 0 {
		return nil, fmt.Errorf("road: vocabulary of no sequences")
	}
	counts := map[int]int{}
	for i := range seqs {
		if err := seqs[i].Check(len(g.Segments)); err != nil {
			return nil, err
		}
		for _, s := range seqs[i].Segments {
			counts[s]++
		}
	}
	ids := modality.BuildVocab(counts, opt.MinCount, cmp.Compare[int])
	v := &Vocab{Options: opt, NumSegments: len(g.Segments), ids: ids}
	for _, s := range ids.Items {
		v.Segments = append(v.Segments, info(g, s))
	}
	if len(ids.Counts) > 0 { // nil when empty, as the saved files always had
		v.Counts = ids.Counts
	}
	v.reindexSuccessors()
	return v, nil
}

// reindex builds the id table of v.Segments and their successors.
func (v *Vocab) reindex() error {
	segs := make([]int, len(v.Segments))
	for i, s := range v.Segments {
		segs[i] = s.Segment
	}
	ids, err := modality.NewVocab(segs, v.Counts)
	if err != nil {
		return err
	}
	v.ids = ids
	v.reindexSuccessors()
	return nil
}

func (v *Vocab) reindexSuccessors() {
	byFrom := map[int][]int32{}
	for i, s := range v.Segments {
		byFrom[s.From] = append(byFrom[s.From], int32(i+modality.NumSpecial))
	}
	v.succ = make([][]int32, v.Size())
	for i, s := range v.Segments {
		v.succ[i+modality.NumSpecial] = byFrom[s.To]
	}
}

// Size is the number of token ids, special tokens included.
func (v *Vocab) Size() int { return v.ids.Size() }

// Token is the id of segment seg, [UNK] when it is not in the vocabulary.
func (v *Vocab) Token(seg int) int32 { return v.ids.ID(seg) }

// Segment is the graph segment of token id; false for special or unknown ids.
func (v *Vocab) Segment(id int32) (SegmentInfo, bool) {
	if _, ok := v.ids.Item(id); !ok {
		return SegmentInfo{}, false
	}
	return v.Segments[id-modality.NumSpecial], true
}

// Name is a printable name of token id: "[PAD]"… or "seg:123".
func (v *Vocab) Name(id int32) string {
	return v.ids.Name(id, func(seg int) string { return fmt.Sprintf("seg:%d", seg) })
}

// Successors are the token ids of the vocabulary segments that can follow
// token id (leaving its end node), for road-aware masking; nil for special ids.
func (v *Vocab) Successors(id int32) []int32 {
	if id < 0 || int(id) >= len(v.succ) {
		return nil
	}
	return v.succ[id]
}

// Adjacency is Successors of every id, indexed by id.
func (v *Vocab) Adjacency() [][]int32 { return v.succ }

// Features writes the NumFeatures features of token id into out (zeros
// for special ids) and returns it.
func (v *Vocab) Features(id int32, out []float32) []float32 {
	out = append(out[:0], make([]float32, NumFeatures)...)
	s, ok := v.Segment(id)
	if !ok {
		return out
	}
	out[0] = float32(math.Log1p(s.Length) / math.Log1p(1000))
	out[1] = float32(s.SpeedLimit * 3.6 / 100)
	class := s.Class
	if base, ok := strings.CutSuffix(class, "_link"); ok {
		out[2], class = 1, base
	}
	k := slices.Index(Classes, class)
	if k < 0 {
		k = len(Classes) - 1
	}
	out[3+k] = 1
	return out
}

// FeatureTable is the [Size, NumFeatures] feature matrix, row-major, for an
// embedding of segment attributes.
func (v *Vocab) FeatureTable() []float32 {
	out := make([]float32, 0, v.Size()*NumFeatures)
	var row []float32
	for id := 0; id < v.Size(); id++ {
		row = v.Features(int32(id), row)
		out = append(out, row...)
	}
	return out
}

// Tokenize maps a sequence to token ids (unknown segments as [UNK]).
func (v *Vocab) Tokenize(s Sequence) ([]int32, error) {
	if err := s.Check(v.NumSegments); err != nil {
		return nil, err
	}
	ids := make([]int32, len(s.Segments))
	for i, seg := range s.Segments {
		ids[i] = v.Token(seg)
	}
	return ids, nil
}

// Batch tokenizes seqs into a padded [B, maxLen] batch: Tokens, Mask,
// segment Features [B, L, NumFeatures], and per token the time of day, day
// of week and seconds since the previous token of its entry time. With
// Options.CLS each row starts with [CLS] (carrying the first entry time).
func (v *Vocab) Batch(seqs []Sequence, maxLen int) (*modality.Batch, error) {
	if maxLen <= 0 || (v.Options.CLS && maxLen < 2) {
		return nil, fmt.Errorf("road: maxLen %d too small", maxLen)
	}
	if len(seqs) == 0 {
		return nil, fmt.Errorf("road: batch of no sequences")
	}
	B, L, F := len(seqs), maxLen, NumFeatures
	b := &modality.Batch{
		Size: B, Len: L, NumFeatures: F,
		Tokens:    make([]int32, B*L),
		Features:  make([]float32, B*L*F),
		Mask:      make([]bool, B*L),
		TimeOfDay: make([]float32, B*L),
		DayOfWeek: make([]int32, B*L),
		DeltaT:    make([]float32, B*L),
		IDs:       make([]string, B),
	}
	room, off := L, 0
	if v.Options.CLS {
		room, off = L-1, 1
	}
	var feat []float32
	for r, s := range seqs {
		ids, err := v.Tokenize(s)
		if err != nil {
			return nil, fmt.Errorf("batch row %d: %w", r, err)
		}
		keep, err := modality.SampleIndices(len(ids), room, v.Options.Sampling)
		if err != nil {
			return nil, fmt.Errorf("road: %w", err)
		}
		b.IDs[r] = s.ID
		put := func(i int, id int32, t time.Time, dt float64) {
			k := r*L + i
			b.Tokens[k], b.Mask[k] = id, true
			b.TimeOfDay[k] = float32(timeOfDay(t))
			b.DayOfWeek[k] = int32(t.Weekday())
			b.DeltaT[k] = float32(dt)
			feat = v.Features(id, feat)
			copy(b.Features[k*F:(k+1)*F], feat)
		}
		if v.Options.CLS {
			put(0, modality.CLS, s.Entry[keep[0]], 0)
		}
		for i, j := range keep {
			dt := 0.0
			if i > 0 {
				dt = s.Entry[j].Sub(s.Entry[keep[i-1]]).Seconds()
			}
			put(off+i, ids[j], s.Entry[j], dt)
		}
	}
	return b, nil
}

func timeOfDay(t time.Time) float64 {
	h, m, s := t.Clock()
	return (float64(h*3600+m*60+s) + float64(t.Nanosecond())/1e9) / 86400
}

type vocabFile struct {
	Kind        string        `json:"kind"` // "road-vocab"
	Options     Options       `json:"options"`
	NumSegments int           `json:"num_segments"`
	Segments    []SegmentInfo `json:"segments"`
	Counts      []int         `json:"counts"`
}

const vocabKind = "road-vocab"

// Write writes the vocabulary (options, segments with their features and
// nodes, counts) as JSON; it needs no graph to be read back.
func (v *Vocab) Write(w io.Writer) error {
	return json.NewEncoder(w).Encode(vocabFile{Kind: vocabKind, Options: v.Options, NumSegments: v.NumSegments, Segments: v.Segments, Counts: v.Counts})
}

// Save writes the vocabulary to path.
func (v *Vocab) Save(path string) error {
	return modality.SaveFile("road", path, v.Write)
}

// Read reads a vocabulary written by Write; name is used in errors.
func Read(r io.Reader, name string) (*Vocab, error) {
	var f vocabFile
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("road: %s: %w", name, err)
	}
	if f.Kind != vocabKind {
		return nil, fmt.Errorf("road: %s: kind %q, want %q", name, f.Kind, vocabKind)
	}
	if len(f.Counts) != len(f.Segments) {
		return nil, fmt.Errorf("road: %s: %d counts for %d segments", name, len(f.Counts), len(f.Segments))
	}
	seen := map[int]bool{}
	for i, s := range f.Segments {
		if s.Segment < 0 || s.Segment >= f.NumSegments || seen[s.Segment] || !(s.Length >= 0) || !(s.SpeedLimit >= 0) {
			return nil, fmt.Errorf("road: %s: segment entry %d (%+v) out of range, repeated or invalid", name, i, s)
		}
		seen[s.Segment] = true
	}
	v := &Vocab{Options: f.Options, NumSegments: f.NumSegments, Segments: f.Segments, Counts: f.Counts}
	if err := v.reindex(); err != nil {
		return nil, fmt.Errorf("road: %s: %w", name, err)
	}
	return v, nil
}

// Load reads a vocabulary saved with Save.
func Load(path string) (*Vocab, error) {
	return modality.LoadFile("road", path, Read)
}

// MatchAll map-matches trajectories in parallel and returns their
// sequences; errs[i] is set (and seqs[i] empty) where trajectory i failed.
func MatchAll(m *roadnet.Matcher, ts []*traj.Trajectory) (seqs []Sequence, errs []error) {
	ms, errs := m.MatchAll(ts)
	seqs = make([]Sequence, len(ts))
	for i, mm := range ms {
		if errs[i] == nil {
			seqs[i] = FromMatch(mm)
		}
	}
	return seqs, errs
}
