package model

// FreezeAllBut marks every variable of the store whose scope keep rejects
// not trainable — the encoders' and the heads' alike — and leaves the kept
// ones as they are: FreezeAllBut(encoder.IsAdaptation) trains the LoRA and
// adapter variables alone. Variables created later (a LoRA layer's on the
// first graph that uses it, a new head) start trainable: call it again
// after the first graph (or Embed) to freeze those too.
func (m *Model) FreezeAllBut(keep func(scope string) bool) {
	for v := range m.Store.IterVariables() {
		if !keep(v.Scope()) {
			v.SetTrainable(false)
		}
	}
}

// TrainableParams is the number of trainable parameters in the whole store
// (encoders, heads and any optimiser variable marked trainable).
func (m *Model) TrainableParams() int {
	n := 0
	for v := range m.Store.IterVariables() {
		if v.Trainable {
			n += v.Shape().Size()
		}
	}
	return n
}
