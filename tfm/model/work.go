package model

import "sync/atomic"

// Work counts the rows a model's encoders ran, for FLOP accounting
// (tfm/energy): Apply counts every row it runs forward (padding rows too:
// they are computed), a trainer calls Trained for each row it trains
// through the encoders. A model's clones share its Work; Fresh starts a new one.
type Work struct{ forward, trained atomic.Int64 }

// Forward counts rows run forward only (inference, a frozen encoder).
func (w *Work) Forward(rows int) {
	if w != nil {
		w.forward.Add(int64(rows))
	}
}

// Trained counts rows run forward and backward through the encoders.
func (w *Work) Trained(rows int) {
	if w != nil {
		w.trained.Add(int64(rows))
	}
}

// Rows returns the rows counted so far.
func (w *Work) Rows() (forward, trained int64) {
	if w == nil {
		return 0, 0
	}
	return w.forward.Load(), w.trained.Load()
}

// RowFLOPs is the forward cost of one row through every branch's encoder,
// at the padded length MaxLen every batch has (encoder.Config.FLOPs).
func (m *Model) RowFLOPs() float64 {
	var f float64
	for _, b := range m.Branches {
		f += b.Encoder.FLOPs(b.Encoder.MaxLen).Forward
	}
	return f
}

// EncoderFLOPs is the encoders' counted cost so far: forward rows ×
// RowFLOPs + trained rows × 3·RowFLOPs (backward = 2 × forward).
func (m *Model) EncoderFLOPs() float64 {
	fwd, tr := m.Work.Rows()
	return (float64(fwd) + 3*float64(tr)) * m.RowFLOPs()
}
