// Package stream reads trajectories from files larger than memory: a
// shuffle-buffer reader (the tf.data algorithm) over any source that
// yields one trajectory at a time, e.g. a Porto CSV of 1.7 million trips.
//
// Memory is bounded by Options.Buffer trajectories (plus one being read):
// the reader holds a buffer of B trips, yields a uniformly random one of
// them and puts the next trip read in its place. Each epoch reopens the
// source and shuffles with its own generator, PCG(Seed, epoch), so the
// order is deterministic under a seed and differs between epochs. The
// shuffle is local: a trip leaves the buffer at most ~B·ln(N) positions
// after it entered, so a file sorted by time stays roughly sorted when B
// is much smaller than the file.
//
// Resuming: the order depends only on (Seed, Buffer, the file), so a run
// resumed at step s calls Skip(consumed) to replay the reader from the
// start; this is O(consumed) parsing, not O(1) (no file offsets are kept).
package stream

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"iter"
	"math/rand/v2"
	"os"
	"strings"

	"github.com/tfm-course/course/datasets/parse"
	"github.com/tfm-course/course/datasets/porto"
	"github.com/tfm-course/course/tfm/traj"
)

// Opener opens the source afresh for each epoch. The sequence yields a
// non-nil error (with a nil trajectory) to stop on bad input.
type Opener func() (iter.Seq2[*traj.Trajectory, error], error)

// Options tune a Reader.
type Options struct {
	// Buffer is the shuffle buffer's size B in trajectories (≥ 1; 1 reads
	// the file in order). Memory is bounded by B+1 trajectories.
	Buffer int
	// Seed seeds the shuffle; epoch e draws from PCG(Seed, e).
	Seed uint64
	// Epochs > 0 ends the stream (io.EOF) after that many passes; 0 reads
	// forever, reopening the source at each epoch's end.
	Epochs int
}

// Reader yields shuffled trajectories; see the package comment.
type Reader struct {
	open     Opener
	opt      Options
	buf      []*traj.Trajectory
	rng      *rand.Rand
	next     func() (*traj.Trajectory, error, bool)
	stop     func()
	epoch    int // current epoch, 0-based
	consumed int // trips yielded in this epoch
	total    int // trips yielded overall
	started  bool
	maxBuf   int
}

// New returns a Reader over open.
func New(open Opener, opt Options) (*Reader, error) {
	if open == nil {
		return nil, errors.New("stream: nil opener")
	}
	if opt.Buffer < 1 {
		return nil, fmt.Errorf("stream: Options.Buffer = %d: must be ≥ 1", opt.Buffer)
	}
	return &Reader{open: open, opt: opt, buf: make([]*traj.Trajectory, 0, opt.Buffer)}, nil
}

// Seq is an Opener over a sequence function (called once per epoch).
func Seq(f func() iter.Seq2[*traj.Trajectory, error]) Opener {
	return func() (iter.Seq2[*traj.Trajectory, error], error) { return f(), nil }
}

// Porto is an Opener over a Porto CSV file (gunzipped when it ends in
// .gz); bad rows are errors naming file and line, unless rep.SkipBad.
func Porto(path string, rep *parse.Report) Opener {
	return func() (iter.Seq2[*traj.Trajectory, error], error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, parse.FileError(path, err)
		}
		var r io.Reader = f
		var zr *gzip.Reader
		if strings.HasSuffix(path, ".gz") {
			if zr, err = gzip.NewReader(f); err != nil {
				f.Close()
				return nil, &parse.Error{File: path, Err: fmt.Errorf("gzip: %w", err)}
			}
			r = zr
		}
		pr, err := porto.NewReader(r, path, rep)
		if err != nil {
			f.Close()
			return nil, err
		}
		return func(yield func(*traj.Trajectory, error) bool) {
			defer f.Close()
			if zr != nil {
				defer zr.Close()
			}
			for t, err := range pr.All() {
				if !yield(t, err) {
					return
				}
			}
		}, nil
	}
}

// Epoch is the current epoch (0-based) and Consumed the trips yielded in it.
func (r *Reader) Epoch() int    { return r.epoch }
func (r *Reader) Consumed() int { return r.consumed }

// Total is the number of trips yielded since the start.
func (r *Reader) Total() int { return r.total }

// MaxBuffered is the most trips the buffer has held (≤ Options.Buffer).
func (r *Reader) MaxBuffered() int { return r.maxBuf }

func (r *Reader) begin() error {
	seq, err := r.open()
	if err != nil {
		return err
	}
	r.next, r.stop = iter.Pull2(seq)
	r.rng = rand.New(rand.NewPCG(r.opt.Seed, uint64(r.epoch)))
	r.buf = r.buf[:0]
	for len(r.buf) < r.opt.Buffer {
		t, ok, err := r.pull()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		r.buf = append(r.buf, t)
	}
	r.maxBuf = max(r.maxBuf, len(r.buf))
	if len(r.buf) == 0 {
		r.Close()
		return fmt.Errorf("stream: epoch %d: the source yielded no trajectories", r.epoch+1)
	}
	r.started = true
	return nil
}

func (r *Reader) pull() (*traj.Trajectory, bool, error) {
	t, err, ok := r.next()
	if !ok {
		return nil, false, nil
	}
	if err != nil {
		r.Close()
		return nil, false, err
	}
	return t, true, nil
}

// Next returns the next trajectory, io.EOF after Options.Epochs epochs, or
// the source's error (a *parse.Error names file and line).
func (r *Reader) Next() (*traj.Trajectory, error) {
	if !r.started {
		if r.opt.Epochs > 0 && r.epoch >= r.opt.Epochs {
			return nil, io.EOF
		}
		if err := r.begin(); err != nil {
			return nil, err
		}
	}
	i := r.rng.IntN(len(r.buf))
	t := r.buf[i]
	nt, ok, err := r.pull()
	if err != nil {
		return nil, err
	}
	if ok {
		r.buf[i] = nt
	} else {
		last := len(r.buf) - 1
		r.buf[i], r.buf[last] = r.buf[last], nil
		r.buf = r.buf[:last]
	}
	r.consumed++
	r.total++
	if len(r.buf) == 0 { // epoch done: the next call reopens
		r.Close()
		r.started = false
		r.epoch++
		r.consumed = 0
	}
	return t, nil
}

// Skip replays n trips (a resumed run's position): O(n) reading.
func (r *Reader) Skip(n int) error {
	for range n {
		if _, err := r.Next(); err != nil {
			return err
		}
	}
	return nil
}

// Close releases the open file; Next after Close reopens at a new epoch
// only at an epoch's end (call Close when done).
func (r *Reader) Close() {
	if r.stop != nil {
		r.stop()
		r.stop = nil
	}
}
