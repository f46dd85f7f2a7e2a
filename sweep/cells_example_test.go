package sweep_test

import (
	"fmt"
	"time"

	"github.com/drainsim/drainsim/sweep"
)

// Three delays × two replications dealt to four shards: cell i of the
// grid (by delay, then replication) goes to shard i mod 4.
func ExampleShard() {
	delays := []time.Duration{0, 30 * time.Second, 60 * time.Second}
	for k := range 4 {
		fmt.Printf("shard %d:", k)
		for _, c := range sweep.Shard(delays, 2, k, 4) {
			fmt.Printf(" %v/r%d", c.Delay, c.Replication)
		}
		fmt.Println()
	}
	// Output:
	// shard 0: 0s/r0 1m0s/r0
	// shard 1: 0s/r1 1m0s/r1
	// shard 2: 30s/r0
	// shard 3: 30s/r1
}
