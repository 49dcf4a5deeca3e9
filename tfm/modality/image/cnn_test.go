package image

import (
	"math"
	"testing"

	"github.com/gomlx/compute/gobackend"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train"
	"github.com/gomlx/gomlx/ml/train/loss"
	"github.com/gomlx/gomlx/ml/train/optimizer"

	"github.com/tfm-course/course/tfm/encoder"
	"github.com/tfm-course/course/tfm/modality/internal/modtest"
)

// TestCNNLearns trains the CNN to tell trajectories whose overall
// displacement is east–west from north–south ones; the loss must fall.
func TestCNNLearns(t *testing.T) {
	trajs := modtest.Walk(11, 64)
	labels := make([]int32, len(trajs))
	for i, tr := range trajs {
		a, b := tr.Points[0].Point, tr.Points[len(tr.Points)-1].Point
		dx := (b[0] - a[0]) * math.Cos(a[1]*math.Pi/180)
		if math.Abs(dx) > math.Abs(b[1]-a[1]) {
			labels[i] = 1
		}
	}
	r := New(16, 16)
	batch, err := r.Batch(trajs)
	if err != nil {
		t.Fatal(err)
	}
	x, err := PixelsTensor(batch)
	if err != nil {
		t.Fatal(err)
	}
	y := tensors.FromFlatDataAndDimensions(labels, len(labels), 1)

	backend, err := gobackend.New("")
	if err != nil {
		t.Fatal(err)
	}
	store := model.NewStore()
	store.SetParam(model.ParamInitialSeed, int64(42))
	modelFn := func(scope *model.Scope, pixels *Node) *Node {
		emb := encoder.ConvNet(scope.In("cnn"), pixels, encoder.ConvNetConfig{Widths: []int{8, 16}, Dim: 16})
		if s := emb.Shape(); s.Rank() != 2 || s.Dimensions[0] != len(trajs) || s.Dimensions[1] != 16 {
			t.Errorf("embedding shape %s", s)
		}
		return layers.DenseWithBias(scope.In("head"), emb, 2)
	}
	trainer := train.NewTrainer(backend, store, modelFn, loss.SparseCategoricalCrossEntropyLogits,
		optimizer.Adam().LearningRate(0.01).Done(), nil, nil)
	var first, last float32
	for step := range 30 {
		metrics, err := trainer.TrainStep(train.Batch{Inputs: []*tensors.Tensor{x}, Labels: []*tensors.Tensor{y}})
		if err != nil {
			t.Fatal(err)
		}
		l := tensors.ToScalar[float32](metrics[0])
		if step == 0 {
			first = l
		}
		last = l
	}
	t.Logf("loss %.3f → %.3f after 30 steps", first, last)
	if !(last < 0.5*first) {
		t.Fatalf("loss did not fall enough: %.3f → %.3f", first, last)
	}
}
