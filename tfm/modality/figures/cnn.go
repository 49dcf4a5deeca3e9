package figures

import (
	"fmt"
	"math/rand/v2"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train"
	"github.com/gomlx/gomlx/ml/train/loss"
	"github.com/gomlx/gomlx/ml/train/optimizer"

	"github.com/tfm-course/course/tfm/backend"
	"github.com/tfm-course/course/tfm/encoder"
	"github.com/tfm-course/course/tfm/modality"
	"github.com/tfm-course/course/tfm/modality/image"
)

// ImageClassifier is image.CNN with a linear head over `classes` labels.
func ImageClassifier(classes int) func(scope *model.Scope, pixels *graph.Node) *graph.Node {
	return func(scope *model.Scope, pixels *graph.Node) *graph.Node {
		emb := encoder.ConvNet(scope.In("cnn"), pixels, encoder.ConvNetConfig{Widths: []int{16, 32}, Dim: 32})
		return layers.DenseWithBias(scope.In("head"), emb, classes)
	}
}

// TrainImageClassifier trains ImageClassifier on the images of b with
// Adam, one random mini-batch of batchSize images per step, on the backend
// tfm/backend chooses, and returns the loss of every step and a function
// predicting the label of each image of another batch.
func TrainImageClassifier(b *modality.Batch, labels []int32, classes, steps, batchSize int, seed uint64) ([]float64, func(*modality.Batch) ([]int32, error), error) {
	if b.Pixels == nil || len(labels) != b.Size || batchSize > b.Size || batchSize < 1 {
		return nil, nil, fmt.Errorf("need an image batch with one label per image and 1 <= batchSize <= %d", b.Size)
	}
	be, err := backend.New()
	if err != nil {
		return nil, nil, err
	}
	store := model.NewStore()
	store.SetParam(model.ParamInitialSeed, int64(seed))
	modelFn := ImageClassifier(classes)
	trainer := train.NewTrainer(be, store, modelFn, loss.SparseCategoricalCrossEntropyLogits,
		optimizer.Adam().LearningRate(0.003).Done(), nil, nil)
	rng := rand.New(rand.NewPCG(seed, 1))
	plane := b.Channels * b.H * b.W
	x := make([]float32, batchSize*plane)
	y := make([]int32, batchSize)
	var losses []float64
	for range steps {
		for i, k := range rng.Perm(b.Size)[:batchSize] {
			copy(x[i*plane:(i+1)*plane], b.Pixels[k*plane:(k+1)*plane])
			y[i] = labels[k]
		}
		metrics, err := trainer.TrainStep(train.Batch{
			Inputs: []*tensors.Tensor{tensors.FromFlatDataAndDimensions(x, batchSize, b.Channels, b.H, b.W)},
			Labels: []*tensors.Tensor{tensors.FromFlatDataAndDimensions(y, batchSize, 1)},
		})
		if err != nil {
			return nil, nil, err
		}
		losses = append(losses, float64(tensors.ToScalar[float32](metrics[0])))
	}
	exec, err := model.NewExec(be, store, modelFn)
	if err != nil {
		return nil, nil, err
	}
	predict := func(test *modality.Batch) ([]int32, error) {
		pixels, err := image.PixelsTensor(test)
		if err != nil {
			return nil, err
		}
		out, err := exec.Call(pixels)
		if err != nil {
			return nil, err
		}
		logits := tensors.MustCopyFlatData[float32](out[0])
		pred := make([]int32, test.Size)
		for i := range pred {
			row := logits[i*classes : (i+1)*classes]
			for c := range row {
				if row[c] > row[pred[i]] {
					pred[i] = int32(c)
				}
			}
		}
		return pred, nil
	}
	return losses, predict, nil
}
