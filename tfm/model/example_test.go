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
