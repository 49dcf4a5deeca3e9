package pretrain

import (
	"errors"
	"fmt"

	"github.com/tfm-course/course/tfm/traj"
)

// Source is a stream of training trajectories (Options.Stream), e.g. a
// datasets/stream.Reader over a Porto file larger than memory: Next
// returns the next trip, or an error (io.EOF ends the run with an error:
// give a source with unbounded epochs).
type Source interface {
	Next() (*traj.Trajectory, error)
}

// FitTrips is the number K of a stream's first trips the CLI hands Train
// as ds when streaming: the model's featurisers (vocabularies,
// normalisation) are fitted on them alone.
const FitTrips = 2000

// checkStream refuses, with a streamed source, the options that need the
// whole corpus in memory.
func checkStream(opt Options) error {
	if opt.Stream == nil {
		return nil
	}
	switch {
	case opt.GroupBalance != "":
		return errors.New("pretrain: --group-balance needs every trip in memory; not with --stream")
	case opt.EarlyStop.On():
		return errors.New("pretrain: --early-stop holds out a validation split of the corpus; not with --stream")
	}
	return nil
}

// streamBatch draws the n trips of global step step from Options.Stream:
// step s takes usable trips s·n … s·n+n−1 of the stream, so a resumed run
// first replays (reads and drops) the s·n trips before it (O(steps) on
// resume, as datasets/stream documents). Trips unusable by the model
// (< 3 points, unmatched roads, the Filter) are passed over, identically
// on replay. An error is kept in r.streamErr and the batch is nil.
func (r *run) streamBatch(step, n int) []*traj.Trajectory {
	want := step * n
	if r.streamPos > want {
		r.streamErr = fmt.Errorf("pretrain: stream at trip %d, step %d wants trip %d (a stream cannot go back)", r.streamPos, step, want)
		return nil
	}
	var sel []*traj.Trajectory
	for r.streamPos < want+n {
		t, err := r.opt.Stream.Next()
		if err != nil {
			r.streamErr = fmt.Errorf("pretrain: stream at trip %d (step %d): %w", r.streamPos, step, err)
			return nil
		}
		if r.opt.Filter != nil && !r.opt.Filter(t) {
			continue
		}
		if len(Usable(r.res.Model, []*traj.Trajectory{t})) == 0 {
			continue
		}
		if r.streamPos >= want {
			sel = append(sel, t)
		}
		r.streamPos++
	}
	return sel
}
