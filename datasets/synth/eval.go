package synth

import (
	"github.com/tfm-course/course/tfm/roadnet"
)

// EvalTrips is the roadnet.TripSimulator of the synthetic city's agents
// (car, bus, bike and walk trips with their true paths), for
// roadnet.Evaluate: DefaultConfig with cfg's Seed, Trajectories,
// Interval (SamplingInterval), Noise and Dropout (DropoutRate), on g as
// Config.Network, or — g nil — on the city's own network for the seed.
func EvalTrips(g *roadnet.Graph, cfg roadnet.EvalConfig) (*roadnet.Graph, []roadnet.EvalTrip, error) {
	c := DefaultConfig()
	c.Seed, c.Trajectories, c.SamplingInterval, c.Noise, c.DropoutRate, c.Network = cfg.Seed, cfg.Trajectories, cfg.Interval, cfg.Noise, cfg.Dropout, g
	city, err := Generate(c)
	if err != nil {
		return nil, nil, err
	}
	trips := make([]roadnet.EvalTrip, len(city.Trips))
	for i := range city.Trips {
		tr := &city.Trips[i]
		trips[i] = roadnet.EvalTrip{Observed: tr.Observed, Path: tr.Path, Mode: tr.Mode}
	}
	return city.Network, trips, nil
}
