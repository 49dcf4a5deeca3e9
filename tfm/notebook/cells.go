package notebook

import (
	"fmt"
	"sort"
)

// RewriteSources returns the notebook JSON b with the sources of the cells
// that edit changes replaced (edit returns the new source and true), the
// rest of the file byte for byte: each new source is written in the style
// of the old one (a list of lines with its indentation, or one string), as
// `tfm notebooks sync` writes mirrored cells. changed is false when edit
// changed nothing. Other tools rewriting cells (the generated result
// blocks of tfm/experiment) use it.
func RewriteSources(b []byte, edit func(i int, c Cell) (string, bool)) (out []byte, changed bool, err error) {
	nb, err := Parse(b)
	if err != nil {
		return nil, false, err
	}
	spans, err := cellSourceSpans(b)
	if err != nil || len(spans) != len(nb.Cells) {
		return nil, false, fmt.Errorf("cannot locate the cells' sources in the JSON (%v)", err)
	}
	type change struct {
		start, end int
		text       []byte
	}
	var edits []change
	want := map[int]string{}
	for i, c := range nb.Cells {
		text, ok := edit(i, c)
		if !ok || text == string(c.Source) {
			continue
		}
		sp := spans[i]
		if sp[0] < 0 {
			return nil, false, fmt.Errorf("cell %d has no source", i+1)
		}
		edits = append(edits, change{sp[0], sp[1], encodeSource(b, sp[0], sp[1], text)})
		want[i] = text
	}
	if len(edits) == 0 {
		return b, false, nil
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].start > edits[j].start })
	out = append([]byte{}, b...)
	for _, e := range edits {
		out = append(out[:e.start:e.start], append(e.text, out[e.end:]...)...)
	}
	after, err := Parse(out)
	if err != nil {
		return nil, false, fmt.Errorf("rewriting cells would break the notebook: %w", err)
	}
	for i, text := range want {
		if string(after.Cells[i].Source) != text {
			return nil, false, fmt.Errorf("rewriting cell %d went wrong", i+1)
		}
	}
	return out, true, nil
}
