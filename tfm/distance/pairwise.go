package distance

import (
	"container/heap"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// Options tunes the parallel drivers.
type Options struct {
	// Threads is the number of workers; 0 means runtime.GOMAXPROCS(0).
	Threads int
}

func (o Options) threads() int {
	if o.Threads > 0 {
		return o.Threads
	}
	return runtime.GOMAXPROCS(0)
}

// parallelFor runs body(lo, hi, scratch) over [0, n) in chunks pulled from an
// atomic counter by the workers, each with its own Scratch.
func parallelFor(n int, opt Options, body func(lo, hi int, s *Scratch)) {
	t := min(opt.threads(), max(n, 1))
	chunk := max(1, n/(t*32))
	if t == 1 {
		body(0, n, &Scratch{})
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < t; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var s Scratch
			for {
				lo := int(next.Add(int64(chunk))) - chunk
				if lo >= n {
					return
				}
				body(lo, min(lo+chunk, n), &s)
			}
		}()
	}
	wg.Wait()
}

// Pairwise returns the len(A)×len(B) distance matrix (cdist), row-major:
// out[i*len(B)+j] = d(A[i], B[j]).
func Pairwise(A, B []*Series, m Metric, opt Options) ([]float64, error) {
	if err := m.check(A...); err != nil {
		return nil, err
	}
	if err := m.check(B...); err != nil {
		return nil, err
	}
	nb := len(B)
	out := make([]float64, len(A)*nb)
	parallelFor(len(out), opt, func(lo, hi int, s *Scratch) {
		for k := lo; k < hi; k++ {
			out[k] = s.distance(m, A[k/nb], B[k%nb], math.Inf(1))
		}
	})
	return out, nil
}

// Condensed returns the condensed distance vector (pdist) of A: the
// len(A)·(len(A)−1)/2 distances d(A[i], A[j]) for i < j, in the order
// (0,1), (0,2), …, (0,n−1), (1,2), … — position CondensedIndex(n, i, j).
func Condensed(A []*Series, m Metric, opt Options) ([]float64, error) {
	if err := m.check(A...); err != nil {
		return nil, err
	}
	n := len(A)
	out := make([]float64, n*(n-1)/2)
	parallelFor(len(out), opt, func(lo, hi int, s *Scratch) {
		i, j := condensedPair(n, lo)
		for k := lo; k < hi; k++ {
			out[k] = s.distance(m, A[i], A[j], math.Inf(1))
			if j++; j == n {
				i++
				j = i + 1
			}
		}
	})
	return out, nil
}

// CondensedIndex is the position of pair (i, j), i < j, in a condensed
// vector of n items (SciPy's convention).
func CondensedIndex(n, i, j int) int { return i*n - i*(i+1)/2 + j - i - 1 }

// condensedPair inverts CondensedIndex.
func condensedPair(n, k int) (int, int) {
	i := sort0(n-1, func(i int) bool { return CondensedIndex(n, i, n-1) >= k })
	return i, k - CondensedIndex(n, i, i+1) + i + 1
}

// sort0 is the smallest i in [0, n) with f(i) true (n when none).
func sort0(n int, f func(int) bool) int {
	lo, hi := 0, n
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if !f(mid) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// Square expands a condensed vector of n items to a full symmetric n×n
// matrix (row-major) with a zero diagonal.
func Square(condensed []float64, n int) []float64 {
	out := make([]float64, n*n)
	k := 0
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			out[i*n+j], out[j*n+i] = condensed[k], condensed[k]
			k++
		}
	}
	return out
}

// Neighbor is one k-NN result.
type Neighbor struct {
	Index    int     // position in the candidate list
	Distance float64 // exact distance
}

// KNNStats reports how much work the pruning saved.
type KNNStats struct {
	Candidates int // candidates in the list
	Pruned     int // skipped by a lower bound, without running the kernel
	Abandoned  int // kernel stopped early (row minimum above the k-th best)
}

// KNN returns the k nearest candidates to query, nearest first (ties by
// index), exactly. Candidates are visited in increasing order of a cheap
// lower bound (see LowerBound); the search stops when the bound exceeds the
// current k-th best distance, and the kernels of DTW, discrete Fréchet, EDR
// and ERP abandon a candidate as soon as two consecutive anti-diagonals of the
// dynamic programme exceed it (continuous Fréchet runs one decision procedure
// at the threshold instead).
func KNN(query *Series, candidates []*Series, k int, m Metric, opt Options) ([]Neighbor, KNNStats, error) {
	st := KNNStats{Candidates: len(candidates)}
	if err := m.check(query); err != nil {
		return nil, st, err
	}
	if err := m.check(candidates...); err != nil {
		return nil, st, err
	}
	k = min(k, len(candidates))
	if k <= 0 {
		return nil, st, nil
	}
	type cand struct {
		idx int
		lb  float64
	}
	order := make([]cand, len(candidates))
	parallelFor(len(candidates), opt, func(lo, hi int, _ *Scratch) {
		for i := lo; i < hi; i++ {
			order[i] = cand{i, LowerBound(m, query, candidates[i])}
		}
	})
	slices.SortFunc(order, func(a, b cand) int {
		if a.lb != b.lb {
			if a.lb < b.lb {
				return -1
			}
			return 1
		}
		return a.idx - b.idx
	})
	var (
		mu        sync.Mutex
		best      = &neighborHeap{}
		threshold atomic.Uint64 // float64 bits of the current k-th best
		next      atomic.Int64
		stop      atomic.Bool
		computed  atomic.Int64
		abandoned atomic.Int64
		wg        sync.WaitGroup
	)
	threshold.Store(math.Float64bits(math.Inf(1)))
	t := min(opt.threads(), len(order))
	for w := 0; w < t; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var s Scratch
			for !stop.Load() {
				p := int(next.Add(1)) - 1
				if p >= len(order) {
					return
				}
				th := math.Float64frombits(threshold.Load())
				if order[p].lb > th {
					stop.Store(true)
					return
				}
				computed.Add(1)
				d := s.distance(m, query, candidates[order[p].idx], th)
				if math.IsInf(d, 1) && !math.IsInf(th, 1) {
					abandoned.Add(1)
					continue
				}
				mu.Lock()
				nb := Neighbor{order[p].idx, d}
				if best.Len() < k {
					heap.Push(best, nb)
				} else if less(nb, (*best)[0]) {
					(*best)[0] = nb
					heap.Fix(best, 0)
				}
				if best.Len() == k {
					threshold.Store(math.Float64bits((*best)[0].Distance))
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	st.Abandoned = int(abandoned.Load())
	st.Pruned = len(order) - int(computed.Load())
	out := slices.Clone(*best)
	slices.SortFunc(out, func(a, b Neighbor) int {
		if less(a, b) {
			return -1
		}
		if less(b, a) {
			return 1
		}
		return 0
	})
	return out, st, nil
}

func less(a, b Neighbor) bool {
	if a.Distance != b.Distance {
		return a.Distance < b.Distance
	}
	return a.Index < b.Index
}

// neighborHeap is a max-heap (worst neighbour on top).
type neighborHeap []Neighbor

func (h neighborHeap) Len() int           { return len(h) }
func (h neighborHeap) Less(i, j int) bool { return less(h[j], h[i]) }
func (h neighborHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *neighborHeap) Push(x any)        { *h = append(*h, x.(Neighbor)) }
func (h *neighborHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
