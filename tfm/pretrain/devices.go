package pretrain

import (
	"fmt"
	"iter"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/distributed"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/core/tensors/dtensor"
	"github.com/gomlx/gomlx/ml/train"
)

// BatchMeshAxis is the name of the one axis of the data-parallel device
// mesh: the batch axis of every step input is sharded over it.
const BatchMeshAxis = "batch"

// checkDevices refuses a data-parallel run the backend or the batch cannot
// hold: the backend must have at least n devices and the batch must divide
// by n. n ≤ 1 is the one-device run and always passes.
func checkDevices(be compute.Backend, n, batch int) error {
	if n <= 1 {
		return nil
	}
	if have := be.NumDevices(); have < n {
		return fmt.Errorf("pretrain: --devices %d but the backend %q has %d device(s) (on several GPUs use GOMLX_BACKEND=xla:cuda)",
			n, be.Name(), have)
	}
	if batch%n != 0 {
		return fmt.Errorf("pretrain: --batch %d does not divide by --devices %d (each device takes batch/devices trajectories)",
			batch, n)
	}
	return nil
}

// DataParallelMesh is the 1-D device mesh of n devices with the axis
// BatchMeshAxis.
func DataParallelMesh(n int) (*distributed.DeviceMesh, error) {
	return distributed.NewDeviceMesh([]int{n}, []string{BatchMeshAxis})
}

// InputSpec is the sharding of one step input of the given dimensions on
// mesh: an input whose leading axis is the batch (dims[0] == batch) is
// sharded along it over the mesh; any other input (scalars, tables not
// per trajectory) is replicated. Parameters and optimiser state are
// replicated: the trainer gives every variable the replicated spec.
func InputSpec(mesh *distributed.DeviceMesh, dims []int, batch int) (*distributed.ShardingSpec, error) {
	if len(dims) == 0 || dims[0] != batch || batch%mesh.NumDevices() != 0 {
		return distributed.NewReplicatedShardingSpec(mesh), nil
	}
	return distributed.BuildSpec(mesh).S(BatchMeshAxis).Done()
}

// devicesData is the training stream of a data-parallel run: the batches
// of stepData (the same trajectories, the same order, step by step),
// each input split on the host into its shards along the batch axis.
type devicesData struct {
	steps   *stepData
	mesh    *distributed.DeviceMesh
	batch   int
	devices []compute.DeviceNum
}

var _ train.DistributedDataset = (*devicesData)(nil)

func newDevicesData(steps *stepData, n, batch int) (*devicesData, error) {
	mesh, err := DataParallelMesh(n)
	if err != nil {
		return nil, err
	}
	devs := make([]compute.DeviceNum, n)
	for i := range devs {
		devs[i] = compute.DeviceNum(i)
	}
	return &devicesData{steps: steps, mesh: mesh, batch: batch, devices: devs}, nil
}

func (d *devicesData) Name() string { return d.steps.Name() }

// Iter is the one-device stream, for what only reads batches.
func (d *devicesData) Iter() iter.Seq2[train.Batch, error] { return d.steps.Iter() }

func (d *devicesData) Strategy() distributed.Strategy { return distributed.AutoSharding }

func (d *devicesData) DeviceAssignment() []compute.DeviceNum { return d.devices }

func (d *devicesData) DistributedIter() iter.Seq2[train.DistributedBatch, error] {
	return func(yield func(train.DistributedBatch, error) bool) {
		for b, err := range d.steps.Iter() {
			var db train.DistributedBatch
			if err == nil {
				db.Inputs, err = d.shard(b.Inputs)
			}
			if !yield(db, err) {
				return
			}
		}
	}
}

// shard splits each input into its shards (InputSpec).
func (d *devicesData) shard(ins []*tensors.Tensor) ([]*dtensor.Tensor, error) {
	out := make([]*dtensor.Tensor, len(ins))
	for i, t := range ins {
		spec, err := InputSpec(d.mesh, t.Shape().Dimensions, d.batch)
		if err != nil {
			return nil, err
		}
		if out[i], err = dtensor.ShardTensor(spec, t); err != nil {
			return nil, fmt.Errorf("pretrain: sharding step input %d %s: %w", i, t.Shape(), err)
		}
	}
	return out, nil
}
