package synth_test

import (
	"fmt"
	"time"

	"github.com/tfm-course/course/datasets/synth"
)

// Generate a small city and look at what it holds.
func ExampleGenerate() {
	cfg := synth.DefaultConfig()
	cfg.Seed, cfg.Trajectories = 7, 200
	city, err := synth.Generate(cfg)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s: %d road nodes, %d districts, %d POIs, %d users\n",
		city.Name, len(city.Network.Nodes), len(city.Districts), len(city.POIs), len(city.Agents))

	trip := city.Trips[0]
	fmt.Printf("trip %s: %s by %s, %s → %s, %d road segments, %v, %d GPS fixes\n",
		trip.ID, trip.UserID, trip.Mode, city.DistrictName(trip.FromDistrict), city.DistrictName(trip.ToDistrict),
		len(trip.Path), trip.TravelTime(), len(trip.Observed.Points))

	ds := city.Dataset() // the noisy observations, as the other chapters use them
	fmt.Println(len(ds.Trajectories), "trajectories; first labels:", ds.Trajectories[0].Labels["district_type_from"], "→", ds.Trajectories[0].Labels["district_type_to"])
	// Output:
	// Fairhaven: 678 road nodes, 21 districts, 240 POIs, 100 users
	// trip t000000: u0018 by bike, Bramton → Downtown, 10 road segments, 8m0s, 42 GPS fixes
	// 200 trajectories; first labels: residential → business
}

// The same trip across town at rush hour and mid-morning.
func ExampleCity_Simulate() {
	cfg := synth.DefaultConfig()
	cfg.Trajectories = 100
	city, _ := synth.Generate(cfg)
	from, to := city.Agents[0].Home, city.Agents[0].Work
	monday := cfg.StartDate
	for _, h := range []int{8, 11} {
		trip, err := city.Simulate(0, synth.Car, from, to, monday.Add(time.Duration(h)*time.Hour), 1)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%02d:00 by car: %v (rush level %.2f)\n", h, trip.TravelTime(), synth.Rush(trip.Depart))
	}
	// Output:
	// 08:00 by car: 18m22s (rush level 1.00)
	// 11:00 by car: 11m4s (rush level 0.00)
}

// Plant a spurious correlation for the causal chapter.
func ExamplePlantSpurious() {
	cfg := synth.DefaultConfig()
	city, _ := synth.Generate(cfg)
	ds, rep, err := city.SpuriousDataset(synth.SpuriousOptions{P: 0.9, Seed: 1})
	if err != nil {
		panic(err)
	}
	fmt.Printf("train %d (label = context group for %.0f%%), test %d (%.0f%%)\n",
		rep.Train, 100*rep.TrainAgreement, rep.Test, 100*rep.TestAgreement)
	t := ds.Trajectories[0]
	fmt.Println(t.Mode, "→ label", t.Labels[synth.LabelKey], "| from a", t.Labels["district_type_from"], "district → group", t.Labels[synth.GroupKey])
	// (The counts follow the simulated trips: 710 and 572 before segment
	// lengths were measured on the sphere of traj.EarthRadius.)
	// Output:
	// train 730 (label = context group for 90%), test 600 (50%)
	// bus → label 1 | from a residential district → group 1
}

func ExampleGeneratePair() {
	before, after, err := synth.GeneratePair(synth.Config{Seed: 3, Trajectories: 200})
	if err != nil {
		panic(err)
	}
	r := after.Drift
	fmt.Println(before.Drift == nil, r.FormerType, "→", after.Districts[r.NewDistrict].Type)
	fmt.Println(r.OldSegments == len(before.Network.Segments), len(after.Network.Segments) > r.OldSegments, len(r.ClosedSegments))
	// Output:
	// true park → residential
	// true true 2
}
