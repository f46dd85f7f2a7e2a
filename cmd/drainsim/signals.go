package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
)

// exitInterrupted is the exit status after a second Ctrl-C: 128 + SIGINT,
// as shells report a process killed by it.
const exitInterrupted = 130

// interruptMessage is what the first Ctrl-C (SIGINT or SIGTERM) prints.
const interruptMessage = "drainsim: stopping after the current replications (an interrupted sweep saves its finished cells)… press Ctrl-C again to quit now"

// handleSignals returns a context that the first signal from sigs
// cancels, after saying on stderr what that does; the second calls
// exit(exitInterrupted) at once, after runAtExit's cleanups. stop ends
// the watch.
func handleSignals(parent context.Context, sigs <-chan os.Signal, stderr io.Writer, exit func(int)) (ctx context.Context, stop func()) {
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
		fmt.Fprintln(stderr, interruptMessage)
		cancel()
		select {
		case <-sigs:
			fmt.Fprintln(stderr, "drainsim: quit")
			runAtExit()
			exit(exitInterrupted)
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
// file); see onExit.
var atExit struct {
	mu  sync.Mutex
	fns map[int]func()
	n   int
}

// onExit registers f to run if drainsim quits at a second Ctrl-C, and
// returns the function that unregisters it.
func onExit(f func()) (cancel func()) {
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

// runAtExit runs the registered cleanups.
func runAtExit() {
	atExit.mu.Lock()
	defer atExit.mu.Unlock()
	for _, f := range atExit.fns {
		f()
	}
}
