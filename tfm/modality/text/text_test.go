package text

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/tfm-course/course/datasets/synth"
	"github.com/tfm-course/course/tfm/modality"
	"github.com/tfm-course/course/tfm/modality/internal/modtest"
	"github.com/tfm-course/course/tfm/roadnet"
	"github.com/tfm-course/course/tfm/traj"
)

var handOrigin = newMetres(orb.Point{10, 50})

// ll converts local metres around handOrigin to [lon, lat].
func ll(x, y float64) orb.Point { return handOrigin.LonLat(x, y) }

func square(x0, y0, x1, y1 float64) orb.Polygon {
	return orb.Polygon{orb.Ring{ll(x0, y0), ll(x1, y0), ll(x1, y1), ll(x0, y1), ll(x0, y0)}}
}

// handCase: Maple Street runs east 0→1000 m, Oak Avenue north from its end;
// the traveller drives both at 10 m/s, stays 20 min at the Library and
// arrives at Café Rosa.
func handCase(t *testing.T) (*Describer, *traj.Trajectory) {
	g := &roadnet.Graph{}
	a, b, c := g.AddNode(ll(0, 0), 0), g.AddNode(ll(1000, 0), 0), g.AddNode(ll(1000, 1000), 0)
	g.AddTwoWay(a, b, nil, 13, "residential", "Maple Street")
	g.AddTwoWay(b, c, nil, 13, "residential", "Oak Avenue")
	ctx := Context{
		Network: g,
		POIs: []POI{
			{Name: "Café Rosa", Category: "cafe", Point: ll(1010, 1000)},
			{Name: "Library", Category: "library", Point: ll(1000, 500)},
		},
		Districts: []District{
			{Name: "Northside", Type: "residential", Polygon: square(-500, -500, 500, 1500)},
			{Name: "Downtown", Type: "business", Polygon: square(500, -500, 1500, 1500)},
		},
	}
	d, err := NewDescriber(ctx, Config{StayDistance: 150, StayDuration: 15 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2024, 3, 4, 8, 5, 0, 0, time.UTC)
	tr := &traj.Trajectory{ID: "hand", Mode: "car"}
	add := func(sec int, x, y float64) {
		p := ll(x, y)
		tr.Points = append(tr.Points, traj.NewPoint(p[0], p[1], t0.Add(time.Duration(sec)*time.Second)))
	}
	for i := 0; i <= 10; i++ { // Maple Street, t = 0..100 s
		add(10*i, float64(100*i), 0)
	}
	for i := 1; i <= 4; i++ { // Oak Avenue to y = 400, t = 110..140 s
		add(100+10*i, 1000, float64(100*i))
	}
	for i := 0; i <= 20; i++ { // at the Library, t = 150..1350 s, ±5 m jitter
		add(150+60*i, 1000+5*math.Sin(float64(i)), 500+5*math.Cos(float64(i)))
	}
	for i := 1; i <= 5; i++ { // Oak Avenue to Café Rosa, t = 1360..1400 s
		add(1350+10*i, 1000, 500+float64(100*i))
	}
	return d, tr
}

const handSentence = "08:05 leave Northside (residential district) on Maple Street → Oak Avenue → " +
	"08:07–08:27 stay at Library (library), Downtown (business district) → Oak Avenue → " +
	"08:28 arrive at Café Rosa (cafe), Downtown (business district)"

func TestHandChecked(t *testing.T) {
	d, tr := handCase(t)
	stays, err := StayPoints(tr, 150, 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(stays) != 1 || stays[0].First != 14 || stays[0].Last != 35 || stays[0].Duration() != 1210*time.Second {
		t.Fatalf("stays %+v", stays)
	}
	desc, err := d.Describe(tr)
	if err != nil {
		t.Fatal(err)
	}
	if got := desc.Sentence(); got != handSentence {
		t.Fatalf("sentence\n got %s\nwant %s", got, handSentence)
	}
	words := Split(desc.Sentence())
	if len(words) != 55 {
		t.Fatalf("%d words: %q", len(words), words)
	}
	tk, err := BuildTokenizer([]string{desc.Sentence()}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if tk.Size() != modality.NumSpecial+29 || tk.Words[0] != "(" || tk.Counts[0] != 5 {
		t.Fatalf("vocabulary %d, first %q×%d", tk.Size(), tk.Words[0], tk.Counts[0])
	}
	if got := tk.Decode(tk.Encode(desc.Sentence())); got != strings.Join(words, " ") {
		t.Fatalf("decode %q", got)
	}
	if desc.TravelTime() != 1400*time.Second {
		t.Fatalf("travel time %v", desc.TravelTime())
	}
	ins := Instructions(desc)
	if len(ins) != 3 || ins[0].Output != "23 minutes" || ins[1].Output != "car" ||
		ins[2].Output != "Café Rosa (cafe), Downtown (business district)" || strings.Contains(ins[0].Input, "08:28") {
		t.Fatalf("instructions %+v", ins)
	}
}

func TestSplit(t *testing.T) {
	got := Split("08:05 leave O'Brien's Café → St. Mary  ROAD")
	want := []string{"08", ":", "05", "leave", "o'brien's", "café", "→", "st", ".", "mary", "road"}
	if !slices.Equal(got, want) {
		t.Fatalf("Split = %q, want %q", got, want)
	}
}

func TestTokenizerSaveLoadBatch(t *testing.T) {
	d, tr := handCase(t)
	desc, _ := d.Describe(tr)
	texts := []string{desc.Sentence(), desc.Render(Render{NoTimes: true}), "leave somewhere unknown"}
	tk, err := BuildTokenizer(texts[:2], 2)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tok.json")
	if err := tk.Save(path); err != nil {
		t.Fatal(err)
	}
	tk2, err := LoadTokenizer(path)
	if err != nil {
		t.Fatal(err)
	}
	b1, err := tk.Batch(texts, 64, true)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := tk2.Batch(texts, 64, true)
	if !slices.Equal(b1.Tokens, b2.Tokens) || !slices.Equal(b1.Mask, b2.Mask) {
		t.Fatal("tokens differ after save/load")
	}
	if err := b1.Check(); err != nil {
		t.Fatal(err)
	}
	// Row 0: [CLS] + the first 63 of 55 words → 56 real tokens.
	if n := b1.Lengths(); n[0] != 56 || n[2] != 4 {
		t.Fatalf("lengths %v", n)
	}
	row2 := b1.Tokens[2*64 : 2*64+4]
	if row2[0] != modality.CLS || row2[1] != tk.ID("leave") || row2[2] != modality.UNK || row2[3] != modality.UNK {
		t.Fatalf("row 2 %v", row2)
	}
	short, _ := tk.Batch(texts[:1], 4, false)
	if short.Lengths()[0] != 4 {
		t.Fatal("truncation")
	}
}

func TestJSONL(t *testing.T) {
	d, tr := handCase(t)
	desc, _ := d.Describe(tr)
	var buf bytes.Buffer
	if err := WriteJSONL(&buf, Instructions(desc)); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(&buf)
	n, all := 0, buf.String()
	for sc.Scan() {
		var m map[string]string
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		if len(m) != 3 || m["instruction"] == "" || m["input"] == "" || m["output"] == "" {
			t.Fatalf("line %d: %v", n+1, m)
		}
		n++
	}
	if n != 3 || !strings.Contains(all, "→") {
		t.Fatalf("%d lines", n)
	}
}

func TestSynthCity(t *testing.T) {
	city, err := synth.Generate(synth.Config{Seed: 3, Trajectories: 40})
	if err != nil {
		t.Fatal(err)
	}
	d, err := NewDescriber(FromCity(city), Config{})
	if err != nil {
		t.Fatal(err)
	}
	mentioned, correct, destPOI, destHit := 0, 0, 0, 0
	for i, tr := range city.Dataset().Trajectories {
		trip := &city.Trips[i]
		desc, err := d.Describe(tr)
		if err != nil {
			t.Fatal(err)
		}
		if !desc.Depart().Equal(tr.Points[0].Time) || !desc.ArriveAt().Equal(tr.End()) {
			t.Fatalf("%s: depart %v arrive %v, points %v..%v", tr.ID, desc.Depart(), desc.ArriveAt(), tr.Start(), tr.End())
		}
		// Streets mentioned must be on the true path, in order.
		var truth []string
		for _, s := range trip.Path {
			truth = append(truth, city.Network.Segments[s].Name)
		}
		k := 0
		for _, e := range desc.Events {
			if e.Kind != Street {
				continue
			}
			mentioned++
			if j := slices.Index(truth[k:], e.Name); j >= 0 {
				correct++
				k += j
			}
		}
		if trip.DestPOI >= 0 {
			destPOI++
			arrive := desc.Events[len(desc.Events)-1].Place
			if arrive.POI == city.POIs[trip.DestPOI].Name {
				destHit++
			}
			// POIs share road nodes, so the nearest may be a neighbour of the
			// true destination; the true one must still be close.
			if dd := distance(arrive.Point, city.POIs[trip.DestPOI].Point); dd > 60 {
				t.Errorf("%s: arrival %.0f m from the true destination %q", tr.ID, dd, city.POIs[trip.DestPOI].Name)
			}
		}
	}
	share := float64(correct) / float64(mentioned)
	t.Logf("synthetic city: %d of %d streets mentioned lie on the true path in order (%.1f%%); destination POI named in %d of %d trips",
		correct, mentioned, 100*share, destHit, destPOI)
	if share < 0.95 {
		t.Errorf("only %.1f%% of the streets mentioned are on the true path", 100*share)
	}
	if destPOI > 0 && float64(destHit) < 0.5*float64(destPOI) {
		t.Errorf("destination POI named in %d of %d trips", destHit, destPOI)
	}
}

func TestGeolifeStayPoints(t *testing.T) {
	trajs := modtest.Geolife(t, 40)
	d, err := NewDescriber(Context{}, Config{StayDistance: 200, StayDuration: 20 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, tr := range trajs {
		stays, err := StayPoints(tr, 200, 20*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range stays {
			if s.Duration() < 20*time.Minute {
				t.Fatalf("%s: stay of %v", tr.ID, s.Duration())
			}
			for k := s.First; k <= s.Last; k++ {
				if dd := distance(tr.Points[s.First].Point, tr.Points[k].Point); dd > 200 {
					t.Fatalf("%s: stay point %d at %.0f m", tr.ID, k, dd)
				}
			}
		}
		total += len(stays)
		desc, err := d.Describe(tr)
		if err != nil {
			t.Fatal(err)
		}
		if s := desc.Sentence(); !strings.Contains(s, "leave") || !strings.Contains(s, " N 116.") {
			t.Fatalf("sentence %q", s)
		}
	}
	if total == 0 {
		t.Fatal("no stay points in the GeoLife sample")
	}
	t.Logf("GeoLife: %d stay points (200 m, 20 min) in %d trajectories", total, len(trajs))
}

func TestBadInput(t *testing.T) {
	d, _ := NewDescriber(Context{}, Config{})
	t0 := modtest.T0
	cases := []struct {
		name string
		run  func() error
		want string
	}{
		{"empty", func() error { _, err := d.Describe(&traj.Trajectory{ID: "e"}); return err }, `"e": no points`},
		{"nil", func() error { _, err := d.Describe(nil); return err }, "nil trajectory"},
		{"nan", func() error {
			_, err := d.Describe(&traj.Trajectory{ID: "n", Points: []traj.Point{traj.NewPoint(1, math.NaN(), t0)}})
			return err
		}, `"n" point 0: latitude NaN`},
		{"backwards", func() error {
			_, err := StayPoints(&traj.Trajectory{ID: "b", Points: []traj.Point{traj.NewPoint(1, 1, t0), traj.NewPoint(1, 1, t0.Add(-time.Second))}}, 100, time.Minute)
			return err
		}, `"b" point 1: time goes backwards`},
		{"poi", func() error {
			_, err := NewDescriber(Context{POIs: []POI{{Name: "X", Point: orb.Point{200, 0}}}}, Config{})
			return err
		}, `POI 0 "X": longitude 200`},
		{"district", func() error {
			_, err := NewDescriber(Context{Districts: []District{{Name: "D"}}}, Config{})
			return err
		}, `district 0 "D" has no polygon`},
		{"empty text", func() error {
			tk, _ := BuildTokenizer([]string{"a"}, 1)
			_, err := tk.Batch([]string{"a", "  "}, 4, false)
			return err
		}, "row 1 is empty"},
		{"no texts", func() error { _, err := BuildTokenizer(nil, 1); return err }, "no texts"},
		{"bad file", func() error {
			_, err := ReadTokenizer(strings.NewReader(`{"kind":"text-tokenizer","words":["a","a"],"counts":[1,1]}`), "t.json")
			return err
		}, `t.json: word 1 "a"`},
	}
	for _, c := range cases {
		err := c.run()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to mention %q", c.name, err, c.want)
		}
	}
}

func distance(a, b orb.Point) float64 {
	m := newMetres(a)
	xy := m.xy(b)
	return math.Hypot(xy[0], xy[1])
}

func BenchmarkDescribe(b *testing.B) {
	city, err := synth.Generate(synth.Config{Seed: 3, Trajectories: 40})
	if err != nil {
		b.Fatal(err)
	}
	d, _ := NewDescriber(FromCity(city), Config{})
	trajs := city.Dataset().Trajectories
	points := 0
	for _, t := range trajs {
		points += len(t.Points)
	}
	for b.Loop() {
		for _, t := range trajs {
			if _, err := d.Describe(t); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(points*b.N)/b.Elapsed().Seconds(), "points/s")
}

func BenchmarkTokenizerBatch(b *testing.B) {
	city, _ := synth.Generate(synth.Config{Seed: 3, Trajectories: 64})
	d, _ := NewDescriber(FromCity(city), Config{})
	var texts []string
	for _, t := range city.Dataset().Trajectories {
		desc, _ := d.Describe(t)
		texts = append(texts, desc.Sentence())
	}
	tk, _ := BuildTokenizer(texts, 1)
	for b.Loop() {
		if _, err := tk.Batch(texts, 128, true); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(texts)*b.N)/b.Elapsed().Seconds(), "sentences/s")
}

// Growing the tokenizer appends new words after the old ids, and the grown
// modality round-trips through its State.
func TestGrowAppendsNewWords(t *testing.T) {
	city, err := synth.Generate(synth.Config{Seed: 3, Trajectories: 40})
	if err != nil {
		t.Fatal(err)
	}
	ctx, trajs := FromCity(city), city.Dataset().Trajectories
	m, err := NewModality(ctx, trajs[:5])
	if err != nil {
		t.Fatal(err)
	}
	gm, added, err := m.Grow(modality.Source{Trajectories: trajs, Map: &ctx})
	if err != nil {
		t.Fatal(err)
	}
	g := gm.(*Modality)
	if added <= 0 || g.Tk.Size() != m.Tk.Size()+added || !slices.Equal(g.Tk.Words[:len(m.Tk.Words)], m.Tk.Words) {
		t.Fatalf("grew by %d words (%d → %d), old words changed or none added", added, m.Tk.Size(), g.Tk.Size())
	}
	b, err := g.Batch(trajs, 64)
	if err != nil {
		t.Fatal(err)
	}
	if n := slices.Index(b.Tokens, modality.UNK); n >= 0 {
		t.Errorf("grown tokenizer still has [UNK] at slot %d", n)
	}
	st, err := g.State()
	if err != nil {
		t.Fatal(err)
	}
	r, err := modality.Restore("text", st)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.(*Modality).Tk.Words, g.Tk.Words) {
		t.Error("restored words differ from the grown ones")
	}
	t.Logf("text vocabulary of 5 trips: %d ids; grown on 40: +%d", m.Tk.Size(), added)
}
