package text

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/tfm-course/course/tfm/modality"
	"github.com/tfm-course/course/tfm/roadnet"
	"github.com/tfm-course/course/tfm/traj"
)

func init() {
	modality.Register("text", modality.Kind{
		Fit: func(src modality.Source) (modality.Modality, error) {
			m, ok := src.Map.(*roadnet.Map)
			if !ok || m == nil {
				return nil, fmt.Errorf("the text modality needs a map (POIs, districts, streets) to describe trajectories against: load data that has one (synthetic)")
			}
			return NewModality(*m, src.Trajectories)
		},
		Restore: func(state []byte) (modality.Modality, error) { return restore(state) },
	})
}

// Modality is the text modality: each trajectory is described in words
// against the map ("08:05 leave Southgate on Kepler Street → …") and
// tokenised. Descriptions are cached. The map is saved in the State, so a
// checkpoint needs no data set to be reloaded.
type Modality struct {
	Tk    *Tokenizer
	D     *Describer
	Map   Context
	mu    sync.Mutex
	cache map[*traj.Trajectory]string
}

// NewModality describes trajs against ctx and builds the vocabulary of
// their descriptions.
func NewModality(ctx Context, trajs []*traj.Trajectory) (*Modality, error) {
	m, err := newModality(ctx)
	if err != nil {
		return nil, err
	}
	var texts []string
	for _, tr := range trajs {
		if s, err := m.describe(tr, true); err == nil {
			texts = append(texts, s)
		}
	}
	if m.Tk, err = BuildTokenizer(texts, 1); err != nil {
		return nil, err
	}
	return m, nil
}

func newModality(ctx Context) (*Modality, error) {
	d, err := NewDescriber(ctx, DefaultConfig())
	if err != nil {
		return nil, err
	}
	return &Modality{D: d, Map: ctx, cache: map[*traj.Trajectory]string{}}, nil
}

func (m *Modality) describe(t *traj.Trajectory, keep bool) (string, error) {
	m.mu.Lock()
	s, ok := m.cache[t]
	m.mu.Unlock()
	if ok {
		return s, nil
	}
	d, err := m.D.Describe(t)
	if err != nil {
		return "", err
	}
	s = d.Sentence()
	if strings.TrimSpace(s) == "" {
		return "", fmt.Errorf("trajectory %q: empty description", t.ID)
	}
	if keep {
		m.mu.Lock()
		m.cache[t] = s
		m.mu.Unlock()
	}
	return s, nil
}

func (m *Modality) Name() string        { return "text" }
func (m *Modality) Spec() modality.Spec { return modality.Spec{Vocab: m.Tk.Size()} }

// Usable keeps the trajectories that can be described.
func (m *Modality) Usable(trajs []*traj.Trajectory) []*traj.Trajectory {
	var out []*traj.Trajectory
	for _, t := range trajs {
		if _, err := m.describe(t, true); err == nil {
			out = append(out, t)
		}
	}
	return out
}

// Accepts reports whether a trajectory (e.g. an augmented view) can be described.
func (m *Modality) Accepts(t *traj.Trajectory) bool {
	_, err := m.describe(t, false)
	return err == nil
}

func (m *Modality) Batch(trajs []*traj.Trajectory, maxLen int) (*modality.Batch, error) {
	texts := make([]string, len(trajs))
	for i, t := range trajs {
		s, err := m.describe(t, false)
		if err != nil {
			return nil, fmt.Errorf("text: batch row %d: %w", i, err)
		}
		texts[i] = s
	}
	return m.Tk.Batch(texts, maxLen, false)
}

var _ modality.Grower = (*Modality)(nil)

// Grow describes src's trajectories against src.Map (the changed city's
// places and streets; m's map when src has none) and appends the words of
// their descriptions the tokenizer lacks (modality.Grower; Tokenizer.Grow).
// The grown modality describes against that map from then on.
func (m *Modality) Grow(src modality.Source) (modality.Modality, int, error) {
	ctx := m.Map
	if mp, ok := src.Map.(*roadnet.Map); ok && mp != nil {
		ctx = *mp
	}
	g, err := newModality(ctx)
	if err != nil {
		return nil, 0, err
	}
	var texts []string
	for _, tr := range src.Trajectories {
		if s, err := g.describe(tr, true); err == nil {
			texts = append(texts, s)
		}
	}
	g.Tk = m.Tk.Grow(texts)
	return g, g.Tk.Size() - m.Tk.Size(), nil
}

type state struct {
	Map       Context         `json:"map"`
	Tokenizer json.RawMessage `json:"tokenizer"`
}

func (m *Modality) State() ([]byte, error) {
	var b bytes.Buffer
	if err := m.Tk.Write(&b); err != nil {
		return nil, err
	}
	return json.Marshal(state{Map: m.Map, Tokenizer: b.Bytes()})
}

func restore(raw []byte) (*Modality, error) {
	var st state
	if err := json.Unmarshal(raw, &st); err != nil {
		return nil, fmt.Errorf("text state: %w", err)
	}
	m, err := newModality(st.Map)
	if err != nil {
		return nil, err
	}
	if m.Tk, err = ReadTokenizer(bytes.NewReader(st.Tokenizer), "text state"); err != nil {
		return nil, err
	}
	return m, nil
}
