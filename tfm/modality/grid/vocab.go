package grid

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"

	"github.com/paulmach/orb"

	"github.com/tfm-course/course/tfm/modality"
	"github.com/tfm-course/course/tfm/traj"
)

// Options control how trajectories become tokens. They are saved with the
// vocabulary.
type Options struct {
	// MinCount: cells seen fewer times than this in the training data
	// (counted after duplicate removal) are left out and become [UNK].
	MinCount int `json:"min_count"`
	// SkipOutside drops points outside the grid instead of failing.
	SkipOutside bool `json:"skip_outside"`
	// CLS makes Batch start every row with [CLS].
	CLS bool `json:"cls"`
	// Sampling shortens sequences longer than a batch (default truncate).
	Sampling modality.Sampling `json:"sampling"`
}

// Vocab maps grid cells to token ids: ids below modality.NumSpecial are the
// special tokens, then one id per kept cell, most frequent first.
type Vocab struct {
	Grid    Grid
	Options Options
	Cells   []Cell // Cells[id-NumSpecial] is the cell of token id
	Counts  []int  // training occurrences of each kept cell
	ids     *modality.Vocab[Cell]
}

// Cells maps the points of t to grid cells and removes consecutive
// duplicates. first[i] is the index of the first point of the i-th run.
// Points outside the grid are an error naming the point unless skipOutside.
func Cells(g Grid, t *traj.Trajectory, skipOutside bool) (cells []Cell, first []int, err error) {
	if t == nil || len(t.Points) == 0 {
		id := ""
		if t != nil {
			id = t.ID
		}
		return nil, nil, fmt.Errorf("grid: trajectory %q has no points", id)
	}
	for i, p := range t.Points {
		c, err := g.CellOf(p.Point)
		if err != nil {
			if skipOutside && traj.CheckLonLat(p.Lon(), p.Lat()) == nil {
				continue
			}
			return nil, nil, fmt.Errorf("trajectory %q point %d: %w", t.ID, i, err)
		}
		if len(cells) > 0 && cells[len(cells)-1] == c {
			continue
		}
		cells = append(cells, c)
		first = append(first, i)
	}
	if len(cells) == 0 {
		return nil, nil, fmt.Errorf("grid: trajectory %q has no point inside the grid", t.ID)
	}
	return cells, first, nil
}

// Build counts the cells of trajs (after duplicate removal) and keeps those
// seen at least opt.MinCount times.
func Build(g Grid, trajs []*traj.Trajectory, opt Options) (*Vocab, error) {
	if len(trajs) == 0 {
		return nil, fmt.Errorf("grid: vocabulary of no trajectories")
	}
	counts := map[Cell]int{}
	for _, t := range trajs {
		cells, _, err := Cells(g, t, opt.SkipOutside)
		if err != nil {
			return nil, err
		}
		for _, c := range cells {
			counts[c]++
		}
	}
	ids := modality.BuildVocab(counts, opt.MinCount, func(a, b Cell) int {
		return cmp.Or(cmp.Compare(a.Y, b.Y), cmp.Compare(a.X, b.X))
	})
	return &Vocab{Grid: g, Options: opt, Cells: ids.Items, Counts: ids.Counts, ids: ids}, nil
}

// Size is the number of token ids, special tokens included.
func (v *Vocab) Size() int { return v.ids.Size() }

// Token is the id of cell c, [UNK] when the cell is not in the vocabulary.
func (v *Vocab) Token(c Cell) int32 { return v.ids.ID(c) }

// Cell is the cell of token id; false for special or unknown ids.
func (v *Vocab) Cell(id int32) (Cell, bool) { return v.ids.Item(id) }

// Name is a printable name of token id: "[PAD]"… or "x,y".
func (v *Vocab) Name(id int32) string {
	return v.ids.Name(id, func(c Cell) string { return fmt.Sprintf("%d,%d", c.X, c.Y) })
}

// Centre is the centre of the cell of token id; false for special ids.
func (v *Vocab) Centre(id int32) (orb.Point, bool) {
	c, ok := v.Cell(id)
	if !ok {
		return orb.Point{}, false
	}
	return v.Grid.Centre(c), true
}

// Centres lists the centre of every token id (special ids get [0, 0]), for
// spatially aware losses.
func (v *Vocab) Centres() []orb.Point {
	out := make([]orb.Point, v.Size())
	for i, c := range v.Cells {
		out[i+modality.NumSpecial] = v.Grid.Centre(c)
	}
	return out
}

// Neighbours lists the token ids of the vocabulary cells within k cells of
// token id's cell (the k-ring), id itself excluded; nil for special ids.
func (v *Vocab) Neighbours(id int32, k int) []int32 {
	c, ok := v.Cell(id)
	if !ok {
		return nil
	}
	var out []int32
	for _, n := range Ring(v.Grid, c, k)[1:] {
		if nid := v.ids.ID(n); nid != modality.UNK {
			out = append(out, nid)
		}
	}
	return out
}

// Tokenize maps t to token ids (duplicates removed, unknown cells as
// [UNK]) and returns the index of the first point of each token.
func (v *Vocab) Tokenize(t *traj.Trajectory) (ids []int32, first []int, err error) {
	cells, first, err := Cells(v.Grid, t, v.Options.SkipOutside)
	if err != nil {
		return nil, nil, err
	}
	ids = make([]int32, len(cells))
	for i, c := range cells {
		ids[i] = v.Token(c)
	}
	return ids, first, nil
}

// Batch tokenizes trajs into a padded [B, maxLen] batch: Tokens, Mask,
// and per token the time of day, day of week and seconds since the previous
// token of the first point in its cell. With Options.CLS each row starts
// with [CLS] (carrying the first token's times).
func (v *Vocab) Batch(trajs []*traj.Trajectory, maxLen int) (*modality.Batch, error) {
	if maxLen <= 0 || (v.Options.CLS && maxLen < 2) {
		return nil, fmt.Errorf("grid: maxLen %d too small", maxLen)
	}
	if len(trajs) == 0 {
		return nil, fmt.Errorf("grid: batch of no trajectories")
	}
	B, L := len(trajs), maxLen
	b := &modality.Batch{
		Size: B, Len: L,
		Tokens:    make([]int32, B*L),
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
	for r, t := range trajs {
		ids, first, err := v.Tokenize(t)
		if err != nil {
			return nil, fmt.Errorf("batch row %d: %w", r, err)
		}
		keep, err := modality.SampleIndices(len(ids), room, v.Options.Sampling)
		if err != nil {
			return nil, fmt.Errorf("grid: %w", err)
		}
		b.IDs[r] = t.ID
		put := func(i int, id int32, p traj.Point, dt float64) {
			k := r*L + i
			b.Tokens[k], b.Mask[k] = id, true
			b.TimeOfDay[k] = float32(timeOfDay(p))
			b.DayOfWeek[k] = int32(p.Time.Weekday())
			b.DeltaT[k] = float32(dt)
		}
		if v.Options.CLS {
			put(0, modality.CLS, t.Points[first[keep[0]]], 0)
		}
		for i, j := range keep {
			p := t.Points[first[j]]
			dt := 0.0
			if i > 0 {
				dt = p.Time.Sub(t.Points[first[keep[i-1]]].Time).Seconds()
			}
			put(off+i, ids[j], p, dt)
		}
	}
	return b, nil
}

func timeOfDay(p traj.Point) float64 {
	h, m, s := p.Time.Clock()
	return (float64(h*3600+m*60+s) + float64(p.Time.Nanosecond())/1e9) / 86400
}

type vocabFile struct {
	Kind    string   `json:"kind"` // "grid-vocab"
	Grid    Spec     `json:"grid"`
	Options Options  `json:"options"`
	Cells   [][2]int `json:"cells"`
	Counts  []int    `json:"counts"`
}

const vocabKind = "grid-vocab"

// Write writes the vocabulary (grid, options, cells, counts) as JSON.
func (v *Vocab) Write(w io.Writer) error {
	f := vocabFile{Kind: vocabKind, Grid: v.Grid.Spec(), Options: v.Options, Counts: v.Counts}
	f.Cells = make([][2]int, len(v.Cells))
	for i, c := range v.Cells {
		f.Cells[i] = [2]int{c.X, c.Y}
	}
	return json.NewEncoder(w).Encode(f)
}

// Save writes the vocabulary to path.
func (v *Vocab) Save(path string) error {
	return modality.SaveFile("grid", path, v.Write)
}

// Read reads a vocabulary written by Write; name is used in errors.
func Read(r io.Reader, name string) (*Vocab, error) {
	var f vocabFile
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("grid: %s: %w", name, err)
	}
	if f.Kind != vocabKind {
		return nil, fmt.Errorf("grid: %s: kind %q, want %q", name, f.Kind, vocabKind)
	}
	g, err := New(f.Grid)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(f.Counts) != len(f.Cells) {
		return nil, fmt.Errorf("grid: %s: %d counts for %d cells", name, len(f.Counts), len(f.Cells))
	}
	cells := make([]Cell, len(f.Cells))
	seen := map[Cell]bool{}
	for i, xy := range f.Cells {
		c := Cell{xy[0], xy[1]}
		if !g.Contains(c) || seen[c] {
			return nil, fmt.Errorf("grid: %s: cell %d %v outside the grid or repeated", name, i, xy)
		}
		seen[c] = true
		cells[i] = c
	}
	ids, err := modality.NewVocab(cells, f.Counts)
	if err != nil {
		return nil, fmt.Errorf("grid: %s: %w", name, err)
	}
	return &Vocab{Grid: g, Options: f.Options, Cells: ids.Items, Counts: ids.Counts, ids: ids}, nil
}

// Load reads a vocabulary saved with Save.
func Load(path string) (*Vocab, error) {
	return modality.LoadFile("grid", path, Read)
}

// Grow is the vocabulary with the cells of trajs it lacks appended (those
// seen at least Options.MinCount times, most frequent first): old ids keep
// their cells. The grid is the one fitted: points outside it are skipped
// and stay [UNK] (a trajectory with no point inside is left out). v is
// unchanged.
func (v *Vocab) Grow(trajs []*traj.Trajectory) (*Vocab, error) {
	counts := map[Cell]int{}
	for _, t := range trajs {
		cells, _, err := Cells(v.Grid, t, true)
		if err != nil {
			continue // nothing inside the grid
		}
		for _, c := range cells {
			counts[c]++
		}
	}
	ids := v.ids.Grow(counts, v.Options.MinCount, func(a, b Cell) int {
		return cmp.Or(cmp.Compare(a.Y, b.Y), cmp.Compare(a.X, b.X))
	})
	return &Vocab{Grid: v.Grid, Options: v.Options, Cells: ids.Items, Counts: ids.Counts, ids: ids}, nil
}
