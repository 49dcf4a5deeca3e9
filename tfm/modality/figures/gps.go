package figures

import (
	"fmt"

	"github.com/tfm-course/course/tfm/modality/gps"
	"github.com/tfm-course/course/tfm/traj"
	"github.com/tfm-course/course/tfm/viz"
)

// FeatureChart plots some feature columns of one trajectory, normalised as
// the encoder sees them, against the minutes since its start.
func FeatureChart(f *gps.Featurizer, t *traj.Trajectory, columns ...int) (*viz.Chart, error) {
	feats, idx, err := f.Features(t, 0)
	if err != nil {
		return nil, err
	}
	var series []viz.Series
	for _, c := range columns {
		if c < 0 || c >= gps.NumFeatures {
			return nil, fmt.Errorf("feature column %d outside [0, %d)", c, gps.NumFeatures)
		}
		s := viz.Series{Name: gps.FeatureNames[c]}
		for i, k := range idx {
			s.X = append(s.X, t.Points[k].Time.Sub(t.Points[0].Time).Minutes())
			s.Y = append(s.Y, float64(feats[i*gps.NumFeatures+c]))
		}
		series = append(series, s)
	}
	return viz.Line("GPS features of "+t.ID+" (normalised)", "minutes since start", "normalised value (z-score)", series...), nil
}
