package continual

import (
	"math/rand/v2"

	"github.com/tfm-course/course/tfm/traj"
)

// ReplayBuffer keeps a bounded, uniform sample of the old trips by
// reservoir sampling (Vitter's algorithm R): the first Size trips fill it,
// then the n-th trip seen replaces a random slot with probability Size/n,
// so after any number of trips each is in the buffer with the same
// probability Size/n, whatever the order they came in.
type ReplayBuffer struct {
	Size  int // the bound
	seen  int
	items []*traj.Trajectory
	rng   *rand.Rand
}

// NewReplayBuffer is an empty buffer of at most size trips, its choices
// drawn from seed.
func NewReplayBuffer(size int, seed int64) *ReplayBuffer {
	return &ReplayBuffer{Size: size, rng: rand.New(rand.NewPCG(uint64(seed), 0x5e1a7))}
}

// Add offers trips to the buffer.
func (b *ReplayBuffer) Add(trips ...*traj.Trajectory) {
	for _, t := range trips {
		b.seen++
		if len(b.items) < b.Size {
			b.items = append(b.items, t)
			continue
		}
		if j := b.rng.IntN(b.seen); j < b.Size {
			b.items[j] = t
		}
	}
}

// Len is the number of trips held (at most Size); Seen the number offered.
func (b *ReplayBuffer) Len() int  { return len(b.items) }
func (b *ReplayBuffer) Seen() int { return b.seen }

// Trajectories are the trips held, in slot order.
func (b *ReplayBuffer) Trajectories() []*traj.Trajectory { return b.items }

// Sample draws min(k, Len) distinct trips with rng.
func (b *ReplayBuffer) Sample(rng *rand.Rand, k int) []*traj.Trajectory {
	k = min(k, len(b.items))
	out := make([]*traj.Trajectory, k)
	for i, p := range rng.Perm(len(b.items))[:k] {
		out[i] = b.items[p]
	}
	return out
}
