package pretrain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/tfm-course/course/datasets"
	"github.com/tfm-course/course/datasets/synth"
	"github.com/tfm-course/course/tfm/encoder"
	"github.com/tfm-course/course/tfm/modality"
	"github.com/tfm-course/course/tfm/modality/text"
	"github.com/tfm-course/course/tfm/traj"
)

// SyntheticCity regenerates the synthetic city of a data spec
// ("synthetic[:seed=S,trajectories=N]"): the map context (road network,
// POIs, districts) of the road and text modalities.
func SyntheticCity(spec string) (*synth.City, error) {
	name, arg, _ := strings.Cut(spec, ":")
	if !strings.EqualFold(name, "synthetic") && !strings.EqualFold(name, "synth") {
		return nil, fmt.Errorf("the road and text modalities need a map (road network, POIs): only synthetic data (%q) provides one here, not %q",
			"synthetic:seed=S,trajectories=N", spec)
	}
	cfg, err := datasets.SynthConfig(arg)
	if err != nil {
		return nil, err
	}
	return synth.Generate(cfg)
}

// Text is the text modality: each trajectory is described in words against
// the city's map ("left home in X at 08:10, walked along Y street, …",
// tfm/modality/text) and tokenised. Descriptions are cached.
type Text struct {
	Tk     *text.Tokenizer
	D      *text.Describer
	Source string // data spec of the city, for restoring
	mu     sync.Mutex
	cache  map[*traj.Trajectory]string
}

// NewText describes trajs on the city of source and builds the vocabulary.
func NewText(source string, trajs []*traj.Trajectory) (*Text, error) {
	t, err := newText(source)
	if err != nil {
		return nil, err
	}
	var texts []string
	for _, tr := range trajs {
		if s, err := t.describe(tr, true); err == nil {
			texts = append(texts, s)
		}
	}
	if t.Tk, err = text.BuildTokenizer(texts, 1); err != nil {
		return nil, err
	}
	return t, nil
}

func newText(source string) (*Text, error) {
	city, err := SyntheticCity(source)
	if err != nil {
		return nil, err
	}
	d, err := text.NewDescriber(text.FromCity(city), text.DefaultConfig())
	if err != nil {
		return nil, err
	}
	return &Text{D: d, Source: source, cache: map[*traj.Trajectory]string{}}, nil
}

func (m *Text) describe(t *traj.Trajectory, keep bool) (string, error) {
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

func (m *Text) Name() string { return "text" }
func (m *Text) Configure(cfg *encoder.Config) {
	cfg.VocabSize, cfg.NumFeatures = m.Tk.Size(), 0
}

// Usable keeps the trajectories that can be described.
func (m *Text) Usable(trajs []*traj.Trajectory) []*traj.Trajectory {
	var out []*traj.Trajectory
	for _, t := range trajs {
		if _, err := m.describe(t, true); err == nil {
			out = append(out, t)
		}
	}
	return out
}

// Accepts reports whether an augmented view can be described.
func (m *Text) Accepts(t *traj.Trajectory) bool {
	_, err := m.describe(t, false)
	return err == nil
}

func (m *Text) Batch(trajs []*traj.Trajectory, maxLen int) (*modality.Batch, error) {
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

type textState struct {
	Source    string          `json:"source"`
	Tokenizer json.RawMessage `json:"tokenizer"`
}

func (m *Text) State() ([]byte, error) {
	var b bytes.Buffer
	if err := m.Tk.Write(&b); err != nil {
		return nil, err
	}
	return json.Marshal(textState{Source: m.Source, Tokenizer: b.Bytes()})
}

func restoreText(state []byte) (*Text, error) {
	var st textState
	if err := json.Unmarshal(state, &st); err != nil {
		return nil, fmt.Errorf("text state: %w", err)
	}
	t, err := newText(st.Source)
	if err != nil {
		return nil, err
	}
	if t.Tk, err = text.ReadTokenizer(bytes.NewReader(st.Tokenizer), "text state"); err != nil {
		return nil, err
	}
	return t, nil
}
