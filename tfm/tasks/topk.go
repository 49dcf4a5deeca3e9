package tasks

import (
	"container/heap"
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/tfm-course/course/tfm/model"
)

// Matrix is a row-major matrix of embeddings, one row per trajectory
// (tfm/model.Matrix: what every encoder's Embed returns).
type Matrix = model.Matrix

// NewMatrix copies rows (all of the same length) into a Matrix.
func NewMatrix(rows [][]float32) (Matrix, error) { return model.NewMatrix(rows) }

// Metric is the distance between embeddings used for ranking.
type Metric int

const (
	// L2 ranks by Euclidean distance.
	L2 Metric = iota
	// Cosine ranks by 1 − cosine similarity.
	Cosine
)

func (m Metric) String() string {
	if m == Cosine {
		return "cosine"
	}
	return "l2"
}

// Neighbor is one result of a top-k search.
type Neighbor struct {
	Index int
	Dist  float32
}

// maxHeap keeps the k best (smallest) distances with the worst on top.
type maxHeap []Neighbor

func (h maxHeap) Len() int { return len(h) }
func (h maxHeap) Less(i, j int) bool {
	if h[i].Dist != h[j].Dist {
		return h[i].Dist > h[j].Dist
	}
	return h[i].Index > h[j].Index
}
func (h maxHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *maxHeap) Push(x any)   { *h = append(*h, x.(Neighbor)) }
func (h *maxHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func dot(a, b []float32) float32 {
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return s0 + s1 + s2 + s3
}

// prepared holds squared norms (L2) or inverse norms (cosine) of rows.
func rowNorms(m Matrix, metric Metric) []float32 {
	n := make([]float32, m.Rows)
	for i := range n {
		r := m.Row(i)
		s := dot(r, r)
		if metric == Cosine {
			if s > 0 {
				s = float32(1 / math.Sqrt(float64(s)))
			}
		}
		n[i] = s
	}
	return n
}

// distances fills out[j] with the distance of query q (norm qn) to rows
// [j0, j0+len(out)) of db.
func distances(q []float32, qn float32, db Matrix, dbn []float32, j0 int, out []float32, metric Metric) {
	for j := range out {
		d := dot(q, db.Row(j0+j))
		if metric == Cosine {
			out[j] = 1 - d*qn*dbn[j0+j]
		} else {
			v := qn + dbn[j0+j] - 2*d
			if v < 0 {
				v = 0
			}
			out[j] = v // squared; sqrt taken for the results only
		}
	}
}

// TopK returns, for every query row, its k nearest database rows (best
// first, ties by index) under metric. It is exact: dot products are computed
// in blocks of database rows, queries are split across GOMAXPROCS workers,
// and each query keeps a bounded max-heap.
func TopK(queries, db Matrix, k int, metric Metric) ([][]Neighbor, error) {
	if queries.Cols != db.Cols {
		return nil, fmt.Errorf("tasks: queries have %d dimensions, database %d", queries.Cols, db.Cols)
	}
	if k <= 0 {
		return nil, fmt.Errorf("tasks: k = %d", k)
	}
	k = min(k, db.Rows)
	qn, dbn := rowNorms(queries, metric), rowNorms(db, metric)
	out := make([][]Neighbor, queries.Rows)
	// Queries go in groups of four: each database row is loaded once per
	// group (register blocking), over blocks of database rows that stay in
	// cache.
	const block, group = 512, 4
	groups := (queries.Rows + group - 1) / group
	parallelRows(groups, func(glo, ghi int) {
		var buf [group][block]float32
		heaps := make([]maxHeap, group)
		for g := glo; g < ghi; g++ {
			i0, i1 := g*group, min(g*group+group, queries.Rows)
			for n := range heaps {
				heaps[n] = make(maxHeap, 0, k+1)
			}
			for j0 := 0; j0 < db.Rows; j0 += block {
				nb := min(block, db.Rows-j0)
				if i1-i0 == group {
					dot4(queries, i0, db, j0, nb, &buf)
				} else {
					for i := i0; i < i1; i++ {
						for j := 0; j < nb; j++ {
							buf[i-i0][j] = dot(queries.Row(i), db.Row(j0+j))
						}
					}
				}
				for i := i0; i < i1; i++ {
					h := &heaps[i-i0]
					for j, d := range buf[i-i0][:nb] {
						var v float32
						if metric == Cosine {
							v = 1 - d*qn[i]*dbn[j0+j]
						} else {
							v = max(qn[i]+dbn[j0+j]-2*d, 0)
						}
						if len(*h) < k {
							heap.Push(h, Neighbor{j0 + j, v})
						} else if v < (*h)[0].Dist || (v == (*h)[0].Dist && j0+j < (*h)[0].Index) {
							(*h)[0] = Neighbor{j0 + j, v}
							heap.Fix(h, 0)
						}
					}
				}
			}
			for i := i0; i < i1; i++ {
				h := &heaps[i-i0]
				res := make([]Neighbor, len(*h))
				for n := len(*h) - 1; n >= 0; n-- {
					res[n] = heap.Pop(h).(Neighbor)
					if metric == L2 {
						res[n].Dist = float32(math.Sqrt(float64(res[n].Dist)))
					}
				}
				out[i] = res
			}
		}
	})
	return out, nil
}

// dot4 fills buf[r][j] with the dot products of queries i0..i0+3 and
// database rows j0..j0+nb-1.
func dot4(queries Matrix, i0 int, db Matrix, j0, nb int, buf *[4][512]float32) {
	q0, q1, q2, q3 := queries.Row(i0), queries.Row(i0+1), queries.Row(i0+2), queries.Row(i0+3)
	for j := 0; j < nb; j++ {
		r := db.Row(j0 + j)
		r = r[:len(q0)]
		var s0, s1, s2, s3 float32
		for c, x := range r {
			s0 += q0[c] * x
			s1 += q1[c] * x
			s2 += q2[c] * x
			s3 += q3[c] * x
		}
		buf[0][j], buf[1][j], buf[2][j], buf[3][j] = s0, s1, s2, s3
	}
}

// RanksOf returns, for each query i, the 1-based rank of database row
// truth[i] among all database rows: 1 + the number of rows strictly closer
// to the query than the truth (ties are resolved in the truth's favour).
func RanksOf(queries, db Matrix, truth []int, metric Metric) ([]int, error) {
	if queries.Cols != db.Cols {
		return nil, fmt.Errorf("tasks: queries have %d dimensions, database %d", queries.Cols, db.Cols)
	}
	if len(truth) != queries.Rows {
		return nil, fmt.Errorf("tasks: %d ground-truth indices for %d queries", len(truth), queries.Rows)
	}
	for i, t := range truth {
		if t < 0 || t >= db.Rows {
			return nil, fmt.Errorf("tasks: ground truth %d of query %d outside the database of %d", t, i, db.Rows)
		}
	}
	qn, dbn := rowNorms(queries, metric), rowNorms(db, metric)
	ranks := make([]int, queries.Rows)
	parallelRows(queries.Rows, func(lo, hi int) {
		buf := make([]float32, db.Rows)
		for i := lo; i < hi; i++ {
			distances(queries.Row(i), qn[i], db, dbn, 0, buf, metric)
			target := buf[truth[i]]
			r := 1
			for _, v := range buf {
				if v < target {
					r++
				}
			}
			ranks[i] = r
		}
	})
	return ranks, nil
}

// PairwiseDistances returns the full queries×db distance matrix (row-major).
func PairwiseDistances(queries, db Matrix, metric Metric) ([]float32, error) {
	if queries.Cols != db.Cols {
		return nil, fmt.Errorf("tasks: queries have %d dimensions, database %d", queries.Cols, db.Cols)
	}
	qn, dbn := rowNorms(queries, metric), rowNorms(db, metric)
	out := make([]float32, queries.Rows*db.Rows)
	parallelRows(queries.Rows, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := out[i*db.Rows : (i+1)*db.Rows]
			distances(queries.Row(i), qn[i], db, dbn, 0, row, metric)
			if metric == L2 {
				for j, v := range row {
					row[j] = float32(math.Sqrt(float64(v)))
				}
			}
		}
	})
	return out, nil
}

// parallelRows splits [0, n) into contiguous chunks over GOMAXPROCS workers.
func parallelRows(n int, fn func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for lo := 0; lo < n; lo += chunk {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			fn(lo, hi)
		}(lo, min(lo+chunk, n))
	}
	wg.Wait()
}
