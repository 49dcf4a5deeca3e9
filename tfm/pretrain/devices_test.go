package pretrain

import (
	"context"
	"strings"
	"testing"

	"github.com/gomlx/compute/distributed"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/core/tensors/dtensor"
)

// TestInputSpec: for N = 2, 4 the leading (batch) axis of a per-trajectory
// input is sharded over the mesh's one axis, each shard holding batch/N
// rows; an input without the batch axis is replicated.
func TestInputSpec(t *testing.T) {
	const batch = 8
	for _, n := range []int{2, 4} {
		mesh, err := DataParallelMesh(n)
		if err != nil {
			t.Fatal(err)
		}
		if mesh.NumDevices() != n || mesh.AxesNames()[0] != BatchMeshAxis {
			t.Fatalf("mesh %s", mesh)
		}
		spec, err := InputSpec(mesh, []int{batch, 5, 3}, batch)
		if err != nil {
			t.Fatal(err)
		}
		if spec.IsReplicated() || spec.NumDevicesShardingAxis(0) != n || spec.NumDevicesShardingAxis(1) != 1 {
			t.Fatalf("N=%d: spec %s, want axis 0 sharded over %d", n, spec, n)
		}
		in := tensors.FromValue(make3(batch, 5, 3))
		dt, err := dtensor.ShardTensor(spec, in)
		if err != nil {
			t.Fatal(err)
		}
		if dt.NumShards() != n {
			t.Fatalf("N=%d: %d shards", n, dt.NumShards())
		}
		if got := dt.ShardShape().Dimensions; got[0] != batch/n || got[1] != 5 || got[2] != 3 {
			t.Fatalf("N=%d: shard shape %v, want [%d 5 3]", n, got, batch/n)
		}
		for _, dims := range [][]int{nil, {3}, {batch + 1, 2}} {
			s, err := InputSpec(mesh, dims, batch)
			if err != nil || !s.IsReplicated() {
				t.Fatalf("N=%d dims %v: %v %v, want replicated", n, dims, s, err)
			}
		}
	}
	if _, err := distributed.NewDeviceMesh([]int{2}, []string{BatchMeshAxis}); err != nil {
		t.Fatal(err)
	}
}

func make3(a, b, c int) [][][]float32 {
	x := make([][][]float32, a)
	for i := range x {
		x[i] = make([][]float32, b)
		for j := range x[i] {
			x[i][j] = make([]float32, c)
			for k := range x[i][j] {
				x[i][j][k] = float32(i*100 + j*10 + k)
			}
		}
	}
	return x
}

// TestDevicesRefused: more devices than the backend has, and a batch not
// dividing by the devices, are refused naming the flags.
func TestDevicesRefused(t *testing.T) {
	be := testBackend(t)
	if err := checkDevices(be, 1, 7); err != nil {
		t.Fatal(err)
	}
	n := be.NumDevices() + 1
	err := checkDevices(be, n, 8*n)
	if err == nil || !strings.Contains(err.Error(), "--devices") || !strings.Contains(err.Error(), be.Name()) {
		t.Fatalf("err %v, want --devices and the backend named", err)
	}
	if be.NumDevices() >= 2 {
		if err := checkDevices(be, 2, 7); err == nil || !strings.Contains(err.Error(), "--batch") {
			t.Fatalf("err %v, want --batch named", err)
		}
	}
	opt := tinyOptions("contrastive", "gps", 2)
	opt.Devices = n
	if _, err := Train(context.Background(), be, toyCity(40, 2), opt); err == nil || !strings.Contains(err.Error(), "--devices") {
		t.Fatalf("Train with Devices=%d on a %d-device backend: %v", n, be.NumDevices(), err)
	}
}
