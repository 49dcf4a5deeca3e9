package text

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
)

// Instruction is one instruction-tuning example.
type Instruction struct {
	Instruction string `json:"instruction"`
	Input       string `json:"input"`
	Output      string `json:"output"`
}

// Instructions makes the examples a description supports: the travel time
// (from the route without times), the transport mode (when d.Mode is set)
// and the destination (from the route without its arrival).
func Instructions(d *Description) []Instruction {
	km := fmt.Sprintf("%.1f km", d.Length/1000)
	out := []Instruction{{
		Instruction: "Estimate the travel time of this trip in minutes.",
		Input:       fmt.Sprintf("Departure at %s, %s: %s", d.Depart().Format("15:04"), km, d.Render(Render{NoTimes: true})),
		Output:      fmt.Sprintf("%d minutes", int(math.Round(d.TravelTime().Minutes()))),
	}}
	if d.Mode != "" {
		out = append(out, Instruction{
			Instruction: "Which transport mode was used on this trip?",
			Input:       fmt.Sprintf("%s (%s)", d.Sentence(), km),
			Output:      d.Mode,
		})
	}
	if len(d.Events) > 2 || d.Events[0].Place.Phrase() != d.Events[len(d.Events)-1].Place.Phrase() {
		out = append(out, Instruction{
			Instruction: "Where does this trip end?",
			Input:       d.Render(Render{NoArrival: true}),
			Output:      d.Events[len(d.Events)-1].Place.Phrase(),
		})
	}
	return out
}

// WriteJSONL writes one JSON object per line.
func WriteJSONL(w io.Writer, items []Instruction) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i, it := range items {
		if err := enc.Encode(it); err != nil {
			return fmt.Errorf("text: instruction %d: %w", i, err)
		}
	}
	return nil
}
