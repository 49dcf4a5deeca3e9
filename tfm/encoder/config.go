// Package encoder turns a modality.Batch into one vector per trajectory (and
// one per step): a Transformer encoder written next to the paper's equations,
// an LSTM baseline and a CNN for image trajectories.
//
// Every hyperparameter lives in Config, settable from one string
// ("layers=2;dim=128;heads=4") and saved as GoMLX model parameters in the
// store (scope /encoder), so a checkpoint carries the architecture it needs.
package encoder

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/gomlx/gomlx/ml/model"
)

// Architectures.
const (
	Transformer = "transformer"
	LSTM        = "lstm"
	CNN         = "cnn"
)

// Attention implementations.
const (
	AttentionCore = "core"
	AttentionMHA  = "mha"
)

// Pooling strategies.
const (
	PoolCLS  = "cls"
	PoolMean = "mean"
)

// Config holds the encoder hyperparameters. The `set` tag is the key used
// by Config.Set and by the store parameters.
type Config struct {
	Arch    string  `set:"arch"`    // transformer | lstm | cnn
	Layers  int     `set:"layers"`  // Transformer blocks (or stacked LSTMs)
	Dim     int     `set:"dim"`     // model width D
	Heads   int     `set:"heads"`   // attention heads (Dim % Heads == 0)
	FFN     int     `set:"ffn"`     // hidden width of the feed-forward block
	Dropout float64 `set:"dropout"` // dropout rate while training
	MaxLen  int     `set:"maxlen"`  // longest sequence (steps) fed to the model
	Pooling string  `set:"pool"`    // cls | mean
	// Temporal adds the time-of-day / day-of-week / Δt embedding.
	Temporal bool `set:"temporal"`
	// TimeBias adds START's time-interval-aware attention bias.
	TimeBias bool `set:"timebias"`
	// Attention picks the implementation: "core" (SelfAttention: heads-major
	// layout over attention.Core) or "mha" (attention.MultiHeadAttention).
	Attention string `set:"attn"`
	// Parameter-efficient adaptation (Transformer with attn=core only; see
	// Dense and Adapter): LoRA rank r of every dense layer of a block (0:
	// off), its α (the update is scaled by α/r; 0 means α = r), and the
	// bottleneck width of the adapters after each sublayer (0: off).
	LoRARank  int     `set:"lora"`
	LoRAAlpha float64 `set:"lora_alpha"`
	Adapter   int     `set:"adapter"`

	// Set by the modality, not by the user.
	VocabSize   int `set:"vocab"`    // > 0 for token modalities (grid, road, text)
	NumFeatures int `set:"features"` // > 0 for continuous modalities (gps)
	Channels    int `set:"channels"` // image modality
	ImageSize   int `set:"image"`    // image modality: H = W
}

// DefaultConfig is the course's default model: small enough to train to a
// useful level in about two minutes on two CPU cores.
func DefaultConfig() Config {
	return Config{
		Arch: Transformer, Layers: 2, Dim: 64, Heads: 4, FFN: 128,
		Dropout: 0, MaxLen: 64, Pooling: PoolMean, Temporal: true, TimeBias: false, Attention: AttentionCore,
	}
}

// Set applies "key=value;key=value" assignments (keys are the `set` tags;
// a comma also separates). Unknown keys and bad values are errors.
func (c *Config) Set(assignments string) error {
	v := reflect.ValueOf(c).Elem()
	fields := map[string]int{}
	for i := 0; i < v.NumField(); i++ {
		fields[v.Type().Field(i).Tag.Get("set")] = i
	}
	for _, kv := range strings.FieldsFunc(assignments, func(r rune) bool { return r == ';' || r == ',' }) {
		kv = strings.TrimSpace(kv)
		if kv == "" {
			continue
		}
		k, val, ok := strings.Cut(kv, "=")
		if !ok {
			return fmt.Errorf("encoder setting %q: want key=value", kv)
		}
		k, val = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(val)
		i, ok := fields[k]
		if !ok {
			return fmt.Errorf("unknown encoder setting %q (known: %s)", k, strings.Join(Keys(), ", "))
		}
		f := v.Field(i)
		switch f.Kind() {
		case reflect.Int:
			n, err := strconv.Atoi(val)
			if err != nil {
				return fmt.Errorf("encoder setting %s=%q: not an integer", k, val)
			}
			f.SetInt(int64(n))
		case reflect.Float64:
			x, err := strconv.ParseFloat(val, 64)
			if err != nil {
				return fmt.Errorf("encoder setting %s=%q: not a number", k, val)
			}
			f.SetFloat(x)
		case reflect.Bool:
			b, err := strconv.ParseBool(val)
			if err != nil {
				return fmt.Errorf("encoder setting %s=%q: not a boolean", k, val)
			}
			f.SetBool(b)
		case reflect.String:
			f.SetString(strings.ToLower(val))
		}
	}
	return c.Validate()
}

// Keys lists the settable keys.
func Keys() []string {
	t := reflect.TypeOf(Config{})
	keys := make([]string, t.NumField())
	for i := range keys {
		keys[i] = t.Field(i).Tag.Get("set")
	}
	sort.Strings(keys)
	return keys
}

// Validate checks the values are usable.
func (c Config) Validate() error {
	switch c.Arch {
	case Transformer, LSTM, CNN:
	default:
		return fmt.Errorf("encoder arch %q: want transformer, lstm or cnn", c.Arch)
	}
	switch c.Pooling {
	case PoolCLS, PoolMean:
	default:
		return fmt.Errorf("encoder pool %q: want cls or mean", c.Pooling)
	}
	switch c.Attention {
	case AttentionCore, AttentionMHA:
	default:
		return fmt.Errorf("encoder attn %q: want core or mha", c.Attention)
	}
	if c.Layers < 1 || c.Dim < 1 || c.FFN < 1 || c.MaxLen < 1 {
		return fmt.Errorf("encoder layers=%d dim=%d ffn=%d maxlen=%d must all be positive", c.Layers, c.Dim, c.FFN, c.MaxLen)
	}
	if c.Heads < 1 || c.Dim%c.Heads != 0 {
		return fmt.Errorf("encoder dim=%d must be a multiple of heads=%d", c.Dim, c.Heads)
	}
	if c.Dropout < 0 || c.Dropout >= 1 {
		return fmt.Errorf("encoder dropout=%g must be in [0, 1)", c.Dropout)
	}
	return c.validateAdaptation()
}

// String renders the config in the Set syntax.
func (c Config) String() string {
	v := reflect.ValueOf(c)
	parts := make([]string, v.NumField())
	for i := range parts {
		parts[i] = fmt.Sprintf("%s=%v", v.Type().Field(i).Tag.Get("set"), v.Field(i).Interface())
	}
	return strings.Join(parts, ";")
}

// ParamScope is the store scope holding the encoder hyperparameters.
const ParamScope = "/encoder"

// Save writes the config as model parameters under ParamScope, so
// checkpoints carry it.
func (c Config) Save(store *model.Store) {
	s := store.Scope(ParamScope)
	v := reflect.ValueOf(c)
	for i := 0; i < v.NumField(); i++ {
		s.SetParam("cfg_"+v.Type().Field(i).Tag.Get("set"), v.Field(i).Interface())
	}
}

// FromStore reads a config saved by Save (missing keys keep defaults).
// Checkpoints decode numbers as float64; they are converted back.
func FromStore(store *model.Store) (Config, error) {
	c := DefaultConfig()
	s := store.Scope(ParamScope)
	v := reflect.ValueOf(&c).Elem()
	for i := 0; i < v.NumField(); i++ {
		raw, ok := s.GetParam("cfg_" + v.Type().Field(i).Tag.Get("set"))
		if !ok {
			continue
		}
		f := v.Field(i)
		switch x := raw.(type) {
		case int:
			setNumber(f, float64(x))
		case int64:
			setNumber(f, float64(x))
		case float64:
			setNumber(f, x)
		case bool:
			if f.Kind() == reflect.Bool {
				f.SetBool(x)
			}
		case string:
			if f.Kind() == reflect.String {
				f.SetString(x)
			}
		}
	}
	return c, c.Validate()
}

func setNumber(f reflect.Value, x float64) {
	switch f.Kind() {
	case reflect.Int:
		f.SetInt(int64(x))
	case reflect.Float64:
		f.SetFloat(x)
	}
}

func (c Config) validateAdaptation() error {
	if c.LoRARank < 0 {
		return fmt.Errorf("encoder lora=%d must be ≥ 0", c.LoRARank)
	}
	if c.LoRAAlpha < 0 {
		return fmt.Errorf("encoder lora_alpha=%g must be ≥ 0", c.LoRAAlpha)
	}
	if c.Adapter < 0 {
		return fmt.Errorf("encoder adapter=%d must be ≥ 0", c.Adapter)
	}
	for _, k := range []struct {
		key string
		on  bool
	}{{"lora", c.LoRARank > 0}, {"adapter", c.Adapter > 0}} {
		if k.on && c.Arch != Transformer {
			return fmt.Errorf("encoder %s: only the transformer arch has LoRA and adapters (arch=%s)", k.key, c.Arch)
		}
	}
	if c.LoRARank > 0 && c.Attention != AttentionCore {
		return fmt.Errorf("encoder lora=%d needs attn=core (GoMLX's mha layer has no LoRA)", c.LoRARank)
	}
	return nil
}
