package figures

import (
	"fmt"

	"github.com/tfm-course/course/tfm/modality/text"
	"github.com/tfm-course/course/tfm/traj"
)

// Sentences describes each trajectory with d and returns the sentences and
// the descriptions, in order.
func Sentences(d *text.Describer, trajs []*traj.Trajectory) ([]string, []*text.Description, error) {
	sentences := make([]string, len(trajs))
	descs := make([]*text.Description, len(trajs))
	for i, t := range trajs {
		desc, err := d.Describe(t)
		if err != nil {
			return nil, nil, fmt.Errorf("trajectory %d: %w", i, err)
		}
		sentences[i], descs[i] = desc.Sentence(), desc
	}
	return sentences, descs, nil
}
