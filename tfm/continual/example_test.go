package continual_test

import (
	"fmt"

	"github.com/tfm-course/course/tfm/continual"
)

// A strategy's settings, as tfm pretrain records them.
func ExampleStrategy_Settings() {
	s := continual.DefaultStrategy("replay")
	fmt.Println(s.Validate(), s.NeedsOldData(), s.Settings())
	// Output: <nil> true map[replay-ratio:0.5 replay-size:500 strategy:replay]
}

// A reservoir keeps at most Size of the trips offered.
func ExampleReplayBuffer() {
	b := continual.NewReplayBuffer(3, 1)
	b.Add(nil, nil, nil, nil, nil)
	fmt.Println(b.Len(), b.Seen())
	// Output: 3 5
}
