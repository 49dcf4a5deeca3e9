package encoder

import (
	. "github.com/gomlx/gomlx/core/graph"
)

// MaskedMeanPool averages the real steps of each sequence (padding ignored):
//
//	z = Σ_i m_i·h_i / Σ_i m_i,   h: [B, L, D], m: [B, L] → z: [B, D]
func MaskedMeanPool(h, mask *Node) *Node {
	m := ConvertDType(ExpandAxes(mask, -1), h.DType())       // [B, L, 1]
	sum := ReduceSum(Mul(h, m), 1)                           // [B, D]
	count := Max(ReduceSum(m, 1), OnesLike(ReduceSum(m, 1))) // [B, 1], ≥ 1
	return Div(sum, count)
}

// CLSPool takes the hidden state of the [CLS] position 0 (BERT): z = h_0.
func CLSPool(h *Node) *Node {
	return Squeeze(Slice(h, AxisRange(), AxisElem(0), AxisRange()), 1)
}
