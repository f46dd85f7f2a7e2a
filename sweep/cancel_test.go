package sweep

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCancelReachesInsideReplication: a single replication with a 1000h
// horizon (about 7·10⁷ arrivals, minutes of work) ignored a cancelled
// context until it finished, because runJobs only looked at ctx between
// jobs (issue #11: Ctrl-C ignored until kill -9). It now stops soon after
// the cancel; 10 s is a generous bound on a loaded machine.
func TestCancelReachesInsideReplication(t *testing.T) {
	cfg := small()
	cfg.Horizon = 1000 * time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := RunJobs(ctx, []Job{{Config: cfg, Replication: 0}}, Options{Workers: 1})
		done <- err
	}()
	time.Sleep(200 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		require.Error(t, err)
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(10 * time.Second):
		t.Fatal("the replication was not cancelled within 10 s")
	}
}
