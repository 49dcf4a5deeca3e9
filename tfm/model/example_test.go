package model_test

import (
	"fmt"
	"io"

	"github.com/tfm-course/course/datasets"
	"github.com/tfm-course/course/tfm/backend"
	"github.com/tfm-course/course/tfm/encoder"
	"github.com/tfm-course/course/tfm/modality"
	_ "github.com/tfm-course/course/tfm/modality/all"
	tfm "github.com/tfm-course/course/tfm/model"
)

// Fit a fresh GPS model on a small synthetic city and embed three trips:
// one vector of Dim numbers each.
func Example() {
	data, err := datasets.Load("synthetic:seed=1,trajectories=20")
	if err != nil {
		panic(err)
	}
	backend.Logger = io.Discard
	be, err := backend.New()
	if err != nil {
		panic(err)
	}
	cfg := encoder.DefaultConfig() // dim 64
	m, err := tfm.Fit(be, cfg, 1, modality.Source{Trajectories: data.Trajectories, Map: data.Map}, "gps")
	if err != nil {
		panic(err)
	}
	emb, err := m.Embed(data.Trajectories[:3])
	if err != nil {
		panic(err)
	}
	fmt.Println(m.Modalities(), m.Dim(), emb.Rows, emb.Cols)
	// Output: [gps] 64 3 64
}

// A multi-modal model: the GPS and road views of each trip, fused by a
// learned gate (one vector of the branches' width), and the same model
// reading only its GPS view (the road view fed as missing).
func Example_multimodal() {
	data, err := datasets.Load("synthetic:seed=1,trajectories=20")
	if err != nil {
		panic(err)
	}
	backend.Logger = io.Discard
	be, err := backend.New()
	if err != nil {
		panic(err)
	}
	m, err := tfm.Fit(be, encoder.DefaultConfig(), 1, modality.Source{Trajectories: data.Trajectories, Map: data.Map}, "gps", "road")
	if err != nil {
		panic(err)
	}
	if err := m.SetFusion(tfm.FuseGated); err != nil {
		panic(err)
	}
	fused, err := m.Embed(data.Trajectories[:3])
	if err != nil {
		panic(err)
	}
	gpsOnly, err := m.Only("gps")
	if err != nil {
		panic(err)
	}
	part, err := gpsOnly.Embed(data.Trajectories[:3])
	if err != nil {
		panic(err)
	}
	fmt.Println(m.Modalities(), m.Fusion(), m.Dim(), fused.Rows, fused.Cols, part.Cols)
	// Output: [gps road] gated 64 3 64 64
}
