package stream_test

import (
	"fmt"
	"iter"
	"strings"

	"github.com/tfm-course/course/datasets/stream"
	"github.com/tfm-course/course/tfm/traj"
)

func ExampleReader_Next() {
	trips := func() iter.Seq2[*traj.Trajectory, error] { // a source read one trip at a time
		return func(yield func(*traj.Trajectory, error) bool) {
			for _, id := range []string{"a", "b", "c", "d", "e"} {
				if !yield(&traj.Trajectory{ID: id}, nil) {
					return
				}
			}
		}
	}
	// stream.Porto("train.csv", nil) opens a Porto CSV the same way.
	r, err := stream.New(stream.Seq(trips), stream.Options{Buffer: 3, Seed: 1, Epochs: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	for e := 0; e < 2; e++ {
		var ids []string
		for i := 0; i < 5; i++ {
			t, _ := r.Next()
			ids = append(ids, t.ID)
		}
		fmt.Println("epoch", r.Epoch(), strings.Join(ids, " ")) // every trip once per epoch, a new order each epoch
	}
	_, err = r.Next()
	fmt.Println(err)
	// Output:
	// epoch 1 b a c e d
	// epoch 2 c a d e b
	// EOF
}
