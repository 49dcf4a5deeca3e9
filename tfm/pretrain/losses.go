// Package pretrain holds the self-supervised pre-training paradigms of the
// course — contrastive, generative (masked reconstruction), hybrid and
// causal — and the training loop that runs them with checkpoints, resume and
// a per-step metrics log.
package pretrain

import (
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
)

// InfoNCE is the contrastive loss of CPC / MoCo with in-batch negatives
// (van den Oord et al. 2018): query i's positive is key i, the other keys
// are its negatives,
//
//	L = −(1/N) Σ_i log( exp(q_i·k_i/τ) / Σ_j exp(q_i·k_j/τ) )
//
// q, k: [N, D] (normalise them first for cosine similarity); τ: temperature.
func InfoNCE(q, k *Node, temperature float64) *Node {
	logits := DivScalar(Einsum("nd,md->nm", q, k), temperature)                  // [N, N]
	positives := Iota(q.Graph(), shapes.Make(dtypes.Int32, q.Shape().Dim(0)), 0) // row i's target is i
	return ReduceAllMean(crossEntropy(logits, positives))
}

// NTXent is SimCLR's normalised-temperature cross entropy (Chen et al.
// 2020): the 2N embeddings of two views are L2-normalised; each one's
// positive is its other view and its negatives are the other 2N−2,
//
//	s_ij = z_i·z_j / τ  (s_ii = −∞),   L = −(1/2N) Σ_i log softmax_j(s_i)[pos(i)]
//
// z1, z2: [N, D], row i of both are views of the same trajectory.
func NTXent(z1, z2 *Node, temperature float64) *Node {
	g := z1.Graph()
	n := z1.Shape().Dim(0)
	z := L2NormalizeWithEpsilon(Concatenate([]*Node{z1, z2}, 0), 1e-6, -1) // [2N, D]
	sim := DivScalar(Einsum("nd,md->nm", z, z), temperature)               // [2N, 2N]
	self := Const(g, eye(2*n))
	sim = Where(self, Const(g, float32(-1e9)), sim)
	pos := make([]int32, 2*n)
	for i := range pos {
		pos[i] = int32((i + n) % (2 * n))
	}
	return ReduceAllMean(crossEntropy(sim, Const(g, pos)))
}

// InfoNCEWithQueue is MoCo's loss (He et al. 2020): the positive is the
// momentum encoder's key of the same trajectory, the negatives a queue of
// keys from earlier batches, [Q, D]:
//
//	L = −(1/N) Σ_i log( exp(q_i·k_i/τ) / (exp(q_i·k_i/τ) + Σ_j exp(q_i·u_j/τ)) )
func InfoNCEWithQueue(q, k, queue *Node, temperature float64) *Node {
	pos := ReduceSum(Mul(q, k), -1)                              // [N]
	neg := Einsum("nd,qd->nq", q, queue)                         // [N, Q]
	logits := Concatenate([]*Node{ExpandAxes(pos, -1), neg}, -1) // [N, 1+Q], positive at 0
	logits = DivScalar(logits, temperature)
	zero := ZerosLike(ConvertDType(pos, dtypes.Int32))
	return ReduceAllMean(crossEntropy(logits, zero))
}

// MaskedCrossEntropy is the masked-token loss of BERT: the mean over masked
// positions of −log softmax(logits)[target].
//
// logits [B, L, V], targets [B, L] int32, mask [B, L] bool (true = scored).
func MaskedCrossEntropy(logits, targets, mask *Node) *Node {
	ce := crossEntropy(logits, targets) // [B, L]
	return maskedMean(ce, mask)
}

// MaskedSquaredError is the mean over masked positions of |pred − target|²
// summed over the last axis, times scale² (e.g. metres per normalised unit,
// so the loss reads in m²). pred, target: [B, L, C]; mask [B, L].
func MaskedSquaredError(pred, target, mask *Node, scale float64) *Node {
	d := MulScalar(Sub(pred, target), scale)
	return maskedMean(ReduceSum(Square(d), -1), mask)
}

// crossEntropy returns −log softmax(logits)[target] over the last axis,
// computed as logsumexp(logits) − logits[target]: the target logit is
// gathered, not multiplied by a one-hot of the vocabulary size.
func crossEntropy(logits, targets *Node) *Node {
	m := StopGradient(ReduceAndKeep(logits, ReduceMax, -1))
	lse := Add(Log(ReduceSum(Exp(Sub(logits, m)), -1)), Squeeze(m, -1))
	return Sub(lse, takeLast(logits, targets))
}

// takeLast picks x[..., idx[...]] along the last axis: x [..., V], idx [...].
func takeLast(x, idx *Node) *Node {
	shape := idx.Shape()
	rank := shape.Rank()
	parts := make([]*Node, 0, rank+1)
	for a := 0; a < rank; a++ {
		parts = append(parts, ExpandAxes(Iota(x.Graph(), shapes.Make(dtypes.Int32, shape.Dimensions...), a), -1))
	}
	parts = append(parts, ExpandAxes(ConvertDType(idx, dtypes.Int32), -1))
	return Gather(x, Concatenate(parts, -1))
}

// maskedMean averages x over the true entries of mask (0 if none).
func maskedMean(x, mask *Node) *Node {
	m := ConvertDType(mask, x.DType())
	return Div(ReduceAllSum(Mul(x, m)), Max(ReduceAllSum(m), OnesLike(ReduceAllSum(m))))
}

func eye(n int) [][]bool {
	e := make([][]bool, n)
	for i := range e {
		e[i] = make([]bool, n)
		e[i][i] = true
	}
	return e
}
