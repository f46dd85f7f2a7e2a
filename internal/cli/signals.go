package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
)

// ExitInterrupted is the exit status after a second Ctrl-C: 128 + SIGINT,
// as shells report a process killed by it.
const ExitInterrupted = 130

// InterruptMessage is what the first Ctrl-C (SIGINT or SIGTERM) prints.
const InterruptMessage = "drainsim: stopping after the current replications (an interrupted sweep saves its finished cells)… press Ctrl-C again to quit now"

// HandleSignals returns a context that the first signal from sigs
// cancels, after saying on stderr what that does (InterruptMessage); the
// second calls exit(ExitInterrupted) at once, after RunAtExit's cleanups.
// stop ends the watch (a goroutine started here) and cancels the context.
func HandleSignals(parent context.Context, sigs <-chan os.Signal, stderr io.Writer, exit func(int)) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(parent)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-sigs:
		case <-done:
			return
		}
		fmt.Fprintln(stderr, InterruptMessage)
		cancel()
		select {
		case <-sigs:
			fmt.Fprintln(stderr, "drainsim: quit")
			RunAtExit()
			exit(ExitInterrupted)
		case <-done:
		}
	}()
	return ctx, func() {
		close(done)
		wg.Wait()
		cancel()
	}
}

// atExit holds the cleanups a hard exit must still do (removing a lock
// file); see OnExit.
var atExit struct {
	mu  sync.Mutex
	fns map[int]func()
	n   int
}

// OnExit registers f to run if drainsim quits at a second Ctrl-C, and
// returns the function that unregisters it. Safe for concurrent use.
func OnExit(f func()) (cancel func()) {
	atExit.mu.Lock()
	defer atExit.mu.Unlock()
	if atExit.fns == nil {
		atExit.fns = map[int]func(){}
	}
	atExit.n++
	id := atExit.n
	atExit.fns[id] = f
	return func() {
		atExit.mu.Lock()
		defer atExit.mu.Unlock()
		delete(atExit.fns, id)
	}
}

// RunAtExit runs the registered cleanups, in no particular order.
func RunAtExit() {
	atExit.mu.Lock()
	defer atExit.mu.Unlock()
	for _, f := range atExit.fns {
		f()
	}
}
