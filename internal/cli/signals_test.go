package cli

import (
	"bytes"
	"context"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSignals: the first signal cancels the context and says so on
// stderr; the second quits at once with status 130 after the registered
// cleanups (before, the first cancelled silently and later ones were
// swallowed until kill -9).
func TestSignals(t *testing.T) {
	sigs := make(chan os.Signal, 2)
	stderr := &CheckedWriter{W: &syncBuffer{}}
	exited := make(chan int, 1)
	cleaned := make(chan bool, 1)
	unregister := OnExit(func() { cleaned <- true })
	defer unregister()
	ctx, stop := HandleSignals(context.Background(), sigs, stderr, func(code int) { exited <- code })
	defer stop()

	sigs <- os.Interrupt
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the first signal did not cancel the context")
	}
	sigs <- syscall.SIGTERM
	select {
	case code := <-exited:
		assert.Equal(t, ExitInterrupted, code)
	case <-time.After(10 * time.Second):
		t.Fatal("the second signal did not exit")
	}
	require.True(t, <-cleaned)
	out := stderr.W.(*syncBuffer).String()
	assert.Contains(t, out, "stopping after the current replications")
	assert.Contains(t, out, "press Ctrl-C again to quit now")
}

// TestSignalsStop: without a signal, stop ends the watch (a signal after
// it neither prints nor exits) and cancels the context.
func TestSignalsStop(t *testing.T) {
	sigs := make(chan os.Signal, 2)
	stderr := &syncBuffer{}
	ctx, stop := HandleSignals(context.Background(), sigs, &CheckedWriter{W: stderr}, func(int) { t.Error("exit called") })
	assert.NoError(t, ctx.Err())
	stop()
	assert.ErrorIs(t, ctx.Err(), context.Canceled)
	sigs <- os.Interrupt // nobody listens any more
	sigs <- os.Interrupt
	time.Sleep(10 * time.Millisecond)
	assert.Empty(t, stderr.String(), "a signal after stop is not handled")
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
