package text

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/tfm-course/course/tfm/modality"
)

// Split breaks a sentence into lower-case words: runs of letters (with
// inner apostrophes), runs of digits, and every other non-space character
// on its own ("08:05" → "08", ":", "05"; "→" stays one token).
func Split(s string) []string {
	var out []string
	rs := []rune(strings.ToLower(s))
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case unicode.IsSpace(r):
			i++
		case unicode.IsLetter(r):
			j := i + 1
			for j < len(rs) && (unicode.IsLetter(rs[j]) || unicode.IsMark(rs[j]) ||
				(rs[j] == '\'' && j+1 < len(rs) && unicode.IsLetter(rs[j+1]))) {
				j++
			}
			out = append(out, string(rs[i:j]))
			i = j
		case unicode.IsDigit(r):
			j := i + 1
			for j < len(rs) && unicode.IsDigit(rs[j]) {
				j++
			}
			out = append(out, string(rs[i:j]))
			i = j
		default:
			out = append(out, string(r))
			i++
		}
	}
	return out
}

// Tokenizer maps words to ids: the special tokens of package modality
// first, then the words seen at least MinCount times, most frequent first.
type Tokenizer struct {
	Words    []string // Words[id-NumSpecial]
	Counts   []int
	MinCount int
	ids      *modality.Vocab[string]
}

// BuildTokenizer counts the words of texts.
func BuildTokenizer(texts []string, minCount int) (*Tokenizer, error) {
	if len(texts) == 0 {
		return nil, fmt.Errorf("text: tokenizer of no texts")
	}
	counts := map[string]int{}
	for _, s := range texts {
		for _, w := range Split(s) {
			counts[w]++
		}
	}
	ids := modality.BuildVocab(counts, minCount, strings.Compare)
	return &Tokenizer{Words: ids.Items, Counts: ids.Counts, MinCount: minCount, ids: ids}, nil
}

// Grow is the tokenizer with the words of texts it lacks appended (those
// seen at least MinCount times, most frequent first): old ids keep their
// words. tk is unchanged.
func (tk *Tokenizer) Grow(texts []string) *Tokenizer {
	counts := map[string]int{}
	for _, s := range texts {
		for _, w := range Split(s) {
			counts[w]++
		}
	}
	ids := tk.ids.Grow(counts, tk.MinCount, strings.Compare)
	return &Tokenizer{Words: ids.Items, Counts: ids.Counts, MinCount: tk.MinCount, ids: ids}
}

// Size is the number of ids, special tokens included.
func (tk *Tokenizer) Size() int { return tk.ids.Size() }

// ID is the id of a word ([UNK] when unknown).
func (tk *Tokenizer) ID(word string) int32 { return tk.ids.ID(word) }

// Word is the word of id (special tokens by their names).
func (tk *Tokenizer) Word(id int32) string {
	return tk.ids.Name(id, func(w string) string { return w })
}

// Encode splits s and maps its words to ids.
func (tk *Tokenizer) Encode(s string) []int32 {
	words := Split(s)
	ids := make([]int32, len(words))
	for i, w := range words {
		ids[i] = tk.ID(w)
	}
	return ids
}

// Decode joins the words of ids with spaces, skipping [PAD].
func (tk *Tokenizer) Decode(ids []int32) string {
	var words []string
	for _, id := range ids {
		if id != modality.PAD {
			words = append(words, tk.Word(id))
		}
	}
	return strings.Join(words, " ")
}

// Batch encodes texts into a padded [B, maxLen] token batch, truncating
// long texts; with cls each row starts with [CLS]. Time fields are left nil.
func (tk *Tokenizer) Batch(texts []string, maxLen int, cls bool) (*modality.Batch, error) {
	if len(texts) == 0 {
		return nil, fmt.Errorf("text: batch of no texts")
	}
	if maxLen <= 0 || (cls && maxLen < 2) {
		return nil, fmt.Errorf("text: maxLen %d too small", maxLen)
	}
	B, L := len(texts), maxLen
	b := &modality.Batch{Size: B, Len: L, Tokens: make([]int32, B*L), Mask: make([]bool, B*L)}
	for r, s := range texts {
		ids := tk.Encode(s)
		if len(ids) == 0 {
			return nil, fmt.Errorf("text: batch row %d is empty", r)
		}
		i := 0
		if cls {
			b.Tokens[r*L], b.Mask[r*L] = modality.CLS, true
			i = 1
		}
		for _, id := range ids {
			if i == L {
				break
			}
			b.Tokens[r*L+i], b.Mask[r*L+i] = id, true
			i++
		}
	}
	return b, nil
}

type tokenizerFile struct {
	Kind     string   `json:"kind"` // "text-tokenizer"
	MinCount int      `json:"min_count"`
	Words    []string `json:"words"`
	Counts   []int    `json:"counts"`
}

const tokenizerKind = "text-tokenizer"

// Write writes the tokenizer as JSON.
func (tk *Tokenizer) Write(w io.Writer) error {
	return json.NewEncoder(w).Encode(tokenizerFile{Kind: tokenizerKind, MinCount: tk.MinCount, Words: tk.Words, Counts: tk.Counts})
}

// Save writes the tokenizer to path.
func (tk *Tokenizer) Save(path string) error {
	return modality.SaveFile("text", path, tk.Write)
}

// ReadTokenizer reads a tokenizer written by Write; name is used in errors.
func ReadTokenizer(r io.Reader, name string) (*Tokenizer, error) {
	var f tokenizerFile
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("text: %s: %w", name, err)
	}
	if f.Kind != tokenizerKind {
		return nil, fmt.Errorf("text: %s: kind %q, want %q", name, f.Kind, tokenizerKind)
	}
	if len(f.Counts) != len(f.Words) {
		return nil, fmt.Errorf("text: %s: %d counts for %d words", name, len(f.Counts), len(f.Words))
	}
	seen := map[string]bool{}
	for i, w := range f.Words {
		if w == "" || seen[w] {
			return nil, fmt.Errorf("text: %s: word %d %q empty or repeated", name, i, w)
		}
		seen[w] = true
	}
	ids, err := modality.NewVocab(f.Words, f.Counts)
	if err != nil {
		return nil, fmt.Errorf("text: %s: %w", name, err)
	}
	return &Tokenizer{Words: ids.Items, Counts: ids.Counts, MinCount: f.MinCount, ids: ids}, nil
}

// LoadTokenizer reads a tokenizer saved with Save.
func LoadTokenizer(path string) (*Tokenizer, error) {
	return modality.LoadFile("text", path, ReadTokenizer)
}
